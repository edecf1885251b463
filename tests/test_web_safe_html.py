"""The web layer's last line of defence: core HTML keeps only its highlighting, links only http(s)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from search.web.safe_html import escape_text, plain_text, safe_url, sanitize_marked


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags_of(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(fragment)
    parser.close()
    return parser.tags


PIECES = st.sampled_from(
    ["<mark>", "</mark>", '<mark id="hit-3">', "<script>", "</script>", "<img src=x onerror=alert(1)>", "&lt;",
     "&amp;", "&", "<", ">", '"', "'", "<p>", "<br>", "<mark onclick=x>", "javascript:", "</textarea>", "\x00"]
)  # fmt: skip


@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_sanitized_fragments_contain_only_highlight_tags_without_handlers(fragment):
    cleaned = str(sanitize_marked(fragment))
    for tag, attrs in tags_of(cleaned):
        assert tag in ("mark", "p", "br"), tag
        assert all(name == "id" and (value or "").startswith("hit-") for name, value in attrs), attrs
    assert cleaned.count("<mark") == cleaned.count("</mark>")


@given(st.text(max_size=200))
def test_escaped_text_from_the_core_survives_sanitizing_unchanged(text):
    escaped = html.escape(text, quote=False)
    assert plain_text(str(sanitize_marked(f"<mark>{escaped}</mark>"))) == text


def test_core_snippet_with_highlights_is_kept_as_is():
    snippet = "The <mark>harbour</mark> &lt;script&gt; &amp; more"
    assert str(sanitize_marked(snippet)) == snippet


def test_raw_markup_that_slipped_through_is_escaped():
    assert str(sanitize_marked("a <script>alert(1)</script> b")) == "a &lt;script&gt;alert(1)&lt;/script&gt; b"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a?b=1", "https://news.example/a?b=1"),
        ("http://news.example/", "http://news.example/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/", None),
        ("https://news.example/\nx", None),
        ("", None),
    ],
)
def test_only_plain_http_links_from_articles_become_links(url, expected):
    assert safe_url(url) == expected


@given(st.text())
def test_escape_text_escapes_exactly_as_markupsafe_does(text: str) -> None:
    assert escape_text(text) == str(escape(text))


def test_escape_text_escapes_every_character_html_gives_meaning_to() -> None:
    assert escape_text("<a href='x' title=\"&amp;\">") == "&lt;a href=&#39;x&#39; title=&#34;&amp;amp;&#34;&gt;"
