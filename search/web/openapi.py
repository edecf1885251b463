"""The OpenAPI 3.0 description of the JSON API (kept beside the views it describes; tests check both)."""

from __future__ import annotations

from typing import Any

from search import __version__
from search.documents import ENTITY_FIELDS, ENTITY_KINDS
from search.query.serialize import HIT_FIELDS
from search.query.types import DATE_PRECISIONS, FACET_FIELDS, Sort
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

_STR = {"type": "string"}
_STR_LIST = {"type": "array", "items": _STR}
_NULLABLE_STR = {"type": "string", "nullable": True}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An object schema; every property required unless ``required`` names fewer."""
    listed = list(properties) if required is None else required
    return {"type": "object", **extra, "required": listed, "properties": properties}


def _count(description: str | None = None, minimum: int = 0) -> dict[str, Any]:
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
        "similar": _count("other versions of this story"),
        "on_page": {
            **_count(minimum=1),
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
            "count": _count(),
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
        "page": _count(minimum=1),
        "per_page": _count(minimum=1),
        "total": _count("values matching `contains` among the results"),
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
        "stories": _count("matching stories"),
        "articles": _count("matching articles, every version"),
        "folded": _count("versions left out by folding"),
        "histogram_overlap": _count(
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
            "properties": {name: _count() for name in FACET_FIELDS},
            "description": "per facet, how many values beyond those listed (see /api/facets/{facet})",
        },
        "dates": {
            "type": "array",
            "items": _object(
                {
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date", "description": "inclusive"},
                    "count": _count(),
                }
            ),
        },
        "undated": _count(),
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
        "total": _count("results to page through, in `counts.unit`"),
        "counts": _COUNTS,
        "page": _count(minimum=1),
        "per_page": _count(minimum=1),
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
        "hits": _count("how many hits are highlighted"),
        **{field: _STR_LIST for field in ENTITY_FIELDS},
        "cluster": _text("near-duplicate cluster id"),
        "pages": _count("pages of a PDF, scan or ALTO file; else 0"),
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


_SCHEMAS = "#/components/schemas/"
_BAD = "A parameter is wrong; `parameter` names it and `fix` says what to send"
_UNAVAILABLE = "The index cannot be read"
_NO_ARTICLE = "No article has this id"


def _get(
    operation: str,
    summary: str,
    parameters: list[dict[str, Any]],
    ok: tuple[str, str],
    errors: dict[str, str],
    description: str | None = None,
) -> dict[str, Any]:
    """A GET operation answering 200 with one schema (ok: its name and what it is), errors with the Error schema."""
    answers = {"200": ok, **{code: ("Error", text) for code, text in errors.items()}}
    responses = {
        code: {"description": text, "content": {"application/json": {"schema": {"$ref": f"{_SCHEMAS}{schema}"}}}}
        for code, (schema, text) in answers.items()
    }
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            **({"description": description} if description else {}),
            "parameters": parameters,
            "responses": responses,
        }
    }


def _search_params(max_page: int, max_per_page: int) -> list[dict[str, Any]]:
    sorts = {"type": "string", "enum": [s.value for s in Sort], "default": Sort.RELEVANCE.value}
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
        {"name": "facet", "in": "path", "required": True, "schema": {"type": "string", "enum": list(FACET_FIELDS)}},
        _param("contains", "Only values holding this text anywhere (case and accents ignored)", _VALUE),
        _param("order", "count: most articles first; name: A to Z", {"type": "string", "enum": list(FACET_ORDERS)}),
        _param("page", "Page of values", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1}),
        _param("per_page", "Values per page", {**_count(minimum=1), "maximum": MAX_FACET_PER_PAGE, "default": 50}),
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
            "/api/search": _get(
                "search",
                "Search the archive",
                _search_params(max_page, max_per_page),
                ("SearchResult", "Ranked hits, facets and notes"),
                {"400": _BAD, "503": _UNAVAILABLE},
            ),
            "/api/facets/{facet}": _get(
                "facet",
                "Every value of one facet within a search, a page at a time",
                _facet_params(max_page, max_per_page),
                ("FacetPage", "One page of the facet's values"),
                {"400": _BAD, "404": "No such facet", "503": _UNAVAILABLE},
                description="The values of people, organizations, places, sources or authors among the articles a"
                " search finds (with its other filters; the facet's own selection aside), with their counts. `contains`"
                " keeps the values holding a piece of text anywhere, without regard to case or accents; `order` sorts"
                " by count or A to Z.",
            ),
            "/api/documents/{id}": _get(
                "document",
                "One article with its metadata and entities",
                [_ID, {**_Q, "description": "Highlight this query's hits in body_html"}],
                ("Document", "The article"),
                {"400": "A parameter is wrong", "404": _NO_ARTICLE, "503": _UNAVAILABLE},
            ),
            "/api/documents/{id}/related": _get(
                "related",
                "Articles related to one article, and its near-duplicates",
                [_ID],
                ("Related", "Related articles"),
                {"404": _NO_ARTICLE, "503": _UNAVAILABLE},
            ),
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
