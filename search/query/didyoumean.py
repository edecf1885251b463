"""Spelling in a search: misspelt words corrected (or offered), and did-you-mean over one commit's words."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from search.index.schema import EXACT_FIELDS
from search.query.archive import Archive, Snapshot
from search.query.match.interpret import parsed_query
from search.query.match.parse import ParsedQuery
from search.query.spelling import Checked, Speller, Vocabulary, check, stem_of
from search.query.suggest import suggest

log = logging.getLogger(__name__)


def spelled(archive: Archive, snap: Snapshot, q: str, correct: bool) -> tuple[ParsedQuery, Checked | None]:
    """The query to search (with the words that matched nothing corrected, unless correct is False),
    and its words checked; the notes are those of the query as typed."""
    parsed = parsed_query(archive, snap, q)
    checked = _check_spelling(snap, parsed.text) if q.strip() else None
    if checked is not None and checked.fixed and correct:
        return replace(parsed_query(archive, snap, checked.corrected), notes=parsed.notes), checked
    return parsed, checked


def suggestion(snap: Snapshot, text: str, words: tuple[str, ...]) -> str | None:
    """Did-you-mean for a query text, worked out once per commit (it reads many term frequencies)."""
    key = (text, tuple(words))
    hit = snap.cache.suggestions.get(key)
    if hit is None:
        try:
            found = suggest(snap.searcher.reader(), text, list(words))
        except Exception as exc:
            log.info("no suggestion for %r: %s", text, exc)
            return None
        hit = found or ""  # "": none, kept too (most queries have none)
        snap.cache.suggestions.put(key, hit)
    return hit or None


def speller(snap: Snapshot) -> Speller | None:
    """The commit's speller, made on first need (it reads the unstemmed lexicons); None for an older index."""
    if snap.cache.speller is None:
        reader = snap.searcher.reader()
        vocabulary = Vocabulary.from_reader(reader)
        terms = snap.terms

        def df(word: str) -> int:
            return terms.df(stem_of(word))

        def docs(word: str) -> np.ndarray:
            stem = stem_of(word)
            ids = [terms.postings(f, stem)[0] for f in ("title", "body")]
            return np.union1d(ids[0], ids[1])

        snap.cache.speller = Speller(vocabulary, df, docs, terms.count) if vocabulary else False
    return snap.cache.speller or None


def _check_spelling(snap: Snapshot, text: str) -> Checked | None:
    """The query's words checked against the archive's: corrections, a suggestion, words that match nothing."""
    found = speller(snap)
    if found is None:
        return None
    reader = snap.searcher.reader()

    def exact_df(word: str) -> int:
        return sum(reader.doc_frequency(f, word) for f in EXACT_FIELDS.values())

    try:
        return check(found, text, exact_df)
    except Exception as exc:  # a nicety: never fail a search over it
        log.warning("spelling check of %r failed: %s", text, exc)
        return None
