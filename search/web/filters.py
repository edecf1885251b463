"""Jinja filters and globals: safe snippets, dates, numbers, the site title."""

from __future__ import annotations

from flask import Flask

from search.query.types import SearchResult
from search.web.context import settings
from search.web.safe_html import marked_html, safe_url


def date_label(value: object) -> str:
    """A date as shown to people; 'undated' when there is none."""
    return str(value) if value else "undated"


def thousands(value: object) -> str:
    """1234567 -> '1,234,567'."""
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


def filesize(value: object) -> str:
    """Bytes in a human unit."""
    try:
        size = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""


def count_unit(result: SearchResult) -> tuple[str, str]:
    """What a page's counts count, singular and plural: stories while near-duplicates are folded, else articles.

    Where folding leaves out nothing, stories and articles are one and the same, and the page says "articles".
    """
    if result.folded:
        return "story", "stories"
    return "article", "articles"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        marked=marked_html,
        marked_source=lambda marked: str(marked_html(marked)),  # plain str: autoescaped in XML
        safe_url=safe_url,
        date_label=date_label,
        thousands=thousands,
        filesize=filesize,
    )
    app.jinja_env.globals["count_unit"] = count_unit
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def globals_() -> dict[str, object]:
        conf = settings()
        return {"site_title": conf.site_title, "default_per_page": conf.per_page}
