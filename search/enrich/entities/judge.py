"""Mending rules that judge what is left of a cut once widened and trimmed: drop it (titles only, events, tags,
codes, commodities, months, junk words), split it (lists of places, a place beside a name), or pass it on."""

from __future__ import annotations

import re

from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.lexicon import (
    COMMODITY_WORDS,
    EVENT_NEXT,
    EVENT_WORDS,
    JUNK_WORDS,
    MONTHS,
    ORG_HEADS,
    ORG_STRONG,
    PARTY_STATE,
    PERSON_TITLES,
    PLACE_ALIASES,
    PLACE_HEADS,
    TITLE_MODIFIERS,
)
from search.enrich.entities.names import place_key
from search.enrich.entities.spans import Cut, Span
from search.enrich.entities.text import Token, is_acronym

_ROMAN = re.compile(r"^[IVX]{1,4}$")


def title_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low.endswith("s") and low[:-1] in PERSON_TITLES:
        return True
    return low in PERSON_TITLES or low in TITLE_MODIFIERS or low in ("'s", "-", "&")


def _is_place_word(word: str, lex: Lexicon) -> bool:
    low = word.lower()
    return low in lex.places or low in lex.demonyms or place_key(low) in PLACE_ALIASES


def nothing_left(c: Cut) -> list[Span] | None:
    """Trimmed away to nothing."""
    return [] if c.lo >= c.hi else None


def title_event_or_demonym(c: Cut) -> list[Span] | None:
    """Only titles ("Foreign Minister"), an event or a document ("Uruguay Round talks"), a demonym."""
    words = c.span_words()
    last = words[-2] if len(words) > 2 and _ROMAN.match(words[-1]) else words[-1]  # "World War II"
    if all(title_word(w) for w in words) or last.lower() in EVENT_WORDS or c.text_low() in c.lex.demonyms:
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
