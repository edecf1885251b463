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
from search.enrich.entities.lexicon import (
    COMMODITY_WORDS,
    COMPASS,
    COMPASS_WORDS,
    CONNECTORS,
    EVENT_NEXT,
    EVENT_WORDS,
    JUNK_WORDS,
    MONTHS,
    ORG_HEADS,
    ORG_PREFIXES,
    ORG_STRONG,
    PARTICLES,
    PARTY_STATE,
    PEOPLE_PLURALS,
    PERSON_TITLES,
    PLACE_ALIASES,
    PLACE_HEADS,
    TITLE_MODIFIERS,
)
from search.enrich.entities.names import place_key
from search.enrich.entities.spans import Cut, Span
from search.enrich.entities.text import Token, is_acronym, is_cap

Rule = Callable[[Cut], "list[Span] | None"]


def _title_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low.endswith("s") and low[:-1] in PERSON_TITLES:
        return True
    return low in PERSON_TITLES or low in TITLE_MODIFIERS or low in ("'s", "-", "&")


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
    if cut and (any(w.lower() in ORG_HEADS for w in words[cut:]) or all(_title_word(w) for w in words[cut:])):
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


def _is_place_word(word: str, lex: Lexicon) -> bool:
    low = word.lower()
    return low in lex.places or low in lex.demonyms or place_key(low) in PLACE_ALIASES


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


# ------------------------------------------------------------------------------ rules that judge what is left
def nothing_left(c: Cut) -> list[Span] | None:
    """Trimmed away to nothing."""
    return [] if c.lo >= c.hi else None


def title_event_or_demonym(c: Cut) -> list[Span] | None:
    """Only titles ("Foreign Minister"), an event or a document ("Uruguay Round talks"), a demonym."""
    words = c.span_words()
    if all(_title_word(w) for w in words) or words[-1].lower() in EVENT_WORDS or c.text_low() in c.lex.demonyms:
        return []
    return None


def short_words_only(c: Cut) -> list[Span] | None:
    """Table headers ("W D L PCT GB"), stray initials."""
    low = c.text_low()
    if all(len(w) <= 2 for w in c.span_words()) and low not in c.lex.known_orgs and place_key(low) not in PLACE_ALIASES:
        return []
    return None


def bare_org_head(c: Cut) -> list[Span] | None:
    """ "Ministry", "Bank" alone: a kind of organisation, not one."""
    low = c.text_low()
    return [] if c.hi - c.lo == 1 and (low in ORG_HEADS or low in ORG_STRONG) else None


def numbers(c: Cut) -> list[Span] | None:
    """Long numbers ("1987"), and "MAY7", "F-14", ticker and contract codes."""
    words = c.span_words()
    if any(sum(ch.isdigit() for ch in w) >= 4 for w in words):
        return []
    if len(words) == 1 and any(ch.isdigit() for ch in words[0]) and c.text_low() not in c.lex.known_orgs:
        return []
    return None


def saint_alone(c: Cut) -> list[Span] | None:
    """ "St" cut off its name."""
    return [] if c.text_low() in ("st", "st.") else None


def list_of_places(c: Cut) -> list[Span] | None:
    """ "Chile , Peru and Bolivia" taken as one: one span per place."""
    words, lex = c.span_words(), c.lex
    if (
        len(words) > 1
        and c.text_low() not in lex.places
        and all(w.lower() in lex.places or w in ("-", ",", "and") for w in words)
    ):
        return [c.word_span(c.lo + k) for k, w in enumerate(words) if w.lower() in lex.places]
    return None


def place_then_acronym(c: Cut) -> list[Span] | None:
    """ "Chicago NAPM": a place and an organisation side by side ("OSCE Chechnya" the other way round is left to
    typing)."""
    words, lex = c.span_words(), c.lex
    if (
        len(words) == 2
        and words[0].lower() in lex.places
        and (is_acronym(words[1]) or words[1].lower() in lex.known_orgs)
        and c.text_low() not in lex.places
    ):
        return [c.word_span(c.lo), c.word_span(c.lo + 1)]
    return None


def name_then_country(c: Cut) -> list[Span] | None:
    """ "Lebed Chechnya" in a headline: a name and a place side by side."""
    words, lex = c.span_words(), c.lex
    if (
        len(words) == 2
        and (words[1].lower() in lex.countries or words[1].lower() in lex.extra_places)
        and words[0].lower() not in lex.places
        and words[0].lower() not in lex.first_names
        and c.text_low() not in lex.places
        and words[1].lower() not in ORG_HEADS
    ):
        return [c.word_span(c.lo), c.word_span(c.lo + 1)]
    return None


def hyphenated_places(c: Cut) -> list[Span] | None:
    """ "India-Russia": both places."""
    words, tok = c.span_words(), c.tokens[c.lo]
    if len(words) != 1 or "-" not in words[0] or tok.kind != "word":
        return None
    parts = words[0].split("-")
    if len(parts) > 1 and all(p.lower() in c.lex.places for p in parts):
        out, pos = [], tok.start
        for p in parts:
            out.append(Span.around(c.part, [Token(p, pos, pos + len(p), "word")], [p], c.words, c.lo, c.hi))
            pos += len(p) + 1
        return out
    return None


def ticker(c: Cut) -> list[Span] | None:
    """A stock ticker in angle brackets ("<CCI.N>", "<GD>") is a code, not a name."""
    w = c.words
    if (
        c.hi - c.lo == 1
        and c.lo > 0
        and w[c.lo - 1] == "<"
        and c.hi < c.n
        and w[c.hi] in (">", ".")
        and not any(ch.islower() for ch in w[c.lo])
    ):
        return []
    return None


def party_and_state(c: Cut) -> list[Span] | None:
    """A lawmaker's party and state ("D-Tex", "R-Minn"): a tag, not a name."""
    return [] if any(PARTY_STATE.match(w) for w in c.span_words()) else None


def dates(c: Cut) -> list[Span] | None:
    """Months with a period ("Dec."), month ranges ("October-September", "Oct/Dec")."""
    if c.hi - c.lo != 1:
        return None
    parts = [p.rstrip(".").lower() for p in c.words[c.lo].replace("/", "-").split("-")]
    return [] if all(p in MONTHS or p in JUNK_WORDS for p in parts if p) else None


def plural_acronym(c: Cut) -> list[Span] | None:
    """ "CDs", "SDRs": instruments counted in the plural, not organisations."""
    w = c.words[c.lo]
    return [] if c.hi - c.lo == 1 and len(w) > 2 and w.endswith("s") and w[:-1].isupper() else None


def commodity(c: Cut) -> list[Span] | None:
    """Commodities, grades and market terms ("Robusta", "Eurodollar", "EC Eurobond")."""
    return [] if c.words[c.hi - 1].lower() in COMMODITY_WORDS else None


def event_name(c: Cut) -> list[Span] | None:
    """A name right before "accord" or "summit" that is no known place or organisation ("the Louvre accord")."""
    if c.hi >= c.n or c.words[c.hi].lower() not in EVENT_NEXT:
        return None
    low = c.text_low()
    return None if low in c.lex.places or low in c.lex.known_orgs else []


def place_then_common_word(c: Cut) -> list[Span] | None:
    """ "U.S. Currency", "U.S. Has": a place and an ordinary word (no organisation's head word): the place alone."""
    words, lex = c.span_words(), c.lex
    if (
        len(words) == 2
        and _is_place_word(words[0], lex)
        and words[0].lower() not in lex.demonyms
        and common(words[1], lex)
        and words[1].lower() not in ORG_HEADS
        and words[1].lower() not in PLACE_HEADS
        and words[1].lower() not in lex.known_orgs
        and c.text_low() not in lex.places
        and c.text_low() not in lex.known_orgs
    ):
        return [c.word_span(c.lo)]
    return None


def lone_word(c: Cut) -> list[Span] | None:
    """One word that is a demonym, a title, junk, too short, a number or a link, lowercase, or an ordinary word
    at the start of a sentence."""
    if c.hi - c.lo != 1:
        return None
    lex = c.lex
    w, tok = c.words[c.lo], c.tokens[c.lo]
    low = w.lower()
    if low in lex.demonyms or low in JUNK_WORDS or low in PERSON_TITLES or low in TITLE_MODIFIERS:
        return []
    if len(w.strip(".")) < 2 or w.isdigit() or tok.kind in ("num", "url", "handle", "clitic"):
        return []
    if w.islower():
        return []
    if (
        (c.lo == 0 or c.words[c.lo - 1] in ('"', "'", "("))
        and common(w, lex)
        and low not in lex.places
        and low not in lex.known_orgs
        and not is_acronym(w)
    ):
        return []
    return None


def junk(c: Cut) -> list[Span] | None:
    """Junk words ("Advertisement", "Thursday") are never names."""
    return [] if c.text_low() in JUNK_WORDS else None


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
