"""The Lexicon the entity rules consult: NLTK's names, gazetteers, words and ieer with the hand-written lists of
``lexicon``, built once and kept in the on-disk table cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from search.enrich import model_cache, nltk_data
from search.enrich.entities import lexicon as hand
from search.enrich.entities.lexicon import COMPOUND_DEMONYMS, EXTRA_DEMONYMS, EXTRA_PLACES, KNOWN_ORGS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lexicon:
    """Every list the typing rules consult, loaded once per process."""

    first_names: frozenset[str]  # lowercase
    places: frozenset[str]  # lowercase full names
    place_words: frozenset[str]  # lowercase single tokens of multiword places
    countries: frozenset[str]  # lowercase
    demonyms: frozenset[str]  # lowercase
    common_words: frozenset[str]  # lowercase English words (dictionary entries that are lowercase)
    ieer_people: frozenset[str]  # lowercase tokens of IEER person names
    ieer_orgs: frozenset[str]  # lowercase full names
    ieer_places: frozenset[str]  # lowercase full names
    known_orgs: dict[str, str]  # lowercase -> canonical
    extra_places: frozenset[str]  # lowercase: the hand-written world places (cities, regions)


def _lines(fileid: str) -> list[str]:
    from nltk.corpus import gazetteers

    return [line.strip() for line in gazetteers.words(fileid) if line.strip()]


_LEXICON_VERSION = 1


@cache
def lexicon() -> Lexicon:
    """The lexicon, once per process: read from the on-disk table cache (``model_cache``) while the NLTK lists and
    this module's hand lists are unchanged, else built (about a second) and saved."""
    for package in ("names", "gazetteers", "words"):
        nltk_data.require(package)
    nltk_data.configure()
    sources = [model_cache.nltk_path(f"corpora/{c}") for c in ("names", "gazetteers", "words")]
    sources += [Path(__file__), Path(hand.__file__)]
    ieer = model_cache.nltk_path("corpora/ieer")
    if ieer is not None:  # optional evidence: its presence is part of the key, as its absence is of the build
        sources.append(ieer)
    return model_cache.load("entity-lexicon", _LEXICON_VERSION, sources, _build_lexicon)


def _build_lexicon() -> Lexicon:
    """Build the lexicon from NLTK's names, gazetteers, words and ieer corpora plus the hand lists."""
    from nltk.corpus import names, words

    first = frozenset(n.lower() for n in names.words())
    countries = {c.lower() for c in _lines("countries.txt")} | {c.lower() for c in _lines("isocountries.txt")}
    places = set(countries)
    for fid in ("usstates.txt", "uscities.txt", "caprovinces.txt", "mexstates.txt"):
        places |= {p.lower() for p in _lines(fid)}
    places |= {p.strip().lower() for p in EXTRA_PLACES if p.strip()}
    places |= {p.replace(".", "") for p in places if "." in p}  # "St. Louis" and "St Louis"
    demonyms = {d.lower() for d in _lines("nationalities.txt")} | EXTRA_DEMONYMS | COMPOUND_DEMONYMS
    demonyms |= {d + "s" for d in demonyms if not d.endswith(("s", "ese", "ch", "sh", "i"))} | {"briton", "britons"}
    common = frozenset(w for w in words.words("en") if w.islower())
    ieer_people: set[str] = set()
    ieer_orgs: set[str] = set()
    ieer_places: set[str] = set()
    try:
        nltk_data.configure()
        from nltk.corpus import ieer

        for doc in ieer.parsed_docs():
            for tree in doc.text.subtrees():
                label = tree.label()
                text = " ".join(tree.leaves())
                if label == "PERSON":
                    ieer_people.update(t.lower() for t in tree.leaves() if t[:1].isupper())
                elif label == "ORGANIZATION" and text[:1].isupper():
                    ieer_orgs.add(text.lower())
                elif label == "LOCATION" and text[:1].isupper():
                    ieer_places.add(text.lower())
    except (LookupError, OSError):  # ieer is optional evidence
        log.info("NLTK ieer corpus not found; typing without it")
    place_words = frozenset(w for p in places if " " in p for w in p.split())
    known = {k.lower(): v for k, v in KNOWN_ORGS.items()}
    known.update({v.lower(): v for v in KNOWN_ORGS.values()})
    return Lexicon(
        first_names=first,
        places=frozenset(places),
        place_words=place_words,
        countries=frozenset(countries),
        demonyms=frozenset(demonyms),
        common_words=common,
        ieer_people=frozenset(ieer_people),
        ieer_orgs=frozenset(ieer_orgs),
        ieer_places=frozenset(ieer_places),
        known_orgs=known,
        extra_places=frozenset(p.strip().lower() for p in EXTRA_PLACES if p.strip()),
    )


def common(word: str, lex: Lexicon) -> bool:
    """True if the word, lowercased, is an ordinary English word (or an inflection of one)."""
    w = word.lower()
    cw = lex.common_words
    if w in cw:
        return True
    if len(w) > 3:
        if w.endswith("s") and w[:-1] in cw:
            return True
        if w.endswith("es") and w[:-2] in cw:
            return True
        if w.endswith("ies") and w[:-3] + "y" in cw:
            return True
        if w.endswith("ed") and (w[:-2] in cw or w[:-1] in cw):
            return True
        if w.endswith("ing") and (w[:-3] in cw or w[:-3] + "e" in cw):
            return True
    return False
