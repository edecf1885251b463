"""Mending NLTK's spans: an ordered list of small named rules, each fixing one kind of span error.

A candidate is a ``Cut``: a range ``[lo, hi)`` of a sentence's words.  The rules run in the order of ``RULES``:
first those that widen the cut (names the chunker cut short), then those that trim it (titles, junk at either
end), then those that judge what is left (drop it, split it, or keep it).  A rule returns ``None`` to pass the cut
on, or the final list of spans (empty: the candidate is dropped).  A new rule is a new small function in the list,
not a branch in a long one.
"""

from __future__ import annotations

from collections.abc import Callable

from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.joins import (
    ampersand_firm,
    and_firm_leftwards,
    and_institution,
    arabic_particle,
    comma_partners,
    founders_firm,
    of_name,
    particle_before,
    partner_suffix,
    possessive_firm,
)
from search.enrich.entities.judge import (
    bare_org_head,
    commodity,
    dates,
    event_name,
    hyphenated_places,
    junk,
    list_of_places,
    lone_word,
    name_then_country,
    nothing_left,
    numbers,
    party_and_state,
    place_then_acronym,
    place_then_common_word,
    plural_acronym,
    saint_alone,
    short_words_only,
    ticker,
    title_event_or_demonym,
    title_word,
)
from search.enrich.entities.lexicon import (
    COMPASS,
    COMPASS_WORDS,
    CONNECTORS,
    JUNK_WORDS,
    ORG_HEADS,
    ORG_PREFIXES,
    PARTICLES,
    PEOPLE_PLURALS,
    PERSON_TITLES,
    PLACE_HEADS,
    TITLE_MODIFIERS,
)
from search.enrich.entities.spans import Cut, Span
from search.enrich.entities.text import Token, is_acronym, is_cap

Rule = Callable[[Cut], "list[Span] | None"]


def _compass_place(initial: str, word: str, lex: Lexicon) -> str | None:
    """The place an abbreviated compass word names in headlines ("S.KOREA", "N. Zealand"): its full name,
    "" for a demonym ("S. African"), None if the pair names no place."""
    for full in COMPASS.get(initial.rstrip("."), ()):
        name = f"{full} {word.capitalize()}"
        if name.lower() in lex.places:
            return name
        if name.lower() in lex.demonyms:
            return ""
    return None


# ------------------------------------------------------------------------------ rules that replace the cut
def compass_place(c: Cut) -> list[Span] | None:
    """ "S.KOREA" is South Korea, not a person "S" beside the place "Korea"."""
    w, t, lo = c.words, c.tokens, c.lo
    if t[lo].kind == "initial" and c.hi <= lo + 2 and lo + 1 < c.n and is_cap(w[lo + 1]):
        place = _compass_place(w[lo], w[lo + 1], c.lex)
        if place == "":
            return []
        if place:
            tok = Token(place, t[lo].start, t[lo + 1].end, "word")
            return [Span.around(c.part, [tok], [place], w, lo, lo + 2)]
    return None


# ---------------------------------------------------------------------------------- rules that trim the cut
def strip_titles(c: Cut) -> None:
    """Strip titles and roles in front ("Russian Foreign Minister Sergey Lavrov", "House Speaker Jim Wright")."""
    words = c.span_words()
    cut = 0
    for i, w in enumerate(words[:-1]):
        low = w.lower().rstrip(".")
        if (low in PERSON_TITLES or w.lower() in PERSON_TITLES) and is_cap(words[i + 1]):
            cut = i + 1
    if cut and (any(w.lower() in ORG_HEADS for w in words[cut:]) or all(title_word(w) for w in words[cut:])):
        cut = 0
    if cut:
        c.lo += cut
        c.titled = True


def modifiers_before_first_name(c: Cut) -> None:
    """Leading modifiers before a first name ("State George Shultz" of "Secretary of State George Shultz")."""
    w = c.words
    while c.hi - c.lo > 2 and w[c.lo].lower() in TITLE_MODIFIERS and w[c.lo + 1].lower() in c.lex.first_names:
        c.lo += 1


def title_before(c: Cut) -> None:
    """A title right before the span ("President Vladimir Putin" chunked as "Vladimir Putin")."""
    if c.lo > 0 and c.words[c.lo - 1].lower().rstrip(".") in PERSON_TITLES:
        c.titled = True


def _leading_junk(c: Cut, words: list[str]) -> bool:
    lex = c.lex
    w = words[0]
    low = w.lower()
    initial = (c.lo == 0 or c.words[c.lo - 1] in ('"', "'", "(", ":", "-")) and not (
        c.hi < c.n and c.words[c.hi] == "<"  # a company's name before its ticker is whole ("Harbor Lights <HL>")
    )
    if low in ORG_PREFIXES and words[-1].lower() in ORG_HEADS and len(words) > 1:
        return False
    return (
        ("-" in w and w.split("-")[-1].islower())  # "Boston-based", "Family-controlled"
        or low in JUNK_WORDS
        or low in CONNECTORS
        or (
            initial
            and words[-1].lower() not in ORG_HEADS
            and not (len(words) > 2 and words[1].lower() in PARTICLES)  # "Banco do Brasil said"
            and common(w, lex)
            and low not in lex.places
            and not is_acronym(w)
            and low not in lex.first_names
        )
        or (
            low in lex.demonyms
            and len(words) > 1
            and words[-1].lower() not in ORG_HEADS
            and words[-1].lower() not in PLACE_HEADS
        )
    )


def leading_junk(c: Cut) -> None:
    """Drop leading junk: sentence-initial common words, demonyms ("Russian", "Saudi Arabian"), weekdays, "The"."""
    while c.lo < c.hi:
        words = c.span_words()
        if len(words) > 2 and f"{words[0]} {words[1]}".lower() in c.lex.demonyms:
            c.lo += 2
            continue
        whole = " ".join(words).lower()
        if whole in c.lex.places or whole in c.lex.known_orgs or not _leading_junk(c, words):
            break
        c.lo += 1


def portfolio_before_name(c: Cut) -> None:
    """A minister's portfolio glued to the name after it: "Energy Subroto" of "Minister of Mines and Energy
    Subroto", "Exchequer Nigel Lawson" of "Chancellor of the Exchequer Nigel Lawson"."""
    w = c.words
    if c.lo < 2 or w[c.lo - 1] not in ("of", "the", "and"):
        return
    if not any(
        w[i].lower().rstrip(".") in PERSON_TITLES and w[i + 1] == "of" for i in range(max(0, c.lo - 5), c.lo - 1)
    ):
        return
    if w[c.hi - 1].lower() in ORG_HEADS:
        return  # "chairman of the Federal Reserve Board": the organisation itself
    while c.hi - c.lo > 1 and w[c.lo].lower() in TITLE_MODIFIERS and is_cap(w[c.lo + 1]):
        c.lo += 1
        c.titled = True


def trailing_junk(c: Cut) -> None:
    """Drop trailing junk, titles ("MEA Secretary"), groups of people ("U.S. Officials") and punctuation, and with a
    title its qualifiers ("U.S." of "U.S. Trade Representative").  A first
    name keeps the surname that looks like a title or a compass word ("Peter Baron", "Oliver North")."""
    w, lex = c.words, c.lex
    title_cut = False
    while c.lo < c.hi:
        last = w[c.hi - 1]
        low = last.lower()
        more = c.hi - c.lo > 1
        surname = c.hi - c.lo == 2 and w[c.lo].lower() in lex.first_names and is_cap(last)
        title = more and low.rstrip(".") in PERSON_TITLES and low not in ORG_HEADS and not surname
        if (
            title
            or (more and low in PEOPLE_PLURALS)
            or (low in JUNK_WORDS and not (surname and low in COMPASS_WORDS))
            or not any(ch.isalnum() for ch in last)
            or low in CONNECTORS
        ):
            c.hi -= 1
            title_cut = title_cut or title
        else:
            break
    while title_cut and c.hi > c.lo and w[c.hi - 1].lower() in TITLE_MODIFIERS:
        c.hi -= 1


RULES: tuple[Rule, ...] = (
    compass_place,
    particle_before,
    founders_firm,
    of_name,
    arabic_particle,
    possessive_firm,
    and_firm_leftwards,
    ampersand_firm,
    comma_partners,
    and_institution,
    partner_suffix,
    strip_titles,
    modifiers_before_first_name,
    title_before,
    portfolio_before_name,
    leading_junk,
    trailing_junk,
    nothing_left,
    title_event_or_demonym,
    short_words_only,
    bare_org_head,
    numbers,
    saint_alone,
    list_of_places,
    place_then_acronym,
    name_then_country,
    hyphenated_places,
    ticker,
    party_and_state,
    dates,
    plural_acronym,
    commodity,
    event_name,
    place_then_common_word,
    lone_word,
    junk,
)


def mend(
    part: str,
    words: list[str],
    tokens: list[Token],
    lo: int,
    hi: int,
    lex: Lexicon,
    firms: frozenset[tuple[str, str]] = frozenset(),
) -> list[Span]:
    """The spans that the sentence's words [lo, hi) give once every rule of ``RULES`` has had its say."""
    cut = Cut(part, words, tokens, lo, hi, lex, firms)
    for rule in RULES:
        out = rule(cut)
        if out is not None:
            return out
    return [cut.span()]
