"""Prefixes, wildcards, term ranges and fuzzy words stand for at most a bounded number of indexed words (the
ones most articles hold), and the user is told when one was cut; exports match such a query once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from search.ingest import index_paths
from search.query import SearchRequest, open_index, search
from search.query.match.expand import MAX_TERMS

LETTERS = "bcdfghjklm"  # 10 x 10 made-up words blorfbb .. blorfmm: none is a stem of another
WORDS = [f"blorf{a}{b}" for a in LETTERS for b in LETTERS]
COMMON = 40  # the first 40 words are in two articles each, the other 60 in one


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("expansion-articles")
    n = 0
    for i, word in enumerate(WORDS):
        for _copy in range(2 if i < COMMON else 1):
            (source / f"a{n:03d}.txt").write_text(
                f" date 2024-01-{1 + n % 28:02d} Notice {n}\n\nThe registry lists {word} under entry {n}.\n"
            )
            n += 1
    out = tmp_path_factory.mktemp("expansion-index")
    index_paths([source], out, workers=1, entities=False)
    return out


@pytest.fixture(scope="module")
def archive(index_dir: Path):
    return open_index(index_dir)


def _cut_note(notes: tuple[str, ...]) -> str | None:
    return next((n for n in notes if "stands for" in n), None)


# The 64 words kept: the 40 in two articles each, then 24 of those in one: 80 + 24 articles.
KEPT_ARTICLES = 2 * COMMON + (MAX_TERMS - COMMON)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("blorf*", "blorf*"),
        ("blo?f*", "blo?f*"),
        ("body:[blorfbb TO blorfmm]", "[blorfbb TO blorfmm]"),
        ("blorfbb~2", "blorfbb~2"),
    ],
)
def test_an_expansion_past_the_limit_keeps_the_most_common_words_and_says_so(archive, query: str, shown: str) -> None:
    result = search(archive, SearchRequest(q=query, collapse=False))
    note = _cut_note(result.notes)
    assert note is not None, result.notes
    assert f"“{shown}” stands for 100 words" in note
    assert f"only the {MAX_TERMS} found in most articles" in note
    assert result.total_articles == KEPT_ARTICLES


def test_an_expansion_within_the_limit_finds_every_word_without_a_note(archive) -> None:
    result = search(archive, SearchRequest(q="blorfb*", collapse=False))
    assert _cut_note(result.notes) is None
    assert result.total_articles == 2 * len(LETTERS)  # blorfbb .. blorfbm, all among the common words


def test_a_query_of_many_expansions_is_bounded_as_a_whole(archive) -> None:
    # Five expansions of 100 words each, OR-ed: at most 256 words in all, each expansion at most 64.
    result = search(archive, SearchRequest(q="blorf* OR blo?f* OR bl?rf* OR blor?* OR b?orf*", collapse=False))
    assert _cut_note(result.notes) is not None
    assert result.total_articles == KEPT_ARTICLES  # the most common words come first in every expansion


def test_the_export_of_a_cut_range_query_has_the_same_rows_as_the_search(index_dir: Path) -> None:
    from search.web import create_app
    from search.web.settings import Settings

    client = create_app(Settings(index_dir=index_dir)).test_client()
    page = client.get("/", query_string={"q": "body:[blorfbb TO blorfmm]"})
    assert page.status_code == 200
    assert "stands for 100 words" in page.get_data(as_text=True)
    export = client.get("/export.csv", query_string={"q": "body:[blorfbb TO blorfmm]"})
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    assert "stands for 100 words" in text  # the export states the cut too
    rows = [r for r in csv.reader(io.StringIO(text)) if r and not r[0].startswith("#")]
    same = search(open_index(index_dir), SearchRequest(q="body:[blorfbb TO blorfmm]"))  # as the page counts
    assert len(rows) - 1 == same.total  # a header line, then one row per result of the search
