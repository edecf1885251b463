"""The search core over the seed articles, indexed by the product's own indexer (entities, clusters)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from search.query import SearchRequest, Sort, document, open_index, related, search, similar, stats, to_json

UNDATED = "003_ff5f5ba148e191cb.txt"
GOA_REPORTS = {"000_6ec8a26f2ef24f65.txt", "001_7c68e684604e5af2.txt"}


@pytest.fixture(scope="module")
def archive(seeds_index: Path):
    arch = open_index(seeds_index)
    yield arch
    arch.close()


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def test_every_seed_is_searchable_and_the_undated_one_is_not_dropped(archive) -> None:
    result = search(archive, SearchRequest(q="Lavrov", collapse=False))
    assert result.total == 5 and UNDATED in ids(result)
    assert result.facets.undated == 1
    assert next(h for h in result.hits if h.id == UNDATED).date is None


def test_undated_seed_sorts_last_by_date(archive) -> None:
    newest = search(archive, SearchRequest(q="Lavrov", sort=Sort.NEWEST, collapse=False))
    assert newest.hits[-1].id == UNDATED
    assert newest.hits[0].date == "2023-12-27"


def test_a_date_range_keeps_the_may_meeting(archive) -> None:
    result = search(
        archive, SearchRequest(q="Jaishankar", date_from=date(2023, 5, 1), date_to=date(2023, 5, 31), collapse=False)
    )
    assert ids(result) == GOA_REPORTS | {"002_a5959b43c84928cd.txt"}
    assert result.facets.undated == 0


def test_a_phrase_and_its_snippet(archive) -> None:
    result = search(archive, SearchRequest(q='"suntan"'))
    assert ids(result) == {"001_7c68e684604e5af2.txt"}
    assert "suntan" in result.hits[0].snippet.marked


def test_person_field_search_uses_name_words(archive) -> None:
    assert ids(search(archive, SearchRequest(q="person:lavrov", collapse=False))) >= GOA_REPORTS


def test_a_person_filter_with_the_canonical_value_finds_every_spelling(archive) -> None:
    result = search(archive, SearchRequest(people=("Sergey Lavrov",), collapse=False))
    assert result.total == 5  # "Sergei Lavrov" in 002 is the same person


def test_people_facet_has_one_value_per_person(archive) -> None:
    people = {f.value: f.count for f in search(archive, SearchRequest(q="Lavrov", collapse=False)).facets.people}
    assert people.get("Sergey Lavrov") == 5
    assert "Sergei Lavrov" not in people and "Lavrov" not in people


def test_the_two_goa_reports_collapse_into_one_hit(archive) -> None:
    result = search(archive, SearchRequest(q="Goa"))
    goa_hits = [h for h in result.hits if h.id in GOA_REPORTS]
    assert len(goa_hits) == 1 and goa_hits[0].similar == 1
    assert result.total_articles == result.total + 1
    member = goa_hits[0].id
    assert {h.id for h in similar(archive, member)} == GOA_REPORTS - {member}
    assert ids(search(archive, SearchRequest(cluster=goa_hits[0].cluster))) == GOA_REPORTS


def test_related_articles_leave_out_the_article_and_its_duplicate(archive) -> None:
    found = {h.id for h in related(archive, "000_6ec8a26f2ef24f65.txt")}
    assert found and not found & GOA_REPORTS


def test_misspelt_name_is_corrected_keeping_its_capital(archive) -> None:
    result = search(archive, SearchRequest(q="Jaishenkar", collapse=False))
    assert result.correction is not None and result.correction.corrected == "Jaishankar"
    assert len(result.hits) == 5


def test_fuzzy_search_finds_the_misspelt_name(archive) -> None:
    assert len(search(archive, SearchRequest(q="Jaishenkar~", collapse=False)).hits) == 5


def test_document_view_marks_stemmed_forms(archive) -> None:
    view = document(archive, "004_31c4eca3d72e0a6c.txt", q="discuss")
    assert view.hits >= 1
    assert view.body.marked[0] == "discussions"


def test_json_of_a_seed_search(archive) -> None:
    data = to_json(search(archive, SearchRequest(q="Lavrov", per_page=2)))
    assert data["total"] == 4 and len(data["hits"]) == 2
    assert data["facets"]["undated"] == 1
    assert sum(b["count"] for b in data["facets"]["dates"]) == 3  # stories, as the total counts them
    assert data["counts"] == {
        "unit": "stories",
        "versions": "folded",
        "stories": 4,
        "articles": 5,
        "folded": 1,
        "histogram_overlap": 0,
    }


def test_stats_of_the_seeds(archive) -> None:
    s = stats(archive)
    assert (s.documents, s.dated, s.undated) == (5, 4, 1)
    assert (s.date_min, s.date_max) == (date(2023, 5, 4), date(2023, 12, 27))
