"""The OpenAPI 3.0 description of the JSON API: its operations and parameters (kept beside the views it describes;
tests check both); the answers' schemas are in api_schemas.py."""

from __future__ import annotations

from typing import Any

from search import __version__
from search.documents import ENTITY_KINDS
from search.query.types import DATE_PRECISIONS, FACET_FIELDS, Sort
from search.web.api_schemas import SCHEMAS, count
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
        _param("per_page", "Values per page", {**count(minimum=1), "maximum": MAX_FACET_PER_PAGE, "default": 50}),
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
            "/api/about": _get(
                "about",
                "What the archive holds, and who may embed it (the about page's JSON twin)",
                [],
                ("About", "Counts, date span, the most often named, size, last update, embedding settings"),
                {"503": _UNAVAILABLE},
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
