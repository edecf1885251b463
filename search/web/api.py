"""The JSON API: search, facet listings, one document, related documents, about, and the OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from search import query
from search.query.serialize import facet_page_json, stats_json
from search.query.types import FACET_FIELDS
from search.web import context
from search.web.documents import document_id, document_json, highlight_query, hits_json, result_json
from search.web.openapi import openapi_document
from search.web.params import parse_facet_listing, parse_search
from search.web.refusals import refusals

bp = Blueprint("api", __name__, url_prefix="/api")

RELATED_LIMIT = 10


@bp.get("/search")
def search() -> Response:
    req = parse_search(request.args, context.settings())
    return jsonify(result_json(query.search(context.archive(), req)))


@bp.get("/facets/<field>")
def facet(field: str) -> Response:
    """Every value of one facet within a search, paged; the facet page's JSON twin."""
    if field not in FACET_FIELDS:
        abort(404)
    req, listing = parse_facet_listing(field, request.args, context.settings())
    page = query.facet_values(
        context.archive(), req, field, listing.contains, listing.order, listing.page, listing.per_page
    )
    return jsonify({"query": req.q, **facet_page_json(page)})


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


@bp.get("/about")
def about() -> Response:
    """The about page's JSON twin: what the archive holds, and which pages may embed it or call the API."""
    conf = context.settings()
    embedding = {
        "frame_ancestors": list(conf.frame_ancestors),
        "allowed_origins": list(conf.allowed_origins),
        "refused": {kind: [{"origin": o, "count": n} for o, n in refusals.items(kind)] for kind in ("framing", "cors")},
    }
    return jsonify({**stats_json(query.stats(context.archive())), "embedding": embedding})


@bp.get("/openapi.json")
def openapi() -> Response:
    conf = context.settings()
    return jsonify(openapi_document(request.url_root, max_page=conf.max_page, max_per_page=conf.max_per_page))
