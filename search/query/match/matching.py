"""Matching: a parsed query -> the documents it matches and their scores, over numpy postings where possible.

The one place outside search/index/ where a Whoosh query is run: plain words are scored by the vectorised
BM25F (search.query.match.bm25), terms, phrases and AND/OR by numpy postings (search.query.match.vector_match), and
anything else by one scored Whoosh pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from search.query.archive import Snapshot
from search.query.match import bm25, vector_match
from search.query.match.parse import ParsedQuery

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Matches:
    """The live documents a query matches (a boolean mask by docnum) and their scores (None: unscored)."""

    mask: np.ndarray
    scores: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.mask.flags.writeable = False  # shared by every step of a request: nobody writes into it


def match(snap: Snapshot, parsed: ParsedQuery) -> Matches:
    """What a parsed query matches on this commit; the parsed query is left as it is."""
    cols = snap.columns
    if parsed.null:
        return Matches(np.zeros(cols.size, dtype=bool))
    if isinstance(parsed.query, wq.Every) and not parsed.text:
        return Matches(cols.live.copy())
    if parsed.bag_of_words:
        weights = parsed.should_weights or [1.0] * len(parsed.should_terms)
        scores, counts = bm25.score(snap.terms, list(zip(parsed.should_terms, weights, strict=True)))
        mask = (counts >= max(1, parsed.min_should)) & cols.live
        if parsed.nots:
            mask &= ~mask_of(snap, wq.Or(list(parsed.nots)))
        return Matches(mask, scores)
    fast = vector_match.evaluate(snap.searcher, snap.terms, parsed.query, snap.cache.matching)
    if fast is not None:  # terms, phrases, AND/OR over numpy postings, scored as Whoosh scores them
        mask = fast[0] & cols.live
        scores = np.where(mask, fast[1], 0.0).astype(np.float32)
        return Matches(_min_should(snap, parsed, mask), scores)
    mask = np.zeros(cols.size, dtype=bool)
    try:  # one scored pass over every match: the matched set and the ranking together
        results = snap.searcher.search(parsed.query, limit=None, terms=False)
        pairs = np.array(results.top_n, dtype=np.float64).reshape(-1, 2)
    except Exception as exc:  # e.g. an expansion too large for memory; report nothing rather than fail
        log.warning("query %r failed: %s", parsed.query, exc)
        return Matches(mask)
    docs = pairs[:, 1].astype(np.int64)
    mask[docs] = True
    scores = np.zeros(cols.size, dtype=np.float32)
    scores[docs] = pairs[:, 0]
    return Matches(_min_should(snap, parsed, mask & cols.live), scores)


def _min_should(snap: Snapshot, parsed: ParsedQuery, mask: np.ndarray) -> np.ndarray:
    """Keep the documents holding at least min_should of a long query's optional clauses."""
    if parsed.min_should > 1 and len(parsed.should) > 1:
        counts = np.zeros(snap.columns.size, dtype=np.int32)
        for clause in parsed.should:
            counts += mask_of(snap, clause)
        mask &= counts >= parsed.min_should
    return mask


def mask_of(snap: Snapshot, q: wq.Query) -> np.ndarray:
    """The documents a query matches (deleted ones included), by numpy postings where possible."""
    fast = vector_match.evaluate(snap.searcher, snap.terms, q, snap.cache.matching)
    if fast is not None:
        return fast[0]
    mask = np.zeros(snap.columns.size, dtype=bool)
    mask[np.fromiter(snap.searcher.docs_for_query(q), dtype=np.int64)] = True
    return mask
