"""In-article resolution: one type per string, short forms to full names, acronyms to expansions, junk dropped."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.lexicon import (
    CORP_SUFFIXES,
    EVENT_WORDS,
    JUNK_WORDS,
    ORG,
    PERSON,
    PLACE,
    PLACE_ALIASES,
    TYPES,
)
from search.enrich.entities.names import acronym_of, initials_compatible, name_key, place_key
from search.enrich.entities.spans import Span
from search.enrich.entities.text import is_acronym


@dataclass(frozen=True)
class Mention:
    """One entity mention: where it is (part = title, body or dateline), its type and its canonical value."""

    part: str
    start: int
    end: int
    text: str
    type: str
    value: str


def _best(scores: dict[str, float]) -> tuple[str, float]:
    type_ = max(TYPES, key=lambda t: scores[t])
    return type_, scores[type_]


def _is_country_word(text: str, lex: Lexicon) -> bool:
    """A place or demonym prefix such as "U.S.", "British" or "West German"."""
    low = text.lower()
    return low in lex.places or low in lex.demonyms or low.replace(".", "") in lex.places


_DEFINED = re.compile(r"((?:[A-Z][\w'&.-]*\s+(?:(?:of|for|and|the|on|de)\s+)*){1,8})\(([A-Z][A-Za-z&.]{1,7})\)")
_DEFINED_TAIL = re.compile(r"\([A-Z][A-Za-z&.]{1,7}\)")  # what every _DEFINED match ends with: a cheap first test


def resolve(spans: list[Span], body: str, lex: Lexicon) -> list[Mention]:
    """One type per string, short forms to full names, acronyms to expansions; junk dropped."""
    # Acronyms the text defines: "Shanghai Cooperation Organisation (SCO)".
    defined: dict[str, str] = {}
    misc: set[str] = set()
    for m in _DEFINED.finditer(body) if _DEFINED_TAIL.search(body) else ():
        words = m.group(1).split()
        acr = m.group(2).replace(".", "")
        for k in range(len(words)):
            if words[k].lower() in ("the", "a", "an"):
                continue
            phrase = " ".join(words[k:])
            if phrase[:1].isupper() and acronym_of(phrase) == acr.upper():
                if words[-1].lower() in EVENT_WORDS:
                    misc.add(acr)  # "Export Enhancement Program (EEP)": a programme's acronym names no entity
                else:
                    defined[acr] = phrase
                break
    # Aggregate scores per normalised string (one string, one type within an article).
    by_text: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        by_text[s.text].append(s)
    totals: dict[str, dict[str, float]] = {}
    for text, group in by_text.items():
        tot = {t: 0.0 for t in TYPES}
        for s in group:
            for t in TYPES:
                tot[t] += s.scores[t]
        totals[text] = tot
    # Expansions lend their evidence to their acronyms.
    for acr, phrase in defined.items():
        if acr in totals:
            ptot = totals.get(phrase) or {ORG: 4.0, PERSON: 0.0, PLACE: 0.0}
            for t in TYPES:
                totals[acr][t] += ptot[t]
    types: dict[str, str] = {}
    for text, tot in totals.items():
        t, score = _best(tot)
        if score <= 0:
            t = _default_type(text, lex)
        if place_key(text) in PLACE_ALIASES:
            t = PLACE  # "U.S.", "UK": a place's short name is the place, whatever the sentence says of it
        types[text] = t
    # Surnames and first words of longer names of the article take their type and value.
    full_people = [t for t, ty in types.items() if ty == PERSON and len(t.split()) > 1]
    full_orgs = [t for t, ty in types.items() if ty == ORG and len(t.split()) > 1]
    value: dict[str, str] = {}
    for text in list(types):
        words = text.split()
        if len(words) == 1 and text not in defined:
            owners = [p for p in full_people if p.split()[-1] == text]
            if owners and (types[text] != PLACE or text.lower() not in lex.countries):
                best = max(owners, key=lambda p: (len(by_text[p]), len(p)))
                types[text] = PERSON
                value[text] = best
                continue
            orgs = [o for o in full_orgs if o.split()[0] == text and o.split()[-1].lower() in CORP_SUFFIXES]
            if orgs and types[text] == ORG:
                value[text] = max(orgs, key=lambda o: len(by_text[o]))
                continue
    # "Goldman Sachs" beside "Goldman Sachs and Co" in one article: the shorter is the organisation too.
    for text in list(types):
        if types[text] == PERSON and text not in value:
            longer = [o for o in full_orgs if o != text and o.startswith(text + " ")]
            if longer:
                types[text] = ORG
                best = max(longer, key=lambda o: len(by_text[o]))
                if best.split()[-1].lower() in CORP_SUFFIXES:
                    value[text] = best
    # A lone given name beside an organisation that begins with its abbreviation ("Alex" of an unmended
    # "Alex. Brown said" beside "Alex. Brown and Sons Inc"): that organisation, not a person.
    for text in list(types):
        if types[text] == PERSON and text not in value and " " not in text and text.lower() in lex.first_names:
            longer = [o for o in full_orgs if o.startswith(text + ". ")]
            if longer:
                types[text] = ORG
                value[text] = max(longer, key=lambda o: (len(by_text[o]), len(o)))
    # "Senate" beside "U.S. Senate" in one article: the bare name is the country's institution.
    for text in list(types):
        if types[text] == ORG and text not in value:
            prefixed = [
                o
                for o in full_orgs
                if o != text and o.endswith(" " + text) and _is_country_word(o[: -len(text) - 1], lex)
            ]
            if prefixed:
                value[text] = max(prefixed, key=lambda o: len(by_text[o]))
    for acr in misc:
        if acr in types and acr not in defined:
            types[acr] = ""
    # Person full forms: "S. Jaishankar" and "S Jaishankar" are one; initials fit a full first name.
    people_full = sorted({t for t in full_people}, key=lambda p: (-len(p), p))
    for p in people_full:
        if p in value:
            continue
        for q in people_full:
            if q != p and q not in value and len(q) >= len(p) and initials_compatible(p, q):
                value[p] = q
                break
    for acr, phrase in defined.items():
        if acr in types:
            types[acr] = types.get(phrase, types[acr])
            value[acr] = phrase
            if phrase not in types:
                types[phrase] = types[acr]
    # Acronyms of longer names found in the article ("SCO" for "Shanghai Cooperation Organization").
    for text in list(types):
        if is_acronym(text) and text not in value:
            for o in full_orgs:
                if acronym_of(o) == text.replace(".", ""):
                    value[text] = o
                    types[text] = ORG
                    break
    # Single ordinary words ("Railways", "Consultations") need strong evidence to count as names.
    for text, tot in totals.items():
        if (
            " " not in text
            and text not in value
            and text not in defined
            and common(text, lex)
            and max(tot.values()) < 3
            and text.lower() not in lex.first_names
        ):
            types[text] = ""
    mentions = []
    shown: dict[tuple[str, str], str | None] = {}  # _display per (value, type): mentions repeat in an article
    for s in spans:
        text = s.text
        t = types[text]
        if not t:
            continue
        v = value.get(text, text)
        while v in value and value[v] != v:
            v = value[v]
        t = types.get(v, t)
        key = (v, t)
        if key in shown:
            v = shown[key]
        else:
            v = shown[key] = _display(v, t, lex)
        if v is None:
            continue
        mentions.append(Mention(s.part, s.tokens[0].start, s.tokens[-1].end, text, t, v))
    return mentions


def _default_type(text: str, lex: Lexicon) -> str:
    words = text.split()
    if len(words) == 1:
        return ORG if is_acronym(text) or any(c.isdigit() for c in text) else PERSON
    if words[0].lower() in lex.first_names and not any(c.isdigit() for c in text):
        return PERSON
    if any(common(w, lex) or w.lower() in lex.places or w.lower() in lex.place_words for w in words):
        return ORG
    if any(c.isdigit() for c in text):
        return ORG
    return PERSON


SPACES = re.compile(r"\s+")
_INITIAL_DOT = re.compile(r"\b([A-Z])\.(?=\s|$)")


def _display(value: str, type_: str, lex: Lexicon) -> str | None:
    """The in-article canonical form: initials without dots, known aliases resolved; None for junk.
    Never a comma: the index's facet fields are comma-separated keyword lists."""
    value = SPACES.sub(" ", value.replace(",", " ")).strip()
    if type_ == PLACE:
        alias = PLACE_ALIASES.get(place_key(value))
        if alias:
            return alias
    if type_ == ORG:
        known = lex.known_orgs.get(value.lower())
        if known and is_acronym(value.replace(".", "")) is False and len(known) > 0:
            return known
    if type_ == PERSON:
        value = _INITIAL_DOT.sub(r"\1", value)
        if value.lower() in JUNK_WORDS:
            return None
    if not name_key(value):
        return None
    return value
