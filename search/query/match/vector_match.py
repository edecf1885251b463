"""Terms, phrases, AND, OR and NOT matched over numpy postings and scored exactly as Whoosh scores them.

Whoosh's matchers walk the documents one at a time in Python: a union of fuzzy expansions or a phrase
(whose span matcher reads the positions of every document holding all of its words) costs tens of
milliseconds. Here each term's postings come from the commit's TermTable (the index's postings port),
AND/OR/NOT are numpy masks, and a phrase reads positions only for the documents that hold every one of its
words. A term's score is Whoosh's BM25F scorer's formula with the scorer's own IDF, average length and
parameters over the same field lengths, and compound scores are sums as in Whoosh's matchers, so the matched
set and the ranking are what searcher.search() gives. Any other node (prefix, range, sloppy phrase, a model
other than BM25F) makes evaluate() return None, and the caller runs Whoosh.
"""

from __future__ import annotations

import logging

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25FScorer
from whoosh.searching import Searcher

from search.query.match.bm25 import TermTable

log = logging.getLogger(__name__)


class _Unsupported(Exception):
    """A node this module does not evaluate: the whole query goes to Whoosh."""


def evaluate(
    searcher: Searcher, table: TermTable, query: wq.Query, cache: dict | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(matched mask, float64 scores) over global docnums, deleted documents included; None when unsupported.

    cache, when given, keeps each phrase's matching documents and each term's BM25F figures (it must belong
    to this commit).
    """
    try:
        return _Evaluator(searcher, table, cache).run(query)
    except _Unsupported:
        return None
    except Exception as exc:  # anything unforeseen (an odd codec or term): Whoosh's own matchers answer instead
        log.info("numpy matching of %r failed, Whoosh matches it: %s", query, exc)
        return None


class _Evaluator:
    def __init__(self, searcher: Searcher, table: TermTable, cache: dict | None) -> None:
        self.cache = cache
        self.searcher = searcher
        self.reader = searcher.reader()
        self.table = table
        self.size = table.size

    def empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64)

    def run(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        if q is wq.NullQuery or type(q).__name__ == "_NullQuery":
            return self.empty()
        kind = type(q)
        if kind is wq.Term:
            return self.term(q)
        if kind is wq.Phrase:
            return self.phrase(q)
        if kind is wq.Or:
            return self.union(q)
        if kind is wq.And:
            return self.intersection(q)
        raise _Unsupported(kind.__name__)

    # ---- leaves ------------------------------------------------------------------------------

    def _bm25f(self, field: str, btext: bytes) -> tuple[float, float, float, float]:
        """(idf, K1, B, average length) from Whoosh's own scorer for the term, kept in the commit's cache."""
        key = ("bm25f", field, btext)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is None:
            scorer = self.searcher.weighting.scorer(self.searcher, field, btext)
            if type(scorer) is not BM25FScorer:
                raise _Unsupported(f"{type(scorer).__name__} scoring")
            hit = (scorer.idf, scorer.K1, scorer.B, scorer.avgfl)
            if self.cache is not None:
                self.cache[key] = hit
        return hit

    def _term_scores(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Global docnums holding the term and their BM25F scores (boost 1); None when the term is absent."""
        if field not in self.searcher.schema:
            return None
        fobj = self.searcher.schema[field]
        try:
            btext = fobj.to_bytes(text)
        except ValueError:
            return None
        if (field, btext) not in self.reader:
            return None
        ids, weights = self.table.postings(field, text if isinstance(text, str) else btext.decode("utf-8"))
        if not len(ids):
            return None
        idf, k1, b, avgfl = self._bm25f(field, btext)
        tf = weights.astype(np.float64)
        fl = self.table.lengths(field)[ids].astype(np.float64)
        # whoosh.scoring.bm25, operation for operation
        return ids, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def term(self, q: wq.Term) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self.empty()
        found = self._term_scores(q.fieldname, q.text)
        if found is None:
            return mask, scores
        ids, s = found
        mask[ids] = True
        scores[ids] = s * q.boost if q.boost != 1.0 else s
        return mask, scores

    def phrase(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Words at consecutive positions (slop 1), as Whoosh's SpanNear2 with mindist 1 finds them."""
        if q.slop != 1 or len(q.words) < 2:
            raise _Unsupported("sloppy or one-word phrase")
        field = q.fieldname
        if field not in self.searcher.schema:
            return self.empty()
        fobj = self.searcher.schema[field]
        if not fobj.format or not fobj.format.supports("positions"):
            raise _Unsupported("no positions")  # Whoosh reports the error its own way
        if not all(isinstance(w, str) for w in q.words):
            raise _Unsupported("phrase with a gap")
        found = []
        for word in q.words:
            got = self._term_scores(field, word)
            if got is None:
                return self.empty()
            found.append(got)
        key = ("phrase", field, tuple(q.words))
        matched = self.cache.get(key) if self.cache is not None else None
        if matched is None:
            candidates = found[0][0]
            for ids, _ in found[1:]:
                candidates = np.intersect1d(candidates, ids, assume_unique=True)
            matched = self._with_phrase(field, q.words, candidates)
            if self.cache is not None:
                self.cache[key] = matched
        mask, scores = self.empty()
        if not matched.size:
            return mask, scores
        mask[matched] = True
        parts = []
        for ids, s in found:
            dense = np.zeros(self.size, dtype=np.float64)
            dense[ids] = s
            parts.append(dense[matched])
        total = _tree_sum(parts)
        scores[matched] = total * q.boost if q.boost != 1.0 else total
        return mask, scores

    def _with_phrase(self, field: str, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates (global docnums, sorted) in which the words stand at consecutive positions."""
        if not candidates.size:
            return candidates
        per_word = [self.table.positions(field, word, candidates) for word in words]
        keep = []
        for d in candidates.tolist():
            starts = per_word[0].get(d)
            if not starts:
                continue
            ok = set(starts)
            for i, positions in enumerate(per_word[1:], 1):
                have = positions.get(d)
                if not have:
                    ok = set()
                    break
                there = set(have)
                ok = {p for p in ok if p + i in there}
                if not ok:
                    break
            if ok:
                keep.append(d)
        return np.asarray(keep, dtype=np.int64)

    # ---- compounds ---------------------------------------------------------------------------

    def union(self, q: wq.Or) -> tuple[np.ndarray, np.ndarray]:
        if getattr(q, "minmatch", 0) or getattr(q, "scale", None):
            raise _Unsupported("Or with minmatch or scale")
        mask, scores = self.empty()
        for sub in q.subqueries:
            if isinstance(sub, wq.Not):
                raise _Unsupported("Not under Or")
            m, s = self.run(sub)
            mask |= m
            scores += s  # zero where the clause does not match
        if q.boost != 1.0:
            scores *= q.boost
        return mask, scores

    def intersection(self, q: wq.And) -> tuple[np.ndarray, np.ndarray]:
        positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        if len(positives) != len(q.subqueries) or not positives:
            raise _Unsupported("Not under And")  # Whoosh scores AND NOT its own way
        parts = [self.run(sub) for sub in positives]
        mask = parts[0][0].copy()
        for m, _ in parts[1:]:
            mask &= m
        scores = _tree_sum([s for _, s in parts])
        scores = np.where(mask, scores, 0.0)
        if q.boost != 1.0:
            scores *= q.boost
        return mask, scores


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """Sum in the order of Whoosh's binary matcher trees (first half + second half)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])
