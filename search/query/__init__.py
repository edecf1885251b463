"""The search core: parse, filter, facet, rank, highlight, suggest, related. No Flask, no Whoosh outside.

Read engine.search() first: it takes the open Archive's snapshot of one commit (archive.py, with its bounded
CommitCache) and composes the steps, each in its own module:
  selection  a request -> its query read (match/interpret, match/parse, clean, match/tidy), spelled
             (didyoumean), matched (match/matching: Matches(mask, scores)) and filtered (filters), widened
             when nothing holds every word
  facets     entity, source and author counts, the date histogram and precision
  order      relevance (numpy BM25F, RM3 feedback for long queries) or date, one per story, as far as the page
  hits       hits with snippets (highlight), document views, export rows, related and similar articles
"""

from __future__ import annotations

from search.query.archive import Archive, open_index
from search.query.engine import document, export, facet_values, related, remember, search, similar, stats
from search.query.errors import IndexUnavailable
from search.query.serialize import to_json
from search.query.types import (
    ArchiveStats,
    Correction,
    DateBucket,
    DocumentView,
    Export,
    ExportRow,
    FacetPage,
    Facets,
    FacetValue,
    Hit,
    MarkedText,
    SearchRequest,
    SearchResult,
    Sort,
)

__all__ = [
    "Archive",
    "ArchiveStats",
    "Correction",
    "DateBucket",
    "DocumentView",
    "Export",
    "ExportRow",
    "FacetPage",
    "FacetValue",
    "Facets",
    "Hit",
    "IndexUnavailable",
    "MarkedText",
    "SearchRequest",
    "SearchResult",
    "Sort",
    "document",
    "export",
    "facet_values",
    "open_index",
    "related",
    "remember",
    "search",
    "similar",
    "stats",
    "to_json",
]
