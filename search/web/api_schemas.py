"""The JSON schemas of the API's answers, for its OpenAPI description (openapi.py): data, built from the same
field lists the answers are made from (search.query.serialize), so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from search.documents import ENTITY_FIELDS
from search.query.serialize import HIT_FIELDS
from search.query.types import FACET_FIELDS

_STR = {"type": "string"}
_STR_LIST = {"type": "array", "items": _STR}
_NULLABLE_STR = {"type": "string", "nullable": True}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An object schema; every property required unless ``required`` names fewer."""
    listed = list(properties) if required is None else required
    return {"type": "object", **extra, "required": listed, "properties": properties}


def count(description: str | None = None, minimum: int = 0) -> dict[str, Any]:
    """A whole number of at least ``minimum`` (a count, by default)."""
    return {"type": "integer", "minimum": minimum, **({"description": description} if description else {})}


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


_ORIGIN = _text("'ocr' or 'alto' when the text was read by OCR, else ''")
_UNIT = {"type": "string", "enum": ["stories", "articles"]}

HIT = _object(
    {
        "id": _STR,
        "title": _STR,
        "date": {**_NULLABLE_STR, "description": "YYYY, YYYY-MM or YYYY-MM-DD; null when undated"},
        "author": _STR,
        "source": _STR,
        "url": _STR,
        "snippet": _text("HTML: escaped text with <mark> around matches"),
        "score": {"type": "number"},
        **{field: _STR_LIST for field in ENTITY_FIELDS},
        "similar": count("other versions of this story"),
        "on_page": {
            **count(minimum=1),
            "nullable": True,
            "description": "the page of the PDF or scan that the snippet is from; null for articles without pages",
        },
        "origin": _ORIGIN,
        "dateline": _text("where the story was filed, as the source gives it"),
    },
    list(HIT_FIELDS),
)

FACET_VALUES = {
    "type": "array",
    "items": _object(
        {
            "value": _STR,
            "count": count(),
            "selected": {"type": "boolean", "description": "present (true) when the request filters by it"},
            "excluded": {"type": "boolean", "description": "present (true) when the request leaves it out"},
        },
        ["value", "count"],
    ),
}

FACET_PAGE = _object(
    {
        "facet": {"type": "string", "enum": list(FACET_FIELDS)},
        "contains": _STR,
        "order": {"type": "string", "enum": ["count", "name"]},
        "page": count(minimum=1),
        "per_page": count(minimum=1),
        "total": count("values matching `contains` among the results"),
        "unit": {
            **_UNIT,
            "description": "what each value's count counts: stories when near-duplicates are folded (the default)",
        },
        "values": FACET_VALUES,
    }
)

_COUNTS = _object(
    {
        "unit": _UNIT,
        "versions": {"type": "string", "enum": ["folded", "all"]},
        "stories": count("matching stories"),
        "articles": count("matching articles, every version"),
        "folded": count("versions left out by folding"),
        "histogram_overlap": count(
            "how far the bars and undated count add up past `total`: stories with versions in more than one bucket"
            " count in each"
        ),
    },
    description="What `total` and every facet and histogram count counts. Folded (the default), a near-duplicate"
    " story counts once wherever one of its articles would be counted, so a facet value or bar counted N gives N"
    " results when chosen; with versions=all every article counts.",
)

_FACETS = _object(
    {
        **{field: FACET_VALUES for field in FACET_FIELDS},
        "date_precision": {
            **FACET_VALUES,
            "description": "articles per date precision: day, month (month only), year (year only), undated",
        },
        "more": {
            "type": "object",
            "properties": {name: count() for name in FACET_FIELDS},
            "description": "per facet, how many values beyond those listed (see /api/facets/{facet})",
        },
        "dates": {
            "type": "array",
            "items": _object(
                {
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date", "description": "inclusive"},
                    "count": count(),
                }
            ),
        },
        "undated": count(),
    },
    [*FACET_FIELDS, "dates", "undated"],
)

_CORRECTION = _object(
    {
        "original": _STR,
        "corrected": _STR,
        "words": {"type": "array", "items": _object({"typed": _STR, "corrected": _STR})},
    },
    nullable=True,
    description="set when words matched nothing and the results are for the corrected query;"
    " add correct=0 to search the words as typed",
)

SEARCH_RESULT = _object(
    {
        "query": _STR,
        "total": count("results to page through, in `counts.unit`"),
        "counts": _COUNTS,
        "page": count(minimum=1),
        "per_page": count(minimum=1),
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": _FACETS,
        "suggestion": {**_NULLABLE_STR, "description": "did you mean: a query that would match better (not searched)"},
        "correction": _CORRECTION,
        "unmatched": {**_STR_LIST, "description": "typed words that match no article (and were not corrected)"},
        "notes": {**_STR_LIST, "description": "parts of the query that could not be fully understood"},
    }
)

DOCUMENT = _object(
    {
        "id": _STR,
        "title": _STR,
        "date": _NULLABLE_STR,
        "author": _STR,
        "source": _STR,
        "url": _STR,
        "dateline": _STR,
        "body": _text("plain text; a form feed between the pages of a paged source"),
        "body_html": _text(
            'escaped text, <mark id="hit-N"> around each hit, <p class="page-break" id="page-N"> before each page of'
            " a paged source"
        ),
        "hits": count("how many hits are highlighted"),
        **{field: _STR_LIST for field in ENTITY_FIELDS},
        "cluster": _text("near-duplicate cluster id"),
        "pages": count("pages of a PDF, scan or ALTO file; else 0"),
        "origin": _ORIGIN,
        "permalink": _text("the stable address of the article page"),
    }
)

RELATED = _object(
    {
        "id": _STR,
        "related": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "similar": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Hit"},
            "description": "near-duplicates: other versions of the same story",
        },
    }
)

_REFUSED = {"type": "array", "items": _object({"origin": _STR, "count": count()})}
ABOUT = _object(
    {
        "documents": count(),
        "dated": count(),
        "undated": count(),
        "date_min": {**_NULLABLE_STR, "format": "date"},
        "date_max": {**_NULLABLE_STR, "format": "date"},
        **{field: {**FACET_VALUES, "description": "the most often named"} for field in ENTITY_FIELDS},
        "size_bytes": count("the index's size on disk"),
        "last_update": {**_NULLABLE_STR, "format": "date-time"},
        "embedding": _object(
            {
                "frame_ancestors": {**_STR_LIST, "description": "who may frame /embed (setting FRAME_ANCESTORS)"},
                "allowed_origins": {**_STR_LIST, "description": "pages that may call the API (ALLOWED_ORIGINS)"},
                "refused": _object(
                    {"framing": _REFUSED, "cors": _REFUSED},
                    description="origins refused lately by this server process, and how often",
                ),
            }
        ),
    }
)

ERROR = _object(
    {
        "error": _STR,
        "message": _STR,
        "parameter": _text("the parameter that is wrong (400 only)"),
        "fix": _text("what to send instead (400 only)"),
        "reason": _text("why the index is unavailable (503 only)"),
    },
    ["error", "message"],
)

# By name, as the description's components list them.
SCHEMAS = {
    "Hit": HIT,
    "SearchResult": SEARCH_RESULT,
    "Document": DOCUMENT,
    "Related": RELATED,
    "FacetPage": FACET_PAGE,
    "About": ABOUT,
    "Error": ERROR,
}
