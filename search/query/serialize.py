"""The JSON shape of a search result, shared by `python -m search query --json` and the web API."""

from __future__ import annotations

from search.query.types import SearchResult

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
    "people",
    "organizations",
    "places",
    "similar",
    "on_page",
    "origin",
)


def to_json(result: SearchResult) -> dict:
    """A plain dict of the result, in the issue's documented shape."""
    req = result.request
    f = result.facets
    return {
        "query": req.q,
        "total": result.total,
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
                "snippet": h.snippet,
                "score": h.score,
                "people": list(h.people),
                "organizations": list(h.organizations),
                "places": list(h.places),
                "similar": h.similar,
                "on_page": h.on_page,
                "origin": h.origin,
            }
            for h in result.hits
        ],
        "facets": {
            "people": [{"value": v.value, "count": v.count} for v in f.people],
            "organizations": [{"value": v.value, "count": v.count} for v in f.organizations],
            "places": [{"value": v.value, "count": v.count} for v in f.places],
            "dates": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "count": b.count} for b in f.dates],
            "undated": f.undated,
        },
        "suggestion": result.suggestion,
        "notes": list(result.notes),
    }
