"""The search core on a real test collection (TIME, 1963): ranking finds judged articles, dates facet by month."""

from __future__ import annotations

from datetime import date

import pytest

from bench.corpora import ir
from search.query import SearchRequest, open_index, search

QUERIES = ["1", "2", "3", "10", "20"]


@pytest.fixture(scope="module")
def time_collection(corpus, tmp_path_factory: pytest.TempPathFactory):
    coll = ir.load("time", corpus)
    judged = {d for q in QUERIES for d in coll.qrels[q]}
    # The judged articles of a few queries among a third of the collection (indexing all takes too long).
    coll.documents = [d for i, d in enumerate(coll.documents) if d.id in judged or i % 3 == 0]
    index_dir = tmp_path_factory.mktemp("time-index")
    ir.write_index(index_dir, coll.documents)
    arch = open_index(index_dir)
    yield coll, arch
    arch.close()


@pytest.mark.slow
def test_pasted_questions_find_judged_articles_near_the_top(time_collection) -> None:
    coll, arch = time_collection
    found = 0
    for qid in QUERIES:
        hits = search(arch, SearchRequest(q=coll.queries[qid], per_page=10, facets=False)).hits
        found += any(h.id in coll.qrels[qid] for h in hits)
    assert found >= 4


@pytest.mark.slow
def test_a_year_of_articles_is_bucketed_by_month_and_filtered_by_date(time_collection) -> None:
    _, arch = time_collection
    result = search(arch, SearchRequest(q="kennedy"))
    assert result.facets.date_unit == "month"
    assert {b.start.year for b in result.facets.dates} == {1963}
    assert result.facets.undated == 0
    may = search(arch, SearchRequest(q="kennedy", date_from=date(1963, 5, 1), date_to=date(1963, 5, 31)))
    assert 0 < may.total_articles < result.total_articles
    assert all(h.date.startswith("1963-05") for h in may.hits)
