"""The OpenAPI 3.0 description of the JSON API (kept beside the views it describes; tests check both)."""

from __future__ import annotations

from typing import Any

from search import __version__
from search.documents import ENTITY_FIELDS, ENTITY_KINDS
from search.query.serialize import HIT_FIELDS
from search.query.types import DATE_PRECISIONS, FACET_FIELDS
from search.web.params import (
    EXCLUDE_PARAMS,
    FACET_ORDERS,
    MAX_FACET_PER_PAGE,
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    MAX_VALUES,
    PRECISION_PARAM,
    VERSIONS,
)

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_NULLABLE_STR = {"type": "string", "nullable": True}

HIT = {
    "type": "object",
    "required": list(HIT_FIELDS),
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "date": {**_NULLABLE_STR, "description": "YYYY, YYYY-MM or YYYY-MM-DD; null when undated"},
        "author": {"type": "string"},
        "source": {"type": "string"},
        "url": {"type": "string"},
        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around matches"},
        "score": {"type": "number"},
        **{field: _STR_LIST for field in ENTITY_FIELDS},
        "similar": {"type": "integer", "minimum": 0, "description": "other versions of this story"},
        "on_page": {
            "type": "integer",
            "minimum": 1,
            "nullable": True,
            "description": "the page of the PDF or scan that the snippet is from; null for articles without pages",
        },
        "origin": {"type": "string", "description": "'ocr' or 'alto' when the text was read by OCR, else ''"},
        "dateline": {"type": "string", "description": "where the story was filed, as the source gives it"},
    },
}

FACET_VALUES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {
            "value": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "selected": {"type": "boolean", "description": "present (true) when the request filters by it"},
            "excluded": {"type": "boolean", "description": "present (true) when the request leaves it out"},
        },
    },
}

FACET_PAGE = {
    "type": "object",
    "required": ["facet", "contains", "order", "page", "per_page", "total", "unit", "values"],
    "properties": {
        "facet": {"type": "string", "enum": list(FACET_FIELDS)},
        "contains": {"type": "string"},
        "order": {"type": "string", "enum": ["count", "name"]},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0, "description": "values matching `contains` among the results"},
        "unit": {
            "type": "string",
            "enum": ["stories", "articles"],
            "description": "what each value's count counts: stories when near-duplicates are folded (the default)",
        },
        "values": FACET_VALUES,
    },
}

SEARCH_RESULT = {
    "type": "object",
    "required": [
        "query",
        "total",
        "counts",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "correction",
        "unmatched",
        "notes",
    ],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0, "description": "results to page through, in `counts.unit`"},
        "counts": {
            "type": "object",
            "description": "What `total` and every facet and histogram count counts. Folded (the default), a"
            " near-duplicate story counts once wherever one of its articles would be counted, so a facet value or"
            " bar counted N gives N results when chosen; with versions=all every article counts.",
            "required": ["unit", "versions", "stories", "articles", "folded", "histogram_overlap"],
            "properties": {
                "unit": {"type": "string", "enum": ["stories", "articles"]},
                "versions": {"type": "string", "enum": ["folded", "all"]},
                "stories": {"type": "integer", "minimum": 0, "description": "matching stories"},
                "articles": {"type": "integer", "minimum": 0, "description": "matching articles, every version"},
                "folded": {"type": "integer", "minimum": 0, "description": "versions left out by folding"},
                "histogram_overlap": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "how far the bars and undated count add up past `total`: stories with versions"
                    " in more than one bucket count in each",
                },
            },
        },
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {
            "type": "object",
            "required": [*ENTITY_FIELDS, "sources", "authors", "dates", "undated"],
            "properties": {
                **{field: FACET_VALUES for field in ENTITY_FIELDS},
                "sources": FACET_VALUES,
                "authors": FACET_VALUES,
                "date_precision": {
                    **FACET_VALUES,
                    "description": "articles per date precision: day, month (month only), year (year only), undated",
                },
                "more": {
                    "type": "object",
                    "properties": {name: {"type": "integer", "minimum": 0} for name in FACET_FIELDS},
                    "description": "per facet, how many values beyond those listed (see /api/facets/{facet})",
                },
                "dates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["start", "end", "count"],
                        "properties": {
                            "start": {"type": "string", "format": "date"},
                            "end": {"type": "string", "format": "date", "description": "inclusive"},
                            "count": {"type": "integer", "minimum": 0},
                        },
                    },
                },
                "undated": {"type": "integer", "minimum": 0},
            },
        },
        "suggestion": {**_NULLABLE_STR, "description": "did you mean: a query that would match better (not searched)"},
        "correction": {
            "type": "object",
            "nullable": True,
            "description": "set when words matched nothing and the results are for the corrected query;"
            " add correct=0 to search the words as typed",
            "required": ["original", "corrected", "words"],
            "properties": {
                "original": {"type": "string"},
                "corrected": {"type": "string"},
                "words": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["typed", "corrected"],
                        "properties": {"typed": {"type": "string"}, "corrected": {"type": "string"}},
                    },
                },
            },
        },
        "unmatched": {**_STR_LIST, "description": "typed words that match no article (and were not corrected)"},
        "notes": {**_STR_LIST, "description": "parts of the query that could not be fully understood"},
    },
}

DOCUMENT = {
    "type": "object",
    "required": [
        "id",
        "title",
        "date",
        "author",
        "source",
        "url",
        "dateline",
        "body",
        "body_html",
        "hits",
        *ENTITY_FIELDS,
        "cluster",
        "pages",
        "origin",
        "permalink",
    ],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "date": _NULLABLE_STR,
        "author": {"type": "string"},
        "source": {"type": "string"},
        "url": {"type": "string"},
        "dateline": {"type": "string"},
        "body": {"type": "string", "description": "plain text; a form feed between the pages of a paged source"},
        "body_html": {
            "type": "string",
            "description": 'escaped text, <mark id="hit-N"> around each hit, <p class="page-break" id="page-N"> '
            "before each page of a paged source",
        },
        "hits": {"type": "integer", "minimum": 0, "description": "how many hits are highlighted"},
        **{field: _STR_LIST for field in ENTITY_FIELDS},
        "cluster": {"type": "string", "description": "near-duplicate cluster id"},
        "pages": {"type": "integer", "minimum": 0, "description": "pages of a PDF, scan or ALTO file; else 0"},
        "origin": {"type": "string", "description": "'ocr' or 'alto' when the text was read by OCR, else ''"},
        "permalink": {"type": "string", "description": "the stable address of the article page"},
    },
}

RELATED = {
    "type": "object",
    "required": ["id", "related", "similar"],
    "properties": {
        "id": {"type": "string"},
        "related": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "similar": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Hit"},
            "description": "near-duplicates: other versions of the same story",
        },
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "parameter": {"type": "string", "description": "the parameter that is wrong (400 only)"},
        "fix": {"type": "string", "description": "what to send instead (400 only)"},
        "reason": {"type": "string", "description": "why the index is unavailable (503 only)"},
    },
}


def _param(name: str, description: str, schema: dict[str, Any], *, repeat: bool = False) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema, "maxItems": MAX_VALUES}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": True} if repeat else {}),
    }


_VALUE = {"type": "string", "maxLength": MAX_VALUE_CHARS}
_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
_Q = _param(
    "q",
    'Query: words, "phrases", AND/OR/NOT, field:value, wildcards*, fuzzy~',
    {"type": "string", "maxLength": MAX_QUERY_CHARS},
)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _search_params(max_page: int, max_per_page: int) -> list[dict[str, Any]]:
    sorts = {"type": "string", "enum": ["relevance", "newest", "oldest"], "default": "relevance"}
    page = {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1}
    per_page = {"type": "integer", "minimum": 1, "maximum": max_per_page, "default": 10}
    cluster = {"type": "string", "maxLength": MAX_VALUE_CHARS}
    return [
        _Q,
        _param("from", "First day (YYYY-MM-DD; YYYY or YYYY-MM mean the first day)", _DATE),
        _param("to", "Last day, inclusive (YYYY-MM-DD; YYYY or YYYY-MM mean the last day)", _DATE),
        *(
            _param(
                kind.param,
                f"Only articles naming this {kind.noun[0]} (repeatable{': any of them' if n == 0 else ''})",
                _VALUE,
                repeat=True,
            )
            for n, kind in enumerate(ENTITY_KINDS)
        ),
        _param("source", "Only articles from this source (repeatable)", _VALUE, repeat=True),
        _param("author", "Only articles by this author (repeatable)", _VALUE, repeat=True),
        *(
            _param(name, f"Leave out articles with this {name[4:]} (repeatable)", _VALUE, repeat=True)
            for name in EXCLUDE_PARAMS
        ),
        _param(
            PRECISION_PARAM,
            "Only articles whose date is this precise (repeatable: any of them)",
            {"type": "string", "enum": list(DATE_PRECISIONS)},
            repeat=True,
        ),
        _param("sort", "Order of the hits", sorts),
        _param("page", "Page number", page),
        _param("per_page", "Hits per page", per_page),
        _param("cluster", "List every version of one near-duplicate story", cluster),
        _param(
            "versions",
            "folded (the default): one result per near-duplicate story, and every count counts stories;"
            " all: every version, and every count counts articles",
            {"type": "string", "enum": list(VERSIONS), "default": "folded"},
        ),
        _param(
            "correct",
            "1 (the default): words that match nothing are searched as corrected; 0: the words as typed",
            {"type": "string", "enum": ["0", "1"], "default": "1"},
        ),
    ]


def _facet_params(max_page: int, max_per_page: int) -> list[dict[str, Any]]:
    """A facet listing's own parameters, then the search's (whose page and per_page it does not use)."""
    search = [p for p in _search_params(max_page, max_per_page) if p["name"] not in ("page", "per_page", "sort")]
    return [
        {
            "name": "facet",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": list(FACET_FIELDS)},
        },
        _param("contains", "Only values holding this text anywhere (case and accents ignored)", _VALUE),
        _param("order", "count: most articles first; name: A to Z", {"type": "string", "enum": list(FACET_ORDERS)}),
        _param("page", "Page of values", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1}),
        _param(
            "per_page",
            "Values per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_FACET_PER_PAGE, "default": 50},
        ),
        *search,
    ]


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 300}}


def openapi_document(url_root: str, *, max_page: int = 1000, max_per_page: int = 100) -> dict[str, Any]:
    """The API description, with the server URL as this request sees it (prefix included)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "News archive search API",
            "version": __version__,
            "description": "Full-text search over a news archive, with date and entity facets.",
        },
        "servers": [{"url": url_root.rstrip("/")}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search the archive",
                    "parameters": _search_params(max_page, max_per_page),
                    "responses": {
                        "200": _ok("#/components/schemas/SearchResult", "Ranked hits, facets and notes"),
                        "400": _error("A parameter is wrong; `parameter` names it and `fix` says what to send"),
                        "503": _error("The index cannot be read"),
                    },
                }
            },
            "/api/facets/{facet}": {
                "get": {
                    "operationId": "facet",
                    "summary": "Every value of one facet within a search, a page at a time",
                    "description": "The values of people, organizations, places, sources or authors among the "
                    "articles a search finds (with its other filters; the facet's own selection aside), with their "
                    "counts. `contains` keeps the values holding a piece of text anywhere, without regard to case "
                    "or accents; `order` sorts by count or A to Z.",
                    "parameters": _facet_params(max_page, max_per_page),
                    "responses": {
                        "200": _ok("#/components/schemas/FacetPage", "One page of the facet's values"),
                        "400": _error("A parameter is wrong; `parameter` names it and `fix` says what to send"),
                        "404": _error("No such facet"),
                        "503": _error("The index cannot be read"),
                    },
                }
            },
            "/api/documents/{id}": {
                "get": {
                    "operationId": "document",
                    "summary": "One article with its metadata and entities",
                    "parameters": [_ID, {**_Q, "description": "Highlight this query's hits in body_html"}],
                    "responses": {
                        "200": _ok("#/components/schemas/Document", "The article"),
                        "400": _error("A parameter is wrong"),
                        "404": _error("No article has this id"),
                        "503": _error("The index cannot be read"),
                    },
                }
            },
            "/api/documents/{id}/related": {
                "get": {
                    "operationId": "related",
                    "summary": "Articles related to one article, and its near-duplicates",
                    "parameters": [_ID],
                    "responses": {
                        "200": _ok("#/components/schemas/Related", "Related articles"),
                        "404": _error("No article has this id"),
                        "503": _error("The index cannot be read"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Hit": HIT,
                "SearchResult": SEARCH_RESULT,
                "Document": DOCUMENT,
                "Related": RELATED,
                "FacetPage": FACET_PAGE,
                "Error": ERROR,
            }
        },
    }
