"""BM25F for bag-of-words queries, vectorised with numpy over postings cached per commit.

Long pasted queries have many words: Whoosh's union matcher scores them one document at a time
(about 0.6 s a query on Cranfield). Here each word's postings are read once per commit into arrays through
the index's port (search.index.postings), and a query is a few numpy additions. Title and body term
frequencies are combined before saturation (true BM25F), with per-field length normalisation.
"""

from __future__ import annotations

import math

import numpy as np

from search.index.postings import IndexReader, Postings
from search.query import ranking
from search.query.arrays import sorted_unique
from search.query.cache import BoundedCache

FIELDS = ("title", "body")
_CACHE_DF = 200_000  # terms whose document frequency a commit keeps (least recently used out first)


class TermTable(Postings):
    """One commit's postings (read through the index's port) and each term's document frequency over title
    and body together, which the combined BM25F's IDF needs."""

    def __init__(self, reader: IndexReader) -> None:
        super().__init__(reader)
        self._df: BoundedCache[str, int] = BoundedCache("document frequencies", _CACHE_DF)

    def df(self, term: str) -> int:
        """Documents holding the term in any field (for the IDF of the combined BM25F); cached per commit."""
        hit = self._df.get(term)
        if hit is None:
            ids = [self.postings(f, term)[0] for f in FIELDS]
            if not len(ids[0]) or not len(ids[1]):  # one field only: no overlap to remove
                hit = len(ids[0]) + len(ids[1])
            else:
                hit = int(sorted_unique(np.concatenate(ids)).size)
            self._df.put(term, hit)
        return hit


def idf(table: TermTable, term: str) -> float:
    """Robertson/Sparck Jones IDF, floored at zero (as Lucene's BM25)."""
    df = table.df(term)
    return math.log(1.0 + (table.count - df + 0.5) / (df + 0.5))


def score(
    table: TermTable, terms: list[tuple[str, float]], matches: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """BM25F scores for weighted terms, and how many of the terms each document holds.

    The weights are read as a distribution over the terms (scaled to sum to 1), as a relevance model reads a
    query: a pasted paragraph and a short question then score on one scale, so feedback terms added at a
    fixed share (ranking.PRF_WEIGHT) weigh the same against either. Scaling leaves the order unchanged.
    matches, when given, receives +1 per (document, term) for the terms flagged in it (the user's words).
    """
    total = sum(w for _, w in terms if w > 0) or 1.0
    terms = [(t, w / total) for t, w in terms]
    scores = np.zeros(table.size, dtype=np.float32)
    counts = np.zeros(table.size, dtype=np.int16)
    k1 = ranking.K1
    weights = {"title": ranking.TITLE_WEIGHT, "body": 1.0}
    bs = {"title": ranking.TITLE_B, "body": ranking.B}
    norms = {f: (1 - bs[f]) + bs[f] * table.lengths(f) / table.avg(f) for f in FIELDS}
    for term, qweight in terms:
        tf = np.zeros(table.size, dtype=np.float32)
        seen = False
        for f in FIELDS:
            ids, w = table.postings(f, term)
            if len(ids):
                seen = True
                np.add.at(tf, ids, weights[f] * w / norms[f][ids])
        if not seen:
            continue
        held = np.flatnonzero(tf)
        scores[held] += qweight * idf(table, term) * tf[held] * (k1 + 1) / (tf[held] + k1)
        counts[held] += 1
    return scores, counts


def bo1_terms(table: TermTable, texts: list[str], analyse, count: int) -> list[tuple[str, float]]:
    """Bo1 (Amati's Bose-Einstein) expansion terms of feedback texts, weights scaled so the best is 1.0."""
    tf: dict[str, int] = {}
    for text in texts:
        for term in analyse(text):
            tf[term] = tf.get(term, 0) + 1
    if not tf:
        return []
    n = table.count
    scored = []
    for term, tfx in tf.items():
        if tfx < 2 and len(texts) > 1:  # feedback: a word in one document once says little
            continue
        freq = sum(table.frequency(f, term) for f in FIELDS)
        if freq <= 0:
            continue
        pn = freq / n
        scored.append((tfx * math.log2((1 + pn) / pn) + math.log2(1 + pn), term))
    scored.sort(reverse=True)
    top = scored[:count]
    if not top or top[0][0] <= 0:
        return []
    best = top[0][0]
    return [(term, w / best) for w, term in top]


def rm3_terms(
    table: TermTable, texts: list[str], doc_scores: list[float], analyse, count: int
) -> list[tuple[str, float]]:
    """Relevance-model (RM3-style) expansion terms: each document's term distribution weighted by
    its share of the feedback, times IDF; long documents do not drown short ones.

    A document's share is a softmax of its score (in units of the feedback scores' spread, times
    ranking.PRF_TEMPERATURE), as a relevance model weights documents by their query likelihood: the best
    documents count for more than those that barely made the cut."""
    shares = feedback_shares(doc_scores, ranking.PRF_TEMPERATURE)
    weight: dict[str, float] = {}
    for text, s in zip(texts, shares, strict=True):
        terms = list(analyse(text))
        if not terms:
            continue
        share = s / len(terms)
        for term in terms:
            weight[term] = weight.get(term, 0.0) + share
    scored = []
    for term, w in weight.items():
        df = table.df(term)
        if df <= 0:
            continue
        scored.append((w * math.log(table.count / df), term))
    scored.sort(reverse=True)
    top = [(w, t) for w, t in scored[:count] if w > 0]
    if not top:
        return []
    best = top[0][0]
    return [(term, w / best) for w, term in top]


def feedback_shares(doc_scores: list[float], temperature: float) -> list[float]:
    """Each feedback document's weight (summing to 1): a softmax of its score, or plain shares if temperature is 0."""
    if not doc_scores:
        return []
    s = np.asarray(doc_scores, dtype=np.float64)
    if temperature > 0:
        spread = float(s.std()) or 1.0
        s = np.exp((s - s.max()) / (temperature * spread))
    s = np.maximum(s, 0.0)
    total = float(s.sum()) or 1.0
    return (s / total).tolist()
