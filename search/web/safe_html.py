"""Make HTML from the search core safe to insert: only <mark> (and paragraph breaks) survive."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from markupsafe import Markup

# The only tags the core is allowed to put into snippets and article bodies.
_ALLOWED_TAG = re.compile(
    r'(<mark(?: id="hit-\d{1,6}")?>|</mark>|<p>|<p class="page-break" id="page-\d{1,6}">|</p>|<br>|<br/>|<br />)'
)
_ANY_TAG = re.compile(r"<[^>]*>")
# A page's label in a paged article (search.query.highlight.mark_pages): a form feed again in plain text.
_PAGE_LABEL = re.compile(r'<p class="page-break" id="page-(\d{1,6})">Page \1</p>')


def escape_text(text: str) -> str:
    """markupsafe.escape(text) as a plain str: for HTML built in Python, without a Markup made per value."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def sanitize_marked(fragment: str | None) -> Markup:
    """Re-escape everything in a core HTML fragment except the exact <mark>/<p>/<br> tags it may use."""
    if not fragment:
        return Markup("")
    out: list[str] = []
    depth = 0
    for i, part in enumerate(_ALLOWED_TAG.split(fragment)):
        if i % 2 == 1:
            if part.startswith("<mark"):
                depth += 1
            elif part == "</mark>":
                if depth == 0:
                    continue
                depth -= 1
            out.append(part)
        else:
            # Unescape then escape: already-escaped text stays the same, anything raw is neutralised.
            out.append(escape_text(html.unescape(part)))
    out.extend("</mark>" for _ in range(depth))
    return Markup("".join(out))


def plain_text(fragment: str | None) -> str:
    """The text of a core HTML fragment, without any tags (for CSV, feeds' titles, <title>)."""
    if not fragment:
        return ""
    leading_label = _PAGE_LABEL.match(fragment) is not None  # page 1's label opens the text: no break before it
    text = _ANY_TAG.sub("", _PAGE_LABEL.sub("\f", fragment))
    return html.unescape(text[1:] if leading_label else text)


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


_HIT_MARK = re.compile(r'<mark id="(hit-\d{1,6})">(.*?)</mark>', re.S)
CONTEXT_WORDS = 6


def hit_contexts(body_html: str) -> list[tuple[str, str, str, str]]:
    """Each hit of a highlighted body once, with a few words around it: (id, before, hit, after), plain text.

    For the document page's list of hits, so that each entry says where it is ("...signed the accord on...").
    """
    parts = _HIT_MARK.split(body_html)  # text, id, hit, text, id, hit, ..., text
    out: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for i in range(1, len(parts) - 2, 3):
        hit_id = parts[i]
        if hit_id in seen:
            continue
        seen.add(hit_id)
        before = plain_text(parts[i - 1]).split()[-CONTEXT_WORDS:]
        after = plain_text(parts[i + 2]).split()[:CONTEXT_WORDS]
        out.append((hit_id, " ".join(before), " ".join(plain_text(parts[i + 1]).split()), " ".join(after)))
    return out
