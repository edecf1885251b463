"""Ranking settings and helpers: BM25F parameters, minimum-should-match, pseudo-relevance feedback.

Plain numbers, read by both scoring paths: the numpy BM25F (match/bm25.py) and the Whoosh model
(match/weighting.py).

How each setting was chosen, and its figures, are in BENCHMARKS.md (## Relevance).
"""

from __future__ import annotations

import math

K1 = 1.6
B = 0.75
TITLE_B = 0.75
TITLE_BOOST = 1.0  # Whoosh path: query boost on top of the schema's field_boost=2.0 for title terms
TITLE_WEIGHT = 1.0  # numpy BM25F path: title tf weight on top of the schema's field_boost=2.0

# A query with more content words than this is a pasted sentence or question: it uses a
# minimum-should-match rule instead of requiring every word.
LONG_QUERY_WORDS = 3
MSM_FRACTION = 0.1  # of the query's words, rounded down, at least MSM_MIN: any word for under 20 words
MSM_MIN = 1

# Pseudo-relevance feedback for long queries (RM3): expansion terms from the top documents, added to the
# score only, so they re-rank but never change which documents match.
PRF_DOCS = 10
PRF_MIN_SHARE = 0.0  # feedback only from documents scoring at least this share of the best score
PRF_TERMS = 10
PRF_WEIGHT = 0.45  # the feedback terms' share against the query's words (both scaled to sum to 1)
PRF_TEMPERATURE = 2.0  # feedback documents weighted by a softmax of their scores, in units of their spread
PRF_TEXT_CHARS = 20_000  # text read per feedback document


def min_should_match(words: int) -> int:
    """How many of a long query's words a document must contain."""
    if words <= LONG_QUERY_WORDS:
        return words
    return max(MSM_MIN, math.floor(words * MSM_FRACTION))
