"""Server-rendered pages: search, document, about; plus feed, exports, OpenSearch and health."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for

from search import query
from search.documents import ENTITY_KINDS
from search.query.errors import IndexUnavailable
from search.query.types import SearchRequest, Sort
from search.web import context, errors, exports
from search.web.citation import Citation
from search.web.documents import document_id, document_json, highlight_query
from search.web.params import (
    BadParameter,
    encode_params,
    is_filtered,
    listing_params,
    parse_facet_listing,
    parse_search,
)
from search.web.present import FACET_LABELS, Link, Presenter, facet_group, search_url
from search.web.refusals import refusals
from search.web.safe_html import hit_contexts, marked_html, safe_url

bp = Blueprint("pages", __name__)


def render_search(endpoint: str, template: str) -> tuple[str, int]:
    """Shared by the search page and the embed page: parse, search, shape, render."""
    conf = context.settings()
    try:
        req = parse_search(request.args, conf)
    except BadParameter as exc:
        form = {k: request.args.get(k, "") for k in ("q", "from", "to", "sort")}
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != exc.parameter and k != "page"]
        retry = url_for(endpoint) + ("?" + urlencode(kept) if kept else "")
        return (
            render_template(template, error=exc, retry_url=retry, form=form, req=None, result=None, endpoint=endpoint),
            400,
        )
    # The whole page is a function of the request, the URL prefix and the index state: kept with the results.
    key = ("page", endpoint, template, request.script_root, req)
    return query.remember(context.archive(), key, lambda: _search_page(endpoint, template, req)), 200


def _search_page(endpoint: str, template: str, req: SearchRequest) -> str:
    conf = context.settings()
    result = query.search(context.archive(), req)
    p = Presenter(endpoint, req, conf)
    form = {
        "q": req.q,
        "from": req.date_from.isoformat() if req.date_from else "",
        "to": req.date_to.isoformat() if req.date_to else "",
        "sort": req.sort.value,
    }
    return render_template(
        template,
        endpoint=endpoint,
        req=req,
        result=result,
        form=form,
        p=p,
        filtered=is_filtered(req),
        facets=p.facet_groups(result),
        chips=p.chips(),
        histogram=p.histogram(result),
        pager=p.pager(result.total),
        suggestion_url=p.suggestion_link(result.suggestion),
        as_typed_url=p.as_typed_link(result.correction.original) if result.correction else None,
        first=(req.page - 1) * req.per_page + 1,
        json_url=search_url("api.search", req, conf),
        feed_url=search_url("pages.feed", replace(req, page=1), conf),
        csv_url=search_url("pages.export_csv", replace(req, page=1), conf),
        export_json_url=search_url("pages.export_json", replace(req, page=1), conf),
        export_jsonl_url=search_url("pages.export_jsonl", replace(req, page=1), conf),
        export_limit=conf.export_limit,
        sorts=[s.value for s in Sort],
    )


@bp.get("/")
def search_page() -> tuple[str, int]:
    return render_search("pages.search_page", "search.html")


@bp.get("/documents/<path:doc_id>", merge_slashes=False)
def document_page(doc_id: str) -> tuple[str, int]:
    doc_id = document_id(doc_id)
    q = highlight_query()
    archive = context.archive()
    view = query.document(archive, doc_id, q=q or None)
    if view is None:
        return render_template("error.html", status=404, title="No such article", error=None, doc_id=doc_id), 404
    conf = context.settings()
    back = _search_state(conf)
    permalink = url_for("pages.document_page", doc_id=view.id, _external=True)
    cite = Citation.of(view, conf.site_title, permalink, datetime.now(UTC).date())
    return (
        render_template(
            "document.html",
            doc=view,
            body_html=marked_html(view.body, ids=True),
            hits=hit_contexts(view.body),
            q=q,
            original_url=safe_url(view.url),
            permalink=permalink,
            related=query.related(archive, view.id, limit=5),
            similar=query.similar(archive, view.id),
            json_url=url_for("api.document", doc_id=view.id, q=q or None),
            search_url=search_url("pages.search_page", back, conf),
            searched=back != SearchRequest(q=back.q, per_page=conf.per_page),
            citation=cite.text(),
            bibtex_url=url_for("pages.cite", doc_id=view.id, fmt="bib"),
            ris_url=url_for("pages.cite", doc_id=view.id, fmt="ris"),
        ),
        200,
    )


def _search_state(conf: Any) -> SearchRequest:
    """The search a document was opened from (its parameters ride along on the document's link), for the way back.

    A link edited by hand into nonsense still shows the article: the way back is then the query alone.
    """
    try:
        return parse_search(request.args, conf)
    except BadParameter:
        return SearchRequest(q=highlight_query(), per_page=conf.per_page)


_CITE_TYPES = {"bib": ("application/x-bibtex", "bib"), "ris": ("application/x-research-info-systems", "ris")}


@bp.get("/documents/<path:doc_id>/cite.<fmt>", merge_slashes=False)
def cite(doc_id: str, fmt: str) -> Response:
    """The article's citation as a BibTeX or RIS file, for reference managers."""
    if fmt not in _CITE_TYPES:
        abort(404)
    view = query.document(context.archive(), document_id(doc_id))
    if view is None:
        abort(404)
    permalink = url_for("pages.document_page", doc_id=view.id, _external=True)
    citation = Citation.of(view, context.settings().site_title, permalink, datetime.now(UTC).date())
    mimetype, ext = _CITE_TYPES[fmt]
    response = Response(citation.bibtex() if fmt == "bib" else citation.ris(), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{citation.key()}.{ext}"'
    return response


@bp.get("/facets/<field>")
def facet_page(field: str) -> tuple[str, int]:
    """Every value of one facet within the current search: find part of a name, by count or A to Z, paged."""
    if field not in FACET_LABELS:
        abort(404)
    conf = context.settings()
    req, listing = parse_facet_listing(field, request.args, conf)
    archive = context.archive()
    values = query.facet_values(archive, req, field, listing.contains, listing.order, listing.page, listing.per_page)
    result = query.search(archive, replace(req, page=1, snippets=False, facets=False))
    p = Presenter("pages.search_page", req, conf)
    group = facet_group(field, (Link(v.value, "", v.count, v.selected) for v in values.values if not v.excluded))
    pages = max(1, -(-values.total // values.per_page))

    def listing_url(page: int, endpoint: str = "pages.facet_page") -> str:
        params = listing_params(req, replace(listing, page=page), conf.per_page)
        return url_for(endpoint, field=field) + "?" + encode_params(params)

    on_page = {v.label for v in group.values}
    return (
        render_template(
            "facets.html",
            req=req,
            p=p,
            group=group,
            values=values,
            result=result,
            filtered=is_filtered(req),
            pages=pages,
            prev_url=listing_url(listing.page - 1) if listing.page > 1 else None,
            next_url=listing_url(listing.page + 1) if listing.page < pages else None,
            # Values of this facet already chosen but listed on another page stay chosen when applying.
            kept=[v for v in getattr(req, field) if v not in on_page],
            search_url=p.url(replace(req, page=1)),
            json_url=listing_url(listing.page, "api.facet"),
        ),
        200,
    )


@bp.get("/about")
def about_page() -> str:

    conf = context.settings()
    return render_template(
        "about.html",
        stats=query.stats(context.archive()),
        kinds=ENTITY_KINDS,
        frame_ancestors=conf.frame_ancestors,
        allowed_origins=conf.allowed_origins,
        refused_framing=refusals.items("framing"),
        refused_cors=refusals.items("cors"),
    )


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the index opens and answers; 503 with the reason otherwise (never a stack trace)."""
    holder = context.current_holder()
    try:
        stats = query.stats(holder.get())
    except (IndexUnavailable, OSError) as exc:
        holder.forget()
        body = {"status": "unavailable", "reason": errors.index_trouble(exc), "fix": errors.UNAVAILABLE_FIX}
        return Response(json.dumps(body), status=503, mimetype="application/json"), 503
    body = {"status": "ok", "documents": getattr(stats, "documents", None)}
    last = getattr(stats, "last_update", None)
    body["last_update"] = last.isoformat() if hasattr(last, "isoformat") else last
    return Response(json.dumps(body), status=200, mimetype="application/json"), 200


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    template = url_for("pages.search_page", _external=True) + "?q={searchTerms}"
    feed = url_for("pages.feed", _external=True) + "?q={searchTerms}"
    suggest = url_for("api.search", _external=True) + "?q={searchTerms}"
    xml = render_template("opensearch.xml", template=template, feed=feed, api=suggest)
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/feed.atom")
def feed() -> Response:
    """An Atom feed of the newest articles matching a query, for portals and feed readers."""
    conf = context.settings()
    req = parse_search(request.args, conf)
    archive = context.archive()
    result = query.search(archive, replace(req, sort=Sort.NEWEST, page=1, per_page=conf.feed_size, facets=False))
    # Undated articles carry the time the archive was last updated (when they were indexed, at the latest).
    last = getattr(query.stats(archive), "last_update", None) or datetime.now(UTC)
    now = last.astimezone(UTC).replace(microsecond=0)
    dated = [h.date for h in result.hits if h.date]
    xml = render_template(
        "feed.atom.xml",
        req=req,
        result=result,
        updated=atom_time(max(dated)) if dated else now.isoformat().replace("+00:00", "Z"),
        self_url=search_url("pages.feed", req, conf, _external=True),
        page_url=search_url("pages.search_page", req, conf, _external=True),
        atom_time=atom_time,
        fallback_time=now.isoformat().replace("+00:00", "Z"),
    )
    return Response(xml, mimetype="application/atom+xml")


def atom_time(partial: str) -> str:
    """'1987', '1987-03' or '1987-03-02' as an RFC 3339 time (the first day it can mean)."""
    parts = [*partial.split("-"), "01", "01"][:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


EXPORT_FORMATS = ("csv", "jsonl", "json")


def _export(fmt: str) -> Response:
    """The whole result set as a streamed download: matched once, written row by row, capped only when configured."""
    conf = context.settings()
    req = parse_search(request.args, conf)
    text = _flag("text")
    notes = _flag("notes", default=True)
    found = query.export(context.archive(), req, conf.export_limit, text=text)
    page = search_url("pages.search_page", replace(req, page=1), conf, _external=True)
    return exports.stream(fmt, found, req, conf, page, text, notes)


def _flag(name: str, default: bool = False) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "yes", "true", "on"):
        return True
    if raw in ("0", "no", "false", "off"):
        return False
    raise BadParameter(name, f"{raw[:20]!r} is neither yes nor no", f"send {name}=1 or {name}=0")


@bp.get("/export.csv")
def export_csv() -> Response:
    return _export("csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    return _export("jsonl")


@bp.get("/export.json")
def export_json() -> Response:
    return _export("json")


__all__ = ["bp", "document_json"]
