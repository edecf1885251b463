"""The Whoosh scoring model each commit's searcher is opened with: BM25F with the parameters of query/ranking.

Whoosh scores through it when a query runs on Whoosh's own matchers, and vector_match reads its scorer's
figures (IDF, average length, K1, B) to score terms, phrases and AND/OR over numpy postings the same way.
"""

from __future__ import annotations

from whoosh.scoring import BM25F, WeightingModel

from search.query import ranking


def weighting() -> WeightingModel:
    """BM25F over title and body with the tuned parameters."""
    return BM25F(B=ranking.B, K1=ranking.K1, title_B=ranking.TITLE_B, title_exact_B=ranking.TITLE_B)
