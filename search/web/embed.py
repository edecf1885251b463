"""The /embed page: a compact search made to sit in an iframe on other intranet pages."""

from __future__ import annotations

from flask import Blueprint

from search.web.pages import render_search

bp = Blueprint("embed", __name__)


@bp.get("/embed")
def embed_page() -> tuple[str, int]:
    return render_search("embed.embed_page", "embed.html")
