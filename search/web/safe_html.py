"""HTML of the search core's text, made here and only here: escaped, matches in <mark>, page labels."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup

from search.documents import PAGE_BREAK
from search.query.types import MarkedText


def escape_text(text: str) -> str:
    """markupsafe.escape(text) as a plain str: for HTML built in Python, without a Markup made per value."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def marked_html(marked: MarkedText | None, ids: bool = False) -> Markup:
    """The text escaped, each marked span in <mark> (<mark id="hit-N"> with ids, for the document page to step
    through), and a paged text's page breaks as "Page N" paragraphs (<p class="page-break" id="page-N">) before
    each page."""
    if not marked:
        return Markup("")
    text = marked.text
    out: list[str] = []
    pos = 0
    for n, (a, b) in enumerate(marked.spans):
        out.append(escape_text(text[pos:a]))
        out.append(f'<mark id="hit-{n}">' if ids else "<mark>")
        out.append(escape_text(text[a:b]))
        out.append("</mark>")
        pos = b
    out.append(escape_text(text[pos:]))
    html = "".join(out)
    if PAGE_BREAK in html:  # never inside a mark: a match is one word
        html = "".join(
            f'<p class="page-break" id="page-{n}">Page {n}</p>{page}'
            for n, page in enumerate(html.split(PAGE_BREAK), 1)
        )
    return Markup(html)


def safe_url(url: str | None) -> str | None:
    """An article's own URL if it is a plain http(s) link, else None (no javascript: or data: links)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not url.isprintable():
        return None
    return url


CONTEXT_WORDS = 6


def hit_contexts(body: MarkedText) -> list[tuple[str, str, str, str]]:
    """Each marked hit of a document's body with a few words around it: (id, before, hit, after), plain text.

    For the document page's list of hits, so that each entry says where it is ("...signed the accord on...").
    The ids are those marked_html(body, ids=True) gives."""
    text, spans = body.text, body.spans
    out: list[tuple[str, str, str, str]] = []
    for n, (a, b) in enumerate(spans):
        before = text[spans[n - 1][1] if n else 0 : a].split()[-CONTEXT_WORDS:]
        after = text[b : spans[n + 1][0] if n + 1 < len(spans) else len(text)].split()[:CONTEXT_WORDS]
        out.append((f"hit-{n}", " ".join(before), " ".join(text[a:b].split()), " ".join(after)))
    return out
