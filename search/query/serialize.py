"""The JSON shape of a search result, shared by `python -m search query --json` and the web API."""

from __future__ import annotations

from collections.abc import Callable

from search.documents import ENTITY_FIELDS
from search.query.types import FacetPage, FacetValue, MarkedText, SearchResult

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


def to_json(result: SearchResult, snippet: Callable[[MarkedText], object] = lambda marked: marked.text) -> dict:
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
        "hits": [
            {
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
            for h in result.hits
        ],
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
