"""Article-wide clues for the span rules: abbreviated first words of firm names (``Alex. Brown``) and firms named
after two founders (``Wagner and Brown``)."""

from __future__ import annotations

import re
from collections import defaultdict

from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.lexicon import (
    CORP_SUFFIXES,
    JUNK_WORDS,
    MONTHS,
    ORG_HEADS,
    PERSON_TITLES,
    STATE_ABBREVIATIONS,
)
from search.enrich.entities.text import is_acronym, is_cap

# "Alex. Brown and Sons", "Alex. Brown Inc", "Wm. Sword and Co": a short capitalised word, its period, then a
# capitalised name that a company marker follows.  The word before must not be a name word itself
# ("... Morgan Stanley. Brown Inc said" ends a sentence).
_ABBREVIATED_NAME = re.compile(
    r"(?<![\w.&'-])([A-Z][a-z]{1,4})\.\s+([A-Z][a-z]+)\s+"
    r"(?=(?:Inc|Corp|Co|Ltd|Plc|PLC|LLC)\b|(?:and|&)\s+(?:Sons?|Co|Cos|Company|Brothers|Bros)\b)"
)


def abbreviated_names(text: str, lex: Lexicon) -> frozenset[tuple[str, str]]:
    """(abbreviated word, next word) pairs, lowercased, whose period abbreviates and does not end a sentence:
    found beside a company marker once, they hold for every mention in the article ("Alex. Brown said")."""
    pairs = set()
    for m in _ABBREVIATED_NAME.finditer(text):
        word, low = m.group(1), m.group(1).lower()
        before = text[max(0, m.start() - 30) : m.start()].split()
        prev = before[-1] if before else ""
        if (
            (is_cap(prev) and not prev.isupper() and prev[-1] not in ".!?:;,\"')" and not common(prev, lex))
            or low in lex.places
            or low in MONTHS
            or low in JUNK_WORDS
            or low in STATE_ABBREVIATIONS
            or low in lex.known_orgs
            or low in PERSON_TITLES
            or low in CORP_SUFFIXES
            or common(word, lex)
            or (low not in lex.first_names and len(word) > 3)  # a given name (Alex) or a short form (Wm)
        ):
            continue
        pairs.add((low, m.group(2).lower()))
    return frozenset(pairs)


# "Wagner and Brown": two capitalised words joined by "and" or "&", not part of a longer capitalised run.
_PAIR_NAME = re.compile(r"(?<![\w.&'-])([A-Z][a-z]+) (?:and|&) ([A-Z][a-z]+)\b(?! [A-Z])")


def _beside_a_company(text: str, start: int, end: int) -> bool:
    """True if the words at [start, end) are listed with a company: "AFG Industries Inc and _", "_ and AFG Inc"."""
    before = text[max(0, start - 40) : start].split()
    if len(before) >= 2 and before[-1] == "and":
        w = before[-2]
        if w.endswith(">") or is_acronym(w) or w.lower().rstrip(".,") in ORG_HEADS:
            return True
    return bool(_COMPANY_AFTER.match(text, end))


_COMPANY_AFTER = re.compile(r"\s+(?:and|&)\s+(?:[A-Z][\w.&'-]*\s+){0,4}(?:Inc|Corp|Co|Ltd|Plc|PLC|Industries|Group)\b")


def pair_names(text: str, lex: Lexicon) -> frozenset[tuple[str, str]]:
    """Firms named after two people ("Wagner and Brown", "Kohlberg & Kravis"): a pair of surnames that
    comes twice in the article or once listed with a company, never after a title or a first name, neither
    word ever alone."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    titled: set[tuple[str, str]] = set()
    listed: set[tuple[str, str]] = set()
    for m in _PAIR_NAME.finditer(text):
        pair = (m.group(1), m.group(2))
        seen[pair] += 1
        before = text[max(0, m.start() - 30) : m.start()].split()
        if before and (is_cap(before[-1]) or before[-1].lower().rstrip(".") in PERSON_TITLES):
            titled.add(pair)
        if _beside_a_company(text, m.start(), m.end()):
            listed.add(pair)
    out = set()
    for (a, b), count in seen.items():
        if (count < 2 and (a, b) not in listed) or (a, b) in titled:
            continue
        if any(w.lower() in lex.first_names or w.lower() in lex.places for w in (a, b)):
            continue
        if any(
            w.lower() in lex.known_orgs or w.lower() in lex.demonyms or w.lower() in JUNK_WORDS or w.lower() in MONTHS
            for w in (a, b)
        ):
            continue
        if common(a, lex) or any(len(re.findall(rf"\b{w}\b", text)) != count for w in (a, b)):
            continue
        out.add((a, b))
    return frozenset(out)
