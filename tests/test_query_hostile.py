"""Malformed and hostile queries: the core never raises, gives a best-effort result and says what it ignored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import SearchRequest, document, open_index, search
from search.query.highlight import MatchTerms, highlight_document, snippet
from tests.test_query import ARTICLES, build

HOSTILE = [
    '"unclosed phrase',
    "(lavrov AND goa",
    "lavrov) OR goa)",
    "date:[2023-01-01 TO",
    "date:[2023-13-45 TO 2024-99-99]",
    "date:yesterday",
    "date:",
    "person:",
    "AND",
    "OR OR OR",
    "NOT",
    "lavrov NOT",
    "AND lavrov OR",
    "*",
    "?",
    "a*",
    "*ov",
    "~",
    "lavrov~~~",
    "lavrov~99",
    "title:",
    "::::",
    "title:title:title:",
    "[TO]",
    "{}",
    "^^^",
    "lavrov^999999999999",
    '""',
    '" "',
    "\x00\x01\x02",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "lavrov " * 500,
    "x" * 5000,
    "𝔏𝔞𝔳𝔯𝔬𝔳 😀 ﷽",
    "\\",
    "lavrov\\",
    "(((((((((((((((((((((((((lavrov",
    "nosuchfield:value",
    "-",
    "--lavrov",
    "+",
    "date:[2024-01-01 TO 2023-01-01]",
    "date:>2023-01",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    arch = open_index(build(tmp_path_factory.mktemp("hostile-index"), ARTICLES))
    yield arch
    arch.close()


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_query_never_raises(archive, query: str) -> None:
    result = search(archive, SearchRequest(q=query))
    assert result.total >= 0
    assert all(0 <= a < b <= len(h.snippet.text) for h in result.hits for a, b in h.snippet.spans)
    assert document(archive, "a5", q=query) is not None


@pytest.mark.parametrize(
    ("query", "expected", "note"),
    [
        ('"held talks', {"a1", "a2"}, "quotation mark"),
        ("(lavrov AND moscow", {"a3"}, "parenthesis"),
        ("date:[2023-06-01 TO", {"a3", "a6"}, "bracket"),
        ("lavrov AND", {"a1", "a2", "a3"}, "AND"),
        ("moscow date:2023-99", {"a3", "a4"}, "date:2023-99"),
    ],
)
def test_a_malformed_query_gets_a_best_effort_result_and_a_note(
    archive, query: str, expected: set[str], note: str
) -> None:
    result = search(archive, SearchRequest(q=query, collapse=False))
    assert {h.id for h in result.hits} == expected
    assert any(note in n for n in result.notes), result.notes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('lavrov goa()"[]{}:*?~^-+AND OR NOT date: TO 2023-05 \\')), max_size=40))
def test_any_mix_of_query_syntax_never_raises(archive, query: str) -> None:
    search(archive, SearchRequest(q=query))


def test_a_multi_megabyte_article_gets_a_snippet_without_error() -> None:
    text = ("<p>filler words about nothing & more</p> " * 120_000) + "the needle is here"
    assert len(text) > 4_000_000
    terms = MatchTerms(stems=frozenset({"filler", "needl"}))
    out = snippet(text, terms)
    assert "filler" in out.marked
    assert len(out.text) < 2_000
    body = highlight_document(text, MatchTerms(stems=frozenset({"needl"})))
    assert body.text == text and body.spans == ()  # past the marking limit: unmarked


def test_a_long_article_in_the_index_is_found_and_highlighted(tmp_path: Path) -> None:
    body = "Opening paragraph about harbour dues. " + "Routine shipping notes. " * 40_000 + "Final word: lighthouse."
    arch = open_index(build(tmp_path / "ix", [dict(id="long", title="Port log", date="2020-01-01", body=body)]))
    started = time.perf_counter()
    result = search(arch, SearchRequest(q="lighthouse"))
    assert result.hits[0].id == "long"
    assert "lighthouse" in result.hits[0].snippet.marked
    view = document(arch, "long", q="harbour")
    assert view.hits == 1 and view.body.marked == ("harbour",)
    assert time.perf_counter() - started >= 0  # no timing assertions: the benchmark measures speed
    arch.close()


def test_snippet_spans_point_at_the_matches_after_whitespace_is_squashed() -> None:
    text = "Shipping\n\n\tnews:  the  harbour\r\nmaster said   harbour dues\n rise. " * 40
    out = snippet(text, MatchTerms(stems=frozenset({"harbour"})))
    assert out.spans and set(out.marked) == {"harbour"}
    assert "  " not in out.text and "\n" not in out.text and out.text.endswith(" …")
