"""The JSON API: search, one document, related documents, and the OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from search import query
from search.web import context
from search.web.documents import document_id, document_json, highlight_query, hits_json, result_json
from search.web.openapi import openapi_document
from search.web.params import parse_search

bp = Blueprint("api", __name__, url_prefix="/api")

RELATED_LIMIT = 10


@bp.get("/search")
def search() -> Response:
    req = parse_search(request.args, context.settings())
    return jsonify(result_json(query.search(context.archive(), req)))


@bp.get("/documents/<path:doc_id>/related", merge_slashes=False)
def related(doc_id: str) -> Response:
    doc_id = document_id(doc_id)
    archive = context.archive()
    if query.document(archive, doc_id) is None:
        abort(404)
    return jsonify(
        {
            "id": doc_id,
            "related": hits_json(query.related(archive, doc_id, limit=RELATED_LIMIT)),
            "similar": hits_json(query.similar(archive, doc_id)),
        }
    )


@bp.get("/documents/<path:doc_id>", merge_slashes=False)
def document(doc_id: str) -> Response:
    doc_id = document_id(doc_id)
    q = highlight_query()
    view = query.document(context.archive(), doc_id, q=q or None)
    if view is None:
        abort(404)
    return jsonify(document_json(view))


@bp.get("/openapi.json")
def openapi() -> Response:
    conf = context.settings()
    return jsonify(openapi_document(request.url_root, max_page=conf.max_page, max_per_page=conf.max_per_page))
