"""Document ids from URLs, and the JSON shapes of hits and documents shared by the API and exports."""

from __future__ import annotations

from typing import Any

from flask import abort, request, url_for

from search.query import serialize
from search.query.types import DocumentView, Hit, MarkedText, SearchResult
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


def _snippet_html(marked: MarkedText) -> str:
    return str(marked_html(marked))


def result_json(result: SearchResult) -> dict[str, Any]:
    """The core's JSON shape of a result, each snippet as HTML: escaped text with <mark> around matches."""
    return serialize.to_json(result, snippet=_snippet_html)


def hits_json(hits: list[Hit] | tuple[Hit, ...]) -> list[dict[str, Any]]:
    """Hits in exactly the shape /api/search gives them."""
    return [serialize.hit_json(hit, _snippet_html) for hit in hits]


def hit_json(hit: Hit) -> dict[str, Any]:
    return serialize.hit_json(hit, _snippet_html)


def document_json(view: DocumentView) -> dict[str, Any]:
    """The article, its metadata and entities; body_html is its text as HTML with the hits marked."""
    data = serialize.document_json(view, lambda body: str(marked_html(body, ids=True)))
    data["permalink"] = url_for("pages.document_page", doc_id=view.id, _external=True)
    return data
