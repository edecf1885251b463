"""The one place HTML is made of the core's text: escaped, only <mark> and page labels as tags; links only http(s)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from search.query.types import MarkedText
from search.web.safe_html import escape_text, hit_contexts, marked_html, safe_url


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
     "&amp;", "&", "<", ">", '"', "'", "<p>", "<br>", "<mark onclick=x>", "javascript:", "</textarea>", "\x00",
     "harbour", " ", "\f"]
)  # fmt: skip


@st.composite
def marked_texts(draw: st.DrawFn) -> MarkedText:
    """Any text (markup-like pieces included) with ordered, non-overlapping spans that hold no page break."""
    text = draw(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30).map("".join))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=10)))
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b and "\f" not in text[a:b]]
    return MarkedText(text, tuple(spans))


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<p class=\"page-break\" id=\"page-\d+\">Page \d+</p>|<[^>]*>", "", fragment))


@given(marked_texts(), st.booleans())
def test_marked_html_holds_only_highlight_tags_and_every_character_of_the_text(marked: MarkedText, ids: bool):
    out = str(marked_html(marked, ids=ids))
    for tag, attrs in tags_of(out):
        assert tag in ("mark", "p"), tag
        assert all(name in ("id", "class") for name, _ in attrs), attrs
    assert out.count("<mark") == out.count("</mark>") == len(marked.spans)
    assert _text_of(out) == marked.text.replace("\f", "")
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", out, re.S) == [escape_text(w) for w in marked.marked]


def test_marked_html_numbers_hits_and_labels_pages() -> None:
    body = MarkedText("Tide <low> & high\fharbour dues\fend", ((0, 4), (18, 25)))
    assert str(marked_html(body, ids=True)) == (
        '<p class="page-break" id="page-1">Page 1</p><mark id="hit-0">Tide</mark> &lt;low&gt; &amp; high'
        '<p class="page-break" id="page-2">Page 2</p><mark id="hit-1">harbour</mark> dues'
        '<p class="page-break" id="page-3">Page 3</p>end'
    )
    assert str(marked_html(MarkedText('it\'s "<b>"', ((6, 9),)))) == "it&#39;s &#34;<mark>&lt;b&gt;</mark>&#34;"
    assert str(marked_html(MarkedText())) == "" and str(marked_html(None)) == ""


def test_hit_contexts_give_a_few_words_around_each_hit() -> None:
    text = "one two three four five six seven harbour eight nine\fharbour ten"
    first, second = text.index("harbour"), text.rindex("harbour")
    body = MarkedText(text, ((first, first + 7), (second, second + 7)))
    assert hit_contexts(body) == [
        ("hit-0", "two three four five six seven", "harbour", "eight nine"),
        ("hit-1", "eight nine", "harbour", "ten"),
    ]
    assert hit_contexts(MarkedText(text)) == []


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
