"""The JSON shapes of results, hits, facets, documents and archive stats: the web API, exports and the command line
all write these (the web adds only what is about the web, such as permalinks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

from search.documents import ENTITY_FIELDS
from search.query.types import ArchiveStats, DocumentView, FacetPage, FacetValue, Hit, MarkedText, SearchResult

# The keys of one hit in the JSON API, in order (the OpenAPI description lists the same).
HIT_FIELDS = (
    "id",
    "title",
    "date",
    "author",
    "source",
    "url",
    "snippet",
    "score",
    *ENTITY_FIELDS,
    "similar",
    "on_page",
    "origin",
    "dateline",
)


def _text(marked: MarkedText) -> str:
    return marked.text


def to_json(result: SearchResult, snippet: Callable[[MarkedText], object] = _text) -> dict:
    """A plain dict of the result, in the issue's documented shape; each hit's snippet as ``snippet`` makes it
    (its text by default; the web API's and the command line's JSON give HTML)."""
    req = result.request
    f = result.facets
    return {
        "query": req.q,
        "total": result.total,
        "counts": counts_json(result),
        "page": req.page,
        "per_page": req.per_page,
        "hits": [hit_json(h, snippet) for h in result.hits],
        "facets": {
            **{field: facet_values_json(getattr(f, field)) for field in ENTITY_FIELDS},
            "sources": facet_values_json(f.sources),
            "authors": facet_values_json(f.authors),
            "dates": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "count": b.count} for b in f.dates],
            "undated": f.undated,
            "date_precision": facet_values_json(f.precision),
            "more": {name: f.more(name) for name, _ in f.distinct},
        },
        "suggestion": result.suggestion,
        "correction": (
            {
                "original": result.correction.original,
                "corrected": result.correction.corrected,
                "words": [{"typed": t, "corrected": c} for t, c in result.correction.words],
            }
            if result.correction
            else None
        ),
        "unmatched": list(result.unmatched),
        "notes": list(result.notes),
    }


def hit_json(h: Hit, snippet: Callable[[MarkedText], object] = _text) -> dict:
    """One hit in the JSON API's shape (HIT_FIELDS); its snippet as ``snippet`` makes it."""
    return {
        "id": h.id,
        "title": h.title,
        "date": h.date,
        "author": h.author,
        "source": h.source,
        "url": h.url,
        "snippet": snippet(h.snippet),
        "score": h.score,
        **{field: list(getattr(h, field)) for field in ENTITY_FIELDS},
        "similar": h.similar,
        "on_page": h.on_page,
        "origin": h.origin,
        "dateline": h.dateline,
    }


def document_json(view: DocumentView, body_html: Callable[[MarkedText], object]) -> dict:
    """An article with its metadata and entities: its fields in order, the body's HTML (as ``body_html`` makes it)
    where the body stands, and the plain text last as ``body``."""
    data: dict = {}
    for f in fields(view):
        value = getattr(view, f.name)
        if f.name == "body":
            data["body_html"] = body_html(value)
        else:
            data[f.name] = list(value) if isinstance(value, tuple) else value
    data["body"] = view.body.text
    return data


def counts_json(result: SearchResult) -> dict:
    """What `total` and every facet and histogram count counts, and the other count beside it."""
    folding = result.request.collapse and result.request.cluster is None
    return {
        "unit": "stories" if folding else "articles",
        "versions": "folded" if folding else "all",
        "stories": result.stories,
        "articles": result.total_articles,
        "folded": result.folded,
        "histogram_overlap": result.facets.overlap,
    }


def facet_values_json(values: tuple[FacetValue, ...]) -> list[dict]:
    """A facet's values: value and count, and selected / excluded only where true (the common case stays short)."""
    out = []
    for v in values:
        item: dict = {"value": v.value, "count": v.count}
        if v.selected:
            item["selected"] = True
        if v.excluded:
            item["excluded"] = True
        out.append(item)
    return out


def facet_page_json(page: FacetPage) -> dict:
    """One page of a facet's values, as /api/facets/<field> gives it."""
    return {
        "facet": page.field,
        "contains": page.contains,
        "order": page.order,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "unit": page.counted,
        "values": facet_values_json(page.values),
    }


def stats_json(stats: ArchiveStats, top: int | None = None) -> dict:
    """What an archive holds, as `python -m search stats --json` and /api/about give it (top: entities per kind)."""
    return {
        "documents": stats.documents,
        "dated": stats.dated,
        "undated": stats.undated,
        "date_min": stats.date_min.isoformat() if stats.date_min else None,
        "date_max": stats.date_max.isoformat() if stats.date_max else None,
        **{field: facet_values_json(getattr(stats, field)[:top]) for field in ENTITY_FIELDS},
        "size_bytes": stats.size_bytes,
        "last_update": stats.last_update.isoformat() if stats.last_update else None,
    }
