"""The search core on a small hand-made archive: query language, filters, facets, sort, collapse, snippets."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from search.index.schema import EXACT_FIELDS
from search.index.storage import open_for_writing
from search.query import (
    Correction,
    IndexUnavailable,
    SearchRequest,
    Sort,
    document,
    open_index,
    related,
    search,
    similar,
    stats,
    to_json,
)

ARTICLES = [
    dict(
        id="a1",
        title="Talks in Goa",
        date="2023-05-04",
        source="Reuters",
        cluster="c1",
        body="Jaishankar and Lavrov held talks in Goa on Thursday. The negotiations covered trade and energy.",
        people="Subrahmanyam Jaishankar,Sergey Lavrov",
        places="Goa,India",
        organizations="SCO",
    ),
    dict(
        id="a2",
        title="Ministers meet in Goa",
        date="2023-05-05",
        source="AP",
        cluster="c1",
        body="Jaishankar and Lavrov held talks in Goa on Thursday. The negotiations covered trade.",
        people="Subrahmanyam Jaishankar,Sergey Lavrov",
        places="Goa,India",
        organizations="SCO",
    ),
    dict(
        id="a3",
        title="Lavrov in Moscow",
        date="2023-12-27",
        source="Reuters",
        cluster="c3",
        body="Sergey Lavrov met officials in Moscow to negotiate a treaty on shipping.",
        people="Sergey Lavrov",
        places="Moscow,Russia",
    ),
    dict(
        id="a4",
        title="Modi's trip to Moscow",
        date=None,
        source="MENAFN",
        cluster="c4",
        body="Narendra Modi travelled to Moscow for talks with Vladimir Putin about oil.",
        people="Narendra Modi,Vladimir Putin",
        places="Moscow",
    ),
    dict(
        id="a5",
        title="Summit ends",
        date="2022-01-10",
        source="AP",
        cluster="c5",
        body="<script>alert('x')</script> The summit & the <b>talks</b> ended in Astana.",
        places="Astana",
    ),
    dict(
        id="a6",
        title="Ceasefire",
        date="2023-06",
        source="Reuters",
        cluster="c6",
        body="Gaza ceasefire talks resumed in Cairo.",
        places="Gaza,Cairo",
    ),
    dict(
        id="a7",
        title="Energy market",
        date="2021-03-02",
        source="Reuters",
        cluster="c7",
        body="Oil and gas prices rose as the energy market tightened; traders negotiated new contracts.",
        organizations="OPEC",
    ),
]


def build(index_dir: Path, articles: list[dict]) -> Path:
    """A real on-disk index with the product's schema, entity values set by hand."""
    ix = open_for_writing(index_dir)
    with ix.writer() as w:
        for a in articles:
            fields = {k: v for k, v in a.items() if v is not None and k != "date"}
            if a.get("date"):
                parts = [int(p) for p in a["date"].split("-")] + [1, 1]
                fields["date"] = datetime(parts[0], parts[1], parts[2])
                fields["date_text"] = a["date"]
                fields["dated"] = "y"
            else:
                fields["dated"] = "n"
            for f in ("people", "organizations", "places"):
                if f in fields:
                    fields[f"{f}_words"] = fields[f].replace(",", " ")
            fields.update({exact: fields[plain] for plain, exact in EXACT_FIELDS.items() if plain in fields})
            w.add_document(**fields)
    return index_dir


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    arch = open_index(build(tmp_path_factory.mktemp("query-index"), ARTICLES))
    yield arch
    arch.close()


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def run(archive, q: str = "", **kw):
    kw.setdefault("collapse", False)
    kw.setdefault("per_page", 50)
    return search(archive, SearchRequest(q=q, **kw))


# ---- the query language ----------------------------------------------------------------------


def test_short_queries_require_every_word(archive) -> None:
    assert ids(run(archive, "lavrov moscow")) == {"a3"}


def test_or_widens_a_query(archive) -> None:
    assert ids(run(archive, "astana OR cairo")) == {"a5", "a6"}


def test_a_phrase_matches_only_words_side_by_side(archive) -> None:
    assert ids(run(archive, '"energy market"')) == {"a7"}
    assert ids(run(archive, '"market energy"')) == set()


def test_quoted_words_match_as_written_while_bare_words_are_stemmed(archive) -> None:
    assert ids(run(archive, "negotiated")) == {"a1", "a2", "a3", "a7"}
    assert ids(run(archive, '"negotiated"')) == {"a7"}
    assert ids(run(archive, '"Negotiate"')) == {"a3"}  # case folded, never stemmed
    assert ids(run(archive, '"negotiated new contracts"')) == {"a7"}
    assert ids(run(archive, '"negotiate new contracts"')) == set()
    assert ids(run(archive, '"negotiate" shipping')) == {"a3"}
    hit = run(archive, '"negotiated"').hits[0]
    assert "negotiated" in hit.snippet.marked


def test_quotation_marks_in_pasted_text_keep_words_together_in_all_their_forms(archive) -> None:
    result = run(archive, 'the "negotiated" talks between jaishankar and lavrov in goa')
    assert "a1" in ids(result)  # "negotiations"
    assert any("quoted words are matched in all their forms" in n for n in result.notes)


def test_not_and_minus_exclude(archive) -> None:
    assert ids(run(archive, "talks NOT goa")) == {"a4", "a5", "a6"}
    assert ids(run(archive, "talks -goa")) == {"a4", "a5", "a6"}


def test_parentheses_group(archive) -> None:
    assert ids(run(archive, "(goa OR moscow) AND lavrov")) == {"a1", "a2", "a3"}


def test_stemming_matches_other_forms(archive) -> None:
    assert ids(run(archive, "negotiating")) == {"a1", "a2", "a3", "a7"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:moscow", {"a3", "a4"}),
        ("person:lavrov", {"a1", "a2", "a3"}),
        ("place:astana", {"a5"}),
        ("org:opec", {"a7"}),
        ("source:AP", {"a2", "a5"}),
        ("source:reuters date:2023", {"a1", "a3", "a6"}),
        ("date:2023-05", {"a1", "a2"}),
        ("date:2023", {"a1", "a2", "a3", "a6"}),
        ("date:[2023-01-01 TO 2023-06-30]", {"a1", "a2", "a6"}),
        ("date:[2023-06-01 TO]", {"a3", "a6"}),
        ("date:[TO 2022-12-31]", {"a5", "a7"}),
    ],
)
def test_field_searches(archive, query: str, expected: set[str]) -> None:
    assert ids(run(archive, query)) == expected


def test_wildcard_finds_stemmed_forms(archive) -> None:
    assert ids(run(archive, "negotiat*")) == {"a1", "a2", "a3", "a7"}


def test_fuzzy_finds_a_misspelt_name(archive) -> None:
    assert ids(run(archive, "Jaishenkar~")) == {"a1", "a2"}


def test_a_long_pasted_query_uses_minimum_should_match(archive) -> None:
    result = run(archive, "what did the ministers say about energy trade and oil prices in the market")
    assert {"a7", "a1"} <= ids(result)
    assert result.hits[0].id == "a7"


def test_a_short_query_with_no_full_match_falls_back_to_most_words(archive) -> None:
    result = run(archive, "lavrov astana")
    assert ids(result)
    assert any("every word" in n for n in result.notes)


def test_what_a_commit_keeps_is_never_changed_by_a_search(archive) -> None:
    """Parses and filter masks are shared by every search on a commit: widening, matching and filtering must
    leave them as they were, so the same requests give the same answers again, in any order."""
    cases = [
        ("lavrov astana", {}),  # widened: nothing holds both words
        ("lavrov", {"places": ("Goa",)}),
        ("talks", {"people": ("Sergey Lavrov",), "sort": Sort.NEWEST}),
        ("negotiations trade energy shipping treaty", {"places": ("Goa",)}),  # a long query
    ]
    first = [to_json(run(archive, q, **kw)) for q, kw in cases]
    snap = archive.snapshot()
    kept = snap.cache.parsed.get("lavrov astana")
    assert kept is not None and kept.min_should == 2 and kept.words == ("lavrov", "astana")  # all, not widened
    assert [to_json(run(archive, q, **kw)) for q, kw in reversed(cases)] == first[::-1]
    mask = snap.cache.filters.get(("places", ("Goa",)))
    assert mask is not None and not mask.flags.writeable


# ---- filters, facets, sort, paging ---------------------------------------------------------


def test_undated_articles_are_found_without_a_date_filter(archive) -> None:
    result = run(archive, "moscow")
    assert "a4" in ids(result)
    assert result.facets.undated == 1


def test_a_date_filter_keeps_only_dated_articles_and_says_so(archive) -> None:
    result = run(archive, "moscow", date_from=date(2023, 1, 1))
    assert ids(result) == {"a3"}
    assert any("undated" in n for n in result.notes)


def test_filters_do_not_change_the_ranking(archive) -> None:
    plain = run(archive, "talks")
    filtered = run(archive, "talks", places=("Goa",))
    scores = {h.id: h.score for h in plain.hits}
    assert all(scores[h.id] == h.score for h in filtered.hits)


def test_facet_counts_match_a_hand_count(archive) -> None:
    facets = run(archive, "talks").facets  # a1 a2 a4 a5 a6
    assert {f.value: f.count for f in facets.places} == {
        "Goa": 2,
        "India": 2,
        "Moscow": 1,
        "Astana": 1,
        "Gaza": 1,
        "Cairo": 1,
    }
    assert {f.value: f.count for f in facets.people} == {
        "Subrahmanyam Jaishankar": 2,
        "Sergey Lavrov": 2,
        "Narendra Modi": 1,
        "Vladimir Putin": 1,
    }
    assert facets.undated == 1
    assert sum(b.count for b in facets.dates) == 4


def test_values_in_one_facet_are_or_and_across_facets_and(archive) -> None:
    assert ids(run(archive, "", places=("Goa", "Astana"))) == {"a1", "a2", "a5"}
    assert ids(run(archive, "", places=("Moscow",), people=("Narendra Modi",))) == {"a4"}


def test_a_selected_facet_still_counts_the_other_values_of_its_facet(archive) -> None:
    facets = run(archive, "talks", places=("Goa",)).facets
    counts = {f.value: f.count for f in facets.places}
    assert counts["Goa"] == 2 and counts["Moscow"] == 1
    assert [f.value for f in facets.places if f.selected] == ["Goa"]


def test_source_filter_ignores_case(archive) -> None:
    assert ids(run(archive, "", sources=("reuters",))) == {"a1", "a3", "a6", "a7"}


def test_date_histogram_buckets_suit_the_span(archive) -> None:
    months = run(archive, "").facets  # 2021-03-02 .. 2023-12-27
    assert months.date_unit == "month"
    assert len(months.dates) == 34 and sum(b.count for b in months.dates) == 6
    assert (months.dates[0].label, months.dates[0].count) == ("2021-03", 1)
    assert months.dates[-1].end == date(2023, 12, 31)
    days = run(archive, "goa").facets
    assert days.date_unit == "day"
    assert [(b.label, b.count) for b in days.dates] == [("2023-05-04", 1), ("2023-05-05", 1)]


def test_newest_and_oldest_put_undated_articles_last(archive) -> None:
    newest = [h.id for h in run(archive, "", sort=Sort.NEWEST).hits]
    oldest = [h.id for h in run(archive, "", sort=Sort.OLDEST).hits]
    assert newest[0] == "a3" and newest[-1] == "a4"
    assert oldest[0] == "a7" and oldest[-1] == "a4"


def test_pages_cover_all_results_once_with_the_total(archive) -> None:
    seen = []
    for page in (1, 2, 3):
        result = run(archive, "", per_page=3, page=page, sort=Sort.OLDEST)
        assert result.total == 7
        seen += [h.id for h in result.hits]
    assert sorted(seen) == sorted(a["id"] for a in ARTICLES)


# ---- near-duplicates, related, suggestions ---------------------------------------------------


def test_near_duplicates_collapse_into_one_hit_with_a_similar_count(archive) -> None:
    result = search(archive, SearchRequest(q="goa"))
    assert result.total == 1 and result.total_articles == 2
    assert result.hits[0].similar == 1


def test_a_cluster_request_lists_its_members(archive) -> None:
    result = search(archive, SearchRequest(cluster="c1"))
    assert ids(result) == {"a1", "a2"}
    assert {h.id for h in similar(archive, "a1")} == {"a2"}


def test_related_articles_share_words_and_skip_the_own_cluster(archive) -> None:
    found = [h.id for h in related(archive, "a1", limit=3)]
    assert found and "a1" not in found and "a2" not in found
    assert related(archive, "nope") == []


def test_a_word_that_matches_nothing_is_corrected_from_the_index_vocabulary(archive) -> None:
    result = search(archive, SearchRequest(q="lavrof talks", collapse=False))
    assert result.correction == Correction("lavrof talks", "lavrov talks", (("lavrof", "lavrov"),))
    assert ids(result) == ids(run(archive, "lavrov talks"))
    assert result.suggestion is None and result.unmatched == ()


def test_the_words_as_typed_can_still_be_searched_and_are_named(archive) -> None:
    result = search(archive, SearchRequest(q="lavrof talks", correct=False))
    assert result.correction is None
    assert result.suggestion == "lavrov talks"
    assert result.unmatched == ("lavrof",)
    assert "No article contains “lavrof”." in result.notes


def test_a_word_the_archive_holds_is_never_corrected(archive) -> None:
    result = search(archive, SearchRequest(q="lavrov"))
    assert result.correction is None and result.suggestion is None and result.unmatched == ()


def test_a_word_nothing_explains_is_named(archive) -> None:
    result = search(archive, SearchRequest(q="talks zzyzxq"))
    assert result.correction is None
    assert result.unmatched == ("zzyzxq",)


# ---- highlighting ----------------------------------------------------------------------------


def test_snippets_mark_stemmed_forms(archive) -> None:
    hit = run(archive, "negotiate").hits[0]
    assert hit.snippet.spans
    assert {"negotiations", "negotiate", "negotiated"} & set(hit.snippet.marked)
    assert all(hit.snippet.text[a:b] == w for (a, b), w in zip(hit.snippet.spans, hit.snippet.marked, strict=True))


def test_snippets_mark_phrase_words(archive) -> None:
    hit = run(archive, '"energy market"').hits[0]
    text, spans = hit.snippet.text, hit.snippet.spans
    pairs = pairwise(spans)
    assert any(text[a:b] == "energy" and text[b:c] == " " and text[c:d] == "market" for (a, b), (c, d) in pairs)


def test_html_inside_an_article_is_text_to_the_core(archive) -> None:
    # The core hands out text and spans, never HTML: the web layer escapes it (tests/test_web_safe_html.py).
    hit = run(archive, "summit").hits[0]
    assert hit.snippet.text.startswith("<script>alert('x')</script> The summit & the <b>talks</b>")
    assert hit.snippet.marked == ("summit",)
    view = document(archive, "a5", q="talks")
    assert view.body.text == "<script>alert('x')</script> The summit & the <b>talks</b> ended in Astana."
    assert view.body.marked == ("talks",) and view.hits == 1


def test_document_view_numbers_every_hit(archive) -> None:
    view = document(archive, "a1", q="talks OR negotiations")
    assert view.hits == 2
    assert len(view.body.spans) == 2 and view.body.marked[0].lower() == "talks"
    assert view.people == ("Subrahmanyam Jaishankar", "Sergey Lavrov")
    assert document(archive, "missing") is None


# ---- the interface ---------------------------------------------------------------------------


def test_json_has_the_documented_shape(archive) -> None:
    data = to_json(search(archive, SearchRequest(q="talks", per_page=2)))
    assert set(data) == {
        "query",
        "total",
        "counts",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "correction",
        "unmatched",
        "notes",
    }
    assert set(data["hits"][0]) == {
        "id",
        "title",
        "date",
        "author",
        "source",
        "url",
        "snippet",
        "score",
        "people",
        "organizations",
        "places",
        "similar",
        "on_page",
        "origin",
        "dateline",
    }
    assert set(data["facets"]) == {
        "people", "organizations", "places", "sources", "authors", "dates", "undated", "date_precision", "more",
    }  # fmt: skip
    assert set(data["facets"]["dates"][0]) == {"start", "end", "count"}


def test_stats_describe_the_archive(archive) -> None:
    s = stats(archive)
    assert (s.documents, s.dated, s.undated) == (7, 6, 1)
    assert (s.date_min, s.date_max) == (date(2021, 3, 2), date(2023, 12, 27))
    assert [(f.value, f.count) for f in s.places[:3]] == [("Goa", 2), ("India", 2), ("Moscow", 2)]
    assert s.size_bytes > 0


def test_a_missing_index_raises_index_unavailable(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="no index"):
        open_index(tmp_path / "nothing-here")


def test_a_new_commit_is_picked_up_without_reopening(tmp_path: Path) -> None:
    arch = open_index(build(tmp_path / "ix", ARTICLES[:2]))
    assert run(arch, "").total == 2
    build(tmp_path / "ix", ARTICLES[2:4])
    assert run(arch, "").total == 4
    assert {f.value for f in run(arch, "").facets.places} >= {"Moscow"}
    arch.close()


def test_an_index_that_goes_away_raises_index_unavailable(tmp_path: Path) -> None:
    import shutil

    arch = open_index(build(tmp_path / "ix", ARTICLES[:2]))
    assert run(arch, "goa").total == 2
    shutil.rmtree(tmp_path / "ix")
    with pytest.raises(IndexUnavailable):
        run(arch, "goa")


def test_threads_sharing_an_archive_get_the_same_answers(archive) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = ["talks", "lavrov", '"energy market"', "negotiat*", "moscow OR gaza", ""]
    expected = {q: [h.id for h in run(archive, q).hits] for q in queries}

    def one(i: int) -> bool:
        q = queries[i % len(queries)]
        view = document(archive, "a1", q="talks")
        return [h.id for h in run(archive, q).hits] == expected[q] and view is not None and view.hits == 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(one, range(120)))
