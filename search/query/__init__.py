"""The search core: parse, filter, facet, rank, highlight, suggest, related. No Flask, no Whoosh outside."""

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
