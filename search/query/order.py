"""Result order: by relevance (with RM3 pseudo-relevance feedback for long queries) or by date, one per story
when near-duplicates are folded, computed only as far as the page asked for."""

from __future__ import annotations

import numpy as np

from search.enrich import analysis
from search.index.columns import UNDATED, Columns
from search.query import ranking
from search.query.archive import Snapshot
from search.query.match import bm25
from search.query.match.matching import Matches
from search.query.match.parse import ParsedQuery
from search.query.types import SearchRequest, Sort


def ordered(
    snap: Snapshot, parsed: ParsedQuery, matches: Matches, request: SearchRequest, final: np.ndarray, collapse: bool
) -> tuple[list[int], dict[int, float], int]:
    """Docnums in result order (collapsed when asked) far enough for the page, scores, and group count."""
    cols = snap.columns
    need = request.page * request.per_page
    groups = group_count(cols, final) if collapse else int(final.sum())
    if request.sort == Sort.RELEVANCE and request.q.strip() and not parsed.null:
        return (*_by_relevance(snap, parsed, matches.scores, final, need, collapse), groups)
    docs = np.flatnonzero(final)
    days = cols.days[docs].astype(np.int64)
    key = np.where(days == UNDATED, 2**40, -days if request.sort != Sort.OLDEST else days)
    # undated last, then by date, then index order
    return first_ranked(docs, key, need, cols.groups if collapse else None).tolist(), {}, groups


def page_scores(matches: Matches, request: SearchRequest, docs: list[int]) -> dict[int, float]:
    """The scores shown beside results ordered other than by relevance (none without a query)."""
    if matches.scores is None or not request.q.strip():
        return {}
    return {d: float(matches.scores[d]) for d in docs}


def group_count(cols: Columns, final: np.ndarray) -> int:
    """How many near-duplicate groups the documents in final fall into."""
    return int(np.count_nonzero(np.bincount(cols.groups[final], minlength=cols.n_groups)))


def first_ranked(docs: np.ndarray, key: np.ndarray, need: int, groups: np.ndarray | None) -> np.ndarray:
    """The first `need` docs by (key, docnum), one per group when groups are given, without sorting them all."""
    n = docs.size
    k = min(n, need if groups is None else need * 2 + 32)
    while True:
        if k >= n:
            sel, sel_key = docs, key
        else:  # the k smallest keys, and every document tied with the largest of them
            cut = key[np.argpartition(key, k - 1)[k - 1]]
            keep = key <= cut
            sel, sel_key = docs[keep], key[keep]
        order = sel[np.lexsort((sel, sel_key))]
        if groups is None:
            return order[:need]
        # The leaders of the groups seen in this prefix are the first leaders of the whole order.
        _, first = np.unique(groups[order], return_index=True)
        leaders = order[np.sort(first)]
        if leaders.size >= need or sel.size >= n:
            return leaders[:need]
        k = min(n, k * 4)


def _by_relevance(
    snap: Snapshot, parsed: ParsedQuery, scores: np.ndarray | None, final: np.ndarray, need: int, collapse: bool
) -> tuple[list[int], dict[int, float]]:
    if scores is None:  # a query of only symbols matches every article, each scoring its boost (as in Whoosh)
        scores = np.full(snap.columns.size, parsed.query.boost, dtype=np.float32)
    return _by_array(snap, parsed, scores, final, need, collapse)


def _by_array(
    snap: Snapshot, parsed: ParsedQuery, scores: np.ndarray, final: np.ndarray, need: int, collapse: bool
) -> tuple[list[int], dict[int, float]]:
    """Order by the vectorised BM25F scores, with pseudo-relevance feedback, then collapse."""
    scores = np.where(final, scores, -np.inf).astype(np.float32)
    if parsed.long and ranking.PRF_DOCS and ranking.PRF_TERMS and ranking.PRF_WEIGHT:
        top = top_docs(scores, final, ranking.PRF_DOCS)
        if top:  # only documents that score close to the best: fewer, surer feedback documents
            floor = ranking.PRF_MIN_SHARE * float(scores[top[0]])
            top = [d for d in top if float(scores[d]) >= floor]
        extra = _feedback_terms(snap, top, [float(scores[d]) for d in top])
        if extra:
            more, _ = bm25.score(snap.terms, extra)
            scores = np.where(final, scores + ranking.PRF_WEIGHT * more, -np.inf)
    docs = np.flatnonzero(final)
    top = first_ranked(docs, -scores[docs], need, snap.columns.groups if collapse else None).tolist()
    return top, {d: float(scores[d]) for d in top}


def top_docs(scores: np.ndarray, final: np.ndarray, n: int) -> list[int]:
    """The n best-scoring documents of final, best first."""
    docs = np.flatnonzero(final)
    if not docs.size:
        return []
    k = min(n, docs.size)
    part = docs[np.argpartition(-scores[docs], k - 1)[:k]]
    return part[np.argsort(-scores[part], kind="stable")].tolist()


def _feedback_terms(snap: Snapshot, docs: list[int], doc_scores: list[float]) -> list[tuple[str, float]]:
    """RM3 feedback terms from the text of the top documents."""
    searcher = snap.searcher
    texts = []
    for docnum in docs:
        fields = searcher.stored_fields(docnum)
        texts.append((fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS])
    if not texts:
        return []
    return bm25.rm3_terms(snap.terms, texts, doc_scores, analysis.words, ranking.PRF_TERMS)
