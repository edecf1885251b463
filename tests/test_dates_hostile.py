"""Implausible dates (9999-12-31, 0001-01-01) are reported at indexing and kept, consistently: shown, counted as
dated, found by a date filter; and the date histogram has a bounded number of bars whatever the span."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from search.ingest import DateRange, IndexSummary, index_paths
from search.query import SearchRequest, open_index, search, stats
from search.query.facets import MAX_BUCKETS

NORMAL = 6


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IndexSummary]:
    source = tmp_path_factory.mktemp("dated-articles")
    for n in range(NORMAL):
        text = f" date 1987-03-{n + 1:02d} Harbour talks {n}\n\nThe harbour board met.\n"
        (source / f"normal-{n}.txt").write_text(text)
    (source / "far-future.txt").write_text(" date 9999-12-31 Harbour placeholder\n\nThe harbour board met again.\n")
    (source / "year-one.txt").write_text(" date 0001-01-01 Harbour default\n\nThe harbour board met once more.\n")
    (source / "undated.txt").write_text("Harbour without a date\n\nThe harbour board met, some day.\n")
    index_dir = tmp_path_factory.mktemp("dated-index")
    summary = index_paths([source], index_dir, workers=1, entities=False, dates=DateRange(date(1600, 1, 1)))
    return index_dir, summary


def test_implausible_dates_are_reported_at_indexing_with_the_article_and_the_range(indexed) -> None:
    _, summary = indexed
    noted = {n.where: n.reason for n in summary.notes}
    assert set(noted) == {"far-future.txt", "year-one.txt"}
    assert "date 9999-12-31 is outside the plausible range 1600-01-01.." in noted["far-future.txt"]
    assert "indexed with that date as given" in noted["year-one.txt"]
    assert summary.added == NORMAL + 3  # nothing skipped


def test_a_wide_span_gives_a_bounded_histogram_that_still_counts_every_dated_hit(indexed) -> None:
    archive = open_index(indexed[0])
    result = search(archive, SearchRequest(q="harbour", collapse=False))
    bars = result.facets.dates
    assert 1 < len(bars) <= MAX_BUCKETS
    assert sum(b.count for b in bars) == NORMAL + 2
    assert result.facets.undated == 1
    assert bars[0].start == date(1, 1, 1) and bars[-1].end == date(9999, 12, 31)
    assert any(b.count == NORMAL and b.start <= date(1987, 3, 1) <= b.end for b in bars)  # 1987's hits in one bar


def test_an_article_dated_year_one_is_dated_everywhere(indexed) -> None:
    archive = open_index(indexed[0])
    summary = stats(archive)
    assert (summary.dated, summary.undated) == (NORMAL + 2, 1)
    assert summary.date_min == date(1, 1, 1) and summary.date_max == date(9999, 12, 31)
    found = search(archive, SearchRequest(q="", date_from=date(1, 1, 1), date_to=date(1, 12, 31)))
    assert [(h.id, h.date) for h in found.hits] == [("year-one.txt", "0001-01-01")]
    future = search(archive, SearchRequest(q="", date_from=date(9000, 1, 1)))
    assert [h.id for h in future.hits] == ["far-future.txt"]


def test_the_results_page_of_a_wide_span_stays_small(indexed) -> None:
    from search.web import create_app
    from search.web.settings import Settings

    client = create_app(Settings(index_dir=indexed[0])).test_client()
    page = client.get("/", query_string={"q": "harbour"})
    assert page.status_code == 200
    assert len(page.data) < 200_000
    api = client.get("/api/search", query_string={"q": "harbour"}).get_json()
    assert 1 < len(api["facets"]["dates"]) <= MAX_BUCKETS
    year_one = client.get("/api/search", query_string={"q": "", "from": "0001-01-01", "to": "0001-12-31"})
    assert year_one.status_code == 200
    assert [h["id"] for h in year_one.get_json()["hits"]] == ["year-one.txt"]


@pytest.mark.parametrize("text", ["1600", "2030-01-01..1900-01-01", "1600-13-01..2000-01-01"])
def test_a_bad_date_range_setting_is_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(ValueError, match=r"range|YYYY-MM-DD|FROM\.\.TO"):
        DateRange.parse(text)
