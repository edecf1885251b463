"""Document ids from URLs, and the JSON shapes of hits and documents shared by the API and exports."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask import abort, request, url_for

from search import query
from search.query.types import DocumentView, Hit, SearchRequest, SearchResult
from search.web.params import MAX_QUERY_CHARS, BadParameter
from search.web.safe_html import marked_html

MAX_ID_CHARS = 300


def document_id(raw: str) -> str:
    """An id from a URL; anything that cannot be an id is simply not found (404), never an error."""
    if not raw or len(raw) > MAX_ID_CHARS or not raw.isprintable():
        abort(404)
    return raw


def highlight_query() -> str:
    """The optional ?q= that asks for hits to be highlighted."""
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(q)} characters long", f"send at most {MAX_QUERY_CHARS}")
    return q


def result_json(result: SearchResult) -> dict[str, Any]:
    """The core's JSON shape of a result, each snippet as HTML: escaped text with <mark> around matches."""
    return query.to_json(result, snippet=lambda marked: str(marked_html(marked)))


def hits_json(hits: list[Hit] | tuple[Hit, ...]) -> list[dict[str, Any]]:
    """Hits in exactly the shape /api/search gives them (the core's to_json decides it)."""
    result = SearchResult(request=SearchRequest(), total=len(hits), hits=tuple(hits))
    return list(result_json(result)["hits"])


def hit_json(hit: Hit) -> dict[str, Any]:
    return hits_json([hit])[0]


def document_json(view: DocumentView) -> dict[str, Any]:
    """The article, its metadata and entities; body_html is its text as HTML with the hits marked."""
    data: dict[str, Any] = {}
    for f in fields(view):  # in the view's order, the body's HTML where the body stands
        value = getattr(view, f.name)
        if f.name == "body":
            data["body_html"] = str(marked_html(value, ids=True))
        else:
            data[f.name] = list(value) if isinstance(value, tuple) else value
    data["body"] = view.body.text
    data["permalink"] = url_for("pages.document_page", doc_id=view.id, _external=True)
    return data
