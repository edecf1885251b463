"""The /embed page: a compact search made to sit in an iframe on other intranet pages.

A page that frames /embed from an origin FRAME_ANCESTORS does not list gets, instead of the browser's bare
"refused to connect", a short page of the service's own that names the setting (it holds no archive content,
so any page may frame it). Refused origins, for framing and for CORS, are remembered (per worker, a few) and
listed on the about page, so an administrator sees which host pages tried.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Blueprint, g, render_template, request

from search.web import context
from search.web.pages import render_search
from search.web.refusals import refusals

log = logging.getLogger(__name__)
bp = Blueprint("embed", __name__)


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL ('' when it has none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


_HOST_SOURCE = re.compile(r"([a-z][a-z0-9+.-]*)://([^/:]+)(?::(\d+|\*))?")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def frame_allowed(origin: str, sources: tuple[str, ...], own: str) -> bool | None:
    """Whether CSP frame-ancestors sources let a page from origin frame us; None when it cannot be told here."""
    page = _HOST_SOURCE.fullmatch(origin)
    if page is None:
        return None
    for source in sources:
        item = source.strip().lower().rstrip("/")
        if item == "*" or (item == "'self'" and origin == own):
            return True
        if item in ("'self'", "'none'"):
            continue
        if re.fullmatch(r"[a-z][a-z0-9+.-]*:", item):  # a scheme source such as https:
            if page[1] == item[:-1]:
                return True
            continue
        allowed = _HOST_SOURCE.fullmatch(item if "://" in item else f"{page[1]}://{item}")
        if allowed is None:
            return None  # a path or something unusual: let the browser decide
        host_ok = allowed[2] == page[2] or (allowed[2].startswith("*.") and page[2].endswith(allowed[2][1:]))
        port = allowed[3] or _DEFAULT_PORTS.get(allowed[1], "")
        port_ok = allowed[3] == "*" or port == (page[3] or _DEFAULT_PORTS.get(page[1], ""))
        if allowed[1] == page[1] and host_ok and port_ok:
            return True
    return False


@bp.get("/embed")
def embed_page() -> tuple[str, int]:
    conf = context.settings()
    if request.headers.get("Sec-Fetch-Dest") == "iframe":
        parent = origin_of(request.headers.get("Referer", ""))
        own = origin_of(request.host_url)
        if parent and parent != own and frame_allowed(parent, conf.frame_ancestors, own) is False:
            refusals.note("framing", parent)
            g.frame_ancestors = "*"  # this page only says why: no archive content, no form
            return render_template("embed_refused.html", parent=parent, allowed=conf.frame_ancestors), 403
    return render_search("embed.embed_page", "embed.html")
