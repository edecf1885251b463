"""Mending rules that widen a cut over the words its name goes on with, where the chunker stopped short: "of"
("Bank of England"), "and" and "&" ("Securities and Exchange Commission", "Goldman, Sachs and Co"), a possessive
("Moody's Investors Service"), a name particle ("Banco do Brasil"), two founders ("Wagner and Brown")."""

from __future__ import annotations

from search.enrich.entities.gazetteer import common
from search.enrich.entities.lexicon import CORP_SUFFIXES, ORG_HEADS, PARTICLES, PARTNER_WORDS, TITLE_MODIFIERS
from search.enrich.entities.spans import Cut
from search.enrich.entities.text import is_acronym, is_cap


def particle_before(c: Cut) -> None:
    """A name particle the chunker took without the capitalised word before it ("Banco" of "Banco do Brasil")."""
    if c.lo > 0 and c.hi - c.lo > 1 and c.words[c.lo].lower() in PARTICLES and is_cap(c.words[c.lo - 1]):
        c.lo -= 1


def founders_firm(c: Cut) -> None:
    """Join "Wagner and Brown", a firm the article names by its two founders (see ``clues.pair_names``), and
    "Johnson and Johnson": one name twice over is a company, never two people."""
    w, hi = c.words, c.hi
    if (
        hi + 1 < c.n
        and w[hi] in ("and", "&")
        and ((w[hi - 1], w[hi + 1]) in c.firms or (w[hi + 1] == w[hi - 1] and c.tokens[hi - 1].kind == "word"))
    ):
        c.hi += 2


def of_name(c: Cut) -> None:
    """Join "Bank of England", "Council of Foreign Ministers", "Organisation for Economic Cooperation and
    Development", "Ministry of International Trade and Industry"."""
    w, t, n = c.words, c.tokens, c.n
    while c.hi + 1 < n and w[c.hi] in ("of", "for") and w[c.hi - 1].lower() in ORG_HEADS and is_cap(w[c.hi + 1]):
        j = c.hi + 1
        if w[j].lower() == "the" and j + 1 < n:
            j += 1
        k = j
        while k < n and t[k].kind in ("word", "acro") and is_cap(w[k]):
            k += 1
        # "... and Development", "... and Industry": one ordinary word after "and" ends the name.
        if (
            k + 1 < n
            and w[k] == "and"
            and is_cap(w[k + 1])
            and common(w[k + 1], c.lex)
            and (k + 2 >= n or not is_cap(w[k + 2]))
        ):
            k += 2
        # "... of Foreign" cut off before more of the name: no join ("Board of Trade grain traders" is whole).
        if k == j or (w[k - 1].lower() in TITLE_MODIFIERS and k < n and (w[k] in ("and", "&") or is_cap(w[k]))):
            break
        c.hi = k


def arabic_particle(c: Cut) -> None:
    """Join "Ali al-Khalifa al-Sabah": name parts led by a lowercase particle and a hyphen."""
    w, n = c.words, c.n
    while c.hi < n and "-" in w[c.hi] and w[c.hi].split("-", 1)[0] in ("al", "el", "bin", "abu", "ibn"):
        rest = w[c.hi].split("-", 1)[1]
        if not is_cap(rest) or c.tokens[c.hi].kind != "word":
            break
        c.hi += 1


def possessive_firm(c: Cut) -> None:
    """Join "Moody 's Investors Service Inc", "McDonald 's Corp"."""
    w, lo = c.words, c.lo
    if (
        lo >= 2
        and w[lo - 1] == "'s"
        and w[c.hi - 1].lower() in CORP_SUFFIXES
        and is_cap(w[lo - 2])
        and c.tokens[lo - 2].kind == "word"
        and (lo - 2 == 0 or not is_cap(w[lo - 3]))
    ):
        c.lo -= 2


def and_firm_leftwards(c: Cut) -> None:
    """Join "Bear Stearns and Co Inc", "Securities and Exchange Commission" from the right-hand part (not "Wagner
    and Brown and AFG Industries Inc": a right-hand part led by an acronym is a company of its own)."""
    w, t, lo, hi = c.words, c.tokens, c.lo, c.hi
    if (
        lo >= 2
        and w[lo - 1] in ("and", "&")
        and w[hi - 1].lower() in ORG_HEADS
        and not (is_acronym(w[lo]) and hi - lo > 1)
        and is_cap(w[lo - 2])
        and w[lo - 2].lower() not in CORP_SUFFIXES
        and t[lo - 2].kind in ("word", "acro")
    ):
        j = lo - 2
        while j > 0 and t[j - 1].kind in ("word", "acro") and is_cap(w[j - 1]):
            j -= 1
        if j > 0 or not common(w[0], c.lex) or w[hi - 1].lower() in CORP_SUFFIXES:
            c.lo = j


def ampersand_firm(c: Cut) -> None:
    """Join "Douglas & Lomason", "A.G. Edwards & Sons": an ampersand between names makes one company."""
    w, t, n = c.words, c.tokens, c.n
    if c.hi + 1 < n and w[c.hi] == "&" and is_cap(w[c.hi + 1]):
        k = c.hi + 1
        while k < n and t[k].kind in ("word", "acro", "abbr") and is_cap(w[k]):
            k += 1
        c.hi = k


def comma_partners(c: Cut) -> None:
    """Join "Goldman, Sachs and Co", "Alex, Brown and Sons Inc", and the partners' names a firm lists before its
    legal form: "Donaldson, Lufkin and Jenrette Securities Corp", "L.F. Rothschild, Unterberg, Towbin Inc"."""
    w, t, n, hi = c.words, c.tokens, c.n, c.hi
    k = hi
    while k + 1 < n and w[k] == "," and is_cap(w[k + 1]):  # ", Pierce, Fenner"
        k += 1
        while k < n and t[k].kind == "word" and is_cap(w[k]):
            k += 1
    if k == hi or k + 1 >= n:
        return
    if w[k] in ("and", "&", "et", "und") and w[k + 1].rstrip(".") in PARTNER_WORDS:
        c.hi = k + 2
        if c.hi < n and w[c.hi].lower() in CORP_SUFFIXES:
            c.hi += 1
        return
    end = k
    if w[k] in ("and", "&") and is_cap(w[k + 1]):  # "... and Jenrette"
        end = k + 1
        while end < n and t[end].kind == "word" and is_cap(w[end]):
            end += 1
    if w[end - 1].lower() in CORP_SUFFIXES or w[end - 1].lower() in ORG_HEADS:
        c.hi = end  # "... Towbin Inc", "... Jenrette Securities Corp": the legal form closes the firm's name


def and_institution(c: Cut) -> None:
    """Join "Securities and Exchange Commission" (not "Standard Oil Co and BP Inc": two companies)."""
    w, t, n, hi = c.words, c.tokens, c.n, c.hi
    if hi + 1 < n and w[hi] in ("and", "&") and w[hi - 1].lower() not in CORP_SUFFIXES:
        k = hi + 1
        while k < n and t[k].kind in ("word", "acro") and is_cap(w[k]):
            k += 1
        last = w[k - 1].lower()
        both_known = w[hi - 1].lower() in c.lex.known_orgs and last in c.lex.known_orgs  # "House and Senate"
        if k > hi + 1 and last in ORG_HEADS and last not in CORP_SUFFIXES and not both_known:
            c.hi = k


def partner_suffix(c: Cut) -> None:
    """Join "Lazard Freres et Cie", "Brown Boveri und Cie", "Smith and Co": the partners of a firm."""
    w, n = c.words, c.n
    if c.hi + 1 < n and w[c.hi] in ("and", "&", "et", "und") and w[c.hi + 1].rstrip(".") in PARTNER_WORDS:
        c.hi += 2
