"""Document ids from URLs, and the JSON shapes of hits and documents shared by the API and exports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import abort, request, url_for

from search import query
from search.documents import ENTITY_FIELDS
from search.query.types import DocumentView, Hit, SearchRequest, SearchResult
from search.web.params import MAX_QUERY_CHARS, BadParameter
from search.web.safe_html import plain_text, sanitize_marked

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
    """The core's JSON shape of a result, with every snippet re-sanitized to text plus <mark>."""
    body = query.to_json(result)
    for hit in body["hits"]:
        hit["snippet"] = str(sanitize_marked(hit.get("snippet")))
    return body


def hits_json(hits: list[Hit] | tuple[Hit, ...]) -> list[dict[str, Any]]:
    """Hits in exactly the shape /api/search gives them (the core's to_json decides it)."""
    result = SearchResult(request=SearchRequest(), total=len(hits), hits=tuple(hits))
    return list(result_json(result)["hits"])


def hit_json(hit: Hit) -> dict[str, Any]:
    return hits_json([hit])[0]


def document_json(view: DocumentView) -> dict[str, Any]:
    """The article, its metadata and entities; body_html keeps only the <mark> highlights."""
    data = asdict(view)
    body_html = str(sanitize_marked(view.body_html))
    data["body_html"] = body_html
    data["body"] = plain_text(body_html)
    for key in ENTITY_FIELDS:
        data[key] = list(data[key])
    data["permalink"] = url_for("pages.document_page", doc_id=view.id, _external=True)
    return data
