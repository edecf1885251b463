"""Typing evidence: how much a span's own words and its context say person, organisation or place."""

from __future__ import annotations

from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.lexicon import (
    ORG,
    ORG_HEADS,
    ORG_NEXT,
    ORG_PREV,
    ORG_STRONG,
    PERSON,
    PERSON_TITLES,
    PLACE,
    PLACE_ALIASES,
    PLACE_PREPS,
    PLACE_SUFFIXES,
    SAY_VERBS,
    STATE_ABBREVIATIONS,
)
from search.enrich.entities.names import place_key
from search.enrich.entities.spans import Span
from search.enrich.entities.text import is_acronym, is_cap


def evidence(span: Span, lex: Lexicon) -> None:
    """Score the span's own and its context's evidence for each type."""
    s = span.scores
    words = span.words
    text = span.text
    low = text.lower()
    last = words[-1].lower()
    first = words[0].lower().rstrip(".")
    known_org = lex.known_orgs.get(low)
    if known_org:
        s[ORG] += 5
    if low in lex.places or place_key(text) in PLACE_ALIASES:
        if low in lex.countries:
            s[PLACE] += 5
        elif len(words) == 1 and common(low, lex) and low not in lex.extra_places:
            s[PLACE] += 1  # a gazetteer town that is an ordinary word ("Price", "High"): context must say place
        else:
            s[PLACE] += 4
    is_place = low in lex.places
    if len(words) > 1 and last in PLACE_SUFFIXES and not any(w.lower() in ORG_HEADS for w in words):
        s[PLACE] += 4  # "Kyrgyz Republic", "Persian Gulf", "Jammu and Kashmir region"
    if len(words) > 1 and last in ORG_HEADS and not is_place:
        s[ORG] += 4
    if any(w.lower() in ORG_STRONG for w in words) and not is_place:
        s[ORG] += 3
    if len(words) == 1 and is_acronym(words[0]) and not known_org and low not in lex.places:
        s[ORG] += 2
    if len(words) == 1 and low.endswith(("bank", "corp", "tel", "com", "soft", "tech")) and len(low) > 6:
        s[ORG] += 3
    if span.titled and not any(w.lower() in ORG_HEADS or w.lower() in ORG_STRONG for w in words):
        s[PERSON] += 5  # not "lead manager Union Bank of Switzerland": a role before an organisation
    if span.next == "<" or (span.prev == "<" and span.next == ">"):
        s[ORG] += 6  # wire copy writes a company's ticker after its name ("Citicorp <CCI>") or brackets the name
    if (span.prev == "of" and span.prev2.rstrip(".") in PERSON_TITLES) or (
        span.prev == "for" and span.prev2 in ("spokesman", "spokeswoman", "spokesperson")
    ):
        s[ORG] += 3  # "vice president of Cargill", "a spokesman for Keidanren"
    if len(words) >= 2 and all(is_cap(w) for w in words):
        if first in lex.first_names:
            s[PERSON] += 3
        elif len(first) == 1 or (len(words[0]) == 2 and words[0].endswith(".")):
            s[PERSON] += 2.5
        if last in lex.ieer_people:
            s[PERSON] += 1
        if not any(w.lower() in ORG_HEADS or w.lower() in lex.place_words or common(w, lex) for w in words):
            s[PERSON] += 1
    elif len(words) == 1:
        if first in lex.first_names:
            s[PERSON] += 0.5
        if first in lex.ieer_people:
            s[PERSON] += 1
    if low in lex.ieer_orgs:
        s[ORG] += 2
    if low in lex.ieer_places:
        s[PLACE] += 2
    if span.prev in PLACE_PREPS:
        s[PLACE] += 1.5
    if span.prev == "the":
        s[ORG] += 1.2
        s[PLACE] += 0.2
    if span.next in SAY_VERBS or (span.next in ("'s", "has", "had", "was", "is") and span.next2 in SAY_VERBS):
        s[PERSON] += 1.2
        s[ORG] += 0.6
    if span.next in ORG_NEXT or span.prev in ORG_PREV:
        s[ORG] += 1.5
    if span.next == "," and span.next2 in ("who", "whose"):
        s[PERSON] += 2
    if span.next in ("who", "whose"):
        s[PERSON] += 1.5
    if span.table and low not in lex.countries:
        if len(words) > 1 and (span.next == "(" or len(first) == 1) and last not in ORG_HEADS:
            s[PERSON] += 6  # "1. Michael Johnson ( U.S. ) 19.32", "P. Simmons 4-38": an athlete
        elif first in lex.first_names and len(words) > 1 and span.next == ",":
            s[PERSON] += 2
        else:
            s[ORG] += 5  # results and standings tables list clubs ("Leeds 2 Chelsea 1"), not towns
    if span.dateline:
        s[PLACE] += 6
    if len(words) == 1 and span.prev == "," and low.rstrip(".") in STATE_ABBREVIATIONS:
        s[PLACE] += 6
    if any(c.isdigit() for w in words for c in w):
        s[ORG] += 0.5
        s[PERSON] -= 6
    if any(w in ("and", "&") for w in words[1:-1]):
        s[ORG] += 3  # only organisation mends join over "and" ("Johnson and Johnson", "Wagner and Brown")
