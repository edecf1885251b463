"""The query language as an archivist types it: phrases in long and short queries, OR between phrases,
boosts (^N), proximity ("..."~N), field searches, wildcards in phrases, and notes for what is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.ingest import index_paths
from search.query import SearchRequest, open_index, search

ARTICLES = {
    "oil-climbs": ("2024-03-01", "Oil price climbs", "The oil price rose on Monday. OPEC ministers met in Vienna."),
    "grain-calm": (
        "2024-03-02",
        "Grain market calm",
        "The grain market stayed calm while wheat and corn futures held steady, as the oil price eased.",
    ),
    "oil-near": ("2024-03-03", "Markets today", "Oil futures and the spot price fell while fuel stocks grew."),
    "gasoline": ("2024-03-04", "Gasoline costs", "Gasoline costs rose, and OPEC said output would stay flat."),
    "money": ("2024-03-05", "Central bank report", "The money supply grew, the central bank said."),
    "oil-farms": ("2024-03-06", "Oil price lifts farm costs", "The oil price pushed up the cost of growing wheat."),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("parse-articles")
    for name, (day, title, body) in ARTICLES.items():
        (folder / f"{name}.txt").write_text(f" date {day} {title}\n\n{body}\n")
    index_dir = tmp_path_factory.mktemp("parse-index")
    index_paths([folder], index_dir, workers=1)
    arch = open_index(index_dir)
    yield arch
    arch.close()


def run(archive, q: str):
    return search(archive, SearchRequest(q=q, collapse=False, per_page=50))


def found(archive, q: str) -> set[str]:
    return {Path(h.id).stem for h in run(archive, q).hits}


def test_the_fixture_articles_are_found_by_their_own_ids(archive) -> None:
    assert found(archive, "cost OR price OR supply OR calm") == set(ARTICLES)


# ---- phrases in short and long queries ------------------------------------------------------------


def test_or_between_two_phrases_finds_either_phrase_in_title_or_body(archive) -> None:
    assert found(archive, '"oil price" OR "grain market"') == {"oil-climbs", "grain-calm", "oil-farms"}


def test_two_phrases_are_both_required(archive) -> None:
    assert found(archive, '"oil price" "grain market"') == {"grain-calm"}


def test_a_long_query_with_a_phrase_needs_the_phrase_and_some_of_the_words(archive) -> None:
    assert found(archive, '"oil price" wheat corn barley') == {"grain-calm", "oil-farms"}


def test_or_between_phrases_in_a_long_query_needs_either_phrase(archive) -> None:
    assert found(archive, '"oil price" OR "grain market" wheat corn') == {"grain-calm", "oil-farms"}


def test_a_phrase_with_an_exclusion(archive) -> None:
    assert found(archive, '"oil price" -opec') == {"grain-calm", "oil-farms"}
    assert found(archive, '"oil price" -opec wheat corn barley') == {"grain-calm", "oil-farms"}


def test_an_excluded_phrase_at_the_start_of_a_long_query(archive) -> None:
    assert found(archive, '-"oil price" wheat corn fuel stocks') == {"oil-near"}


def test_a_phrase_in_a_field_search(archive) -> None:
    assert found(archive, 'title:"oil price"') == {"oil-climbs", "oil-farms"}
    assert found(archive, 'title:"oil price" wheat corn barley') == {"oil-farms"}


def test_a_grouped_phrase_or_word_and_a_required_word(archive) -> None:
    assert found(archive, '("oil price" OR gasoline) AND opec') == {"oil-climbs", "gasoline"}


# ---- field searches name one field ----------------------------------------------------------------


def test_a_title_search_skips_articles_with_the_word_only_in_the_body(archive) -> None:
    assert found(archive, "title:oil") == {"oil-climbs", "oil-farms"}  # oil-near has oil in its body only
    assert found(archive, "title:grain wheat") == {"grain-calm"}
    assert found(archive, "title:gasoline cost rose output") == {"gasoline"}


# ---- boosts and proximity -------------------------------------------------------------------------


def test_a_boosted_phrase_is_found_and_scores_higher(archive) -> None:
    plain, boosted = run(archive, '"money supply"'), run(archive, '"money supply"^3')
    assert [h.id for h in boosted.hits] == [h.id for h in plain.hits] != []
    assert boosted.hits[0].score == pytest.approx(3 * plain.hits[0].score, rel=1e-3)
    assert not boosted.notes


def test_a_boosted_word_moves_its_articles_up(archive) -> None:
    assert Path(run(archive, "gasoline OR wheat^5").hits[0].id).stem in {"grain-calm", "oil-farms"}
    assert Path(run(archive, "gasoline^5 OR wheat").hits[0].id).stem == "gasoline"


def test_a_phrase_with_a_proximity_finds_words_standing_near_each_other(archive) -> None:
    assert "oil-near" not in found(archive, '"oil price"')
    assert found(archive, '"oil price"~3') == {"oil-climbs", "grain-calm", "oil-farms", "oil-near"}
    assert found(archive, '"oil price"~3 fuel stocks grew') == {"oil-near"}


def test_fuzzy_words_still_work(archive) -> None:
    assert found(archive, "wheet~") == {"grain-calm", "oil-farms"}
    assert found(archive, "gasolene~2") == {"gasoline"}


@pytest.mark.parametrize(
    ("query", "expected", "note"),
    [
        ('"oil price"~', {"oil-climbs", "grain-calm", "oil-farms"}, "“~” after a phrase"),
        ("gasoline ^3", {"gasoline"}, "“^3”"),
        ("^2 gasoline", {"gasoline"}, "“^2”"),
        ("gasoline^high", {"gasoline"}, "“^high”"),
        ("gasoline ~2", {"gasoline"}, "“~2”"),
        ('"oil price"~3~2', {"oil-climbs", "grain-calm", "oil-farms", "oil-near"}, "“~2”"),
        ("gasoline^^2", {"gasoline"}, "“^2”"),
        ("gasoline^2^3", {"gasoline"}, "“^3”"),
    ],
)
def test_a_misplaced_boost_or_tilde_is_ignored_with_a_note(archive, query: str, expected: set, note: str) -> None:
    result = run(archive, query)
    assert {Path(h.id).stem for h in result.hits} == expected
    assert any(note in n for n in result.notes)


def test_a_zero_proximity_means_the_exact_phrase(archive) -> None:
    assert found(archive, '"oil price"~0') == found(archive, '"oil price"')


# ---- wildcards in phrases -------------------------------------------------------------------------


def test_a_wildcard_inside_a_phrase_searches_the_words_with_a_note(archive) -> None:
    result = run(archive, '"gaso* costs"')
    assert {Path(h.id).stem for h in result.hits} == {"gasoline"}
    assert any("Wildcards do not work inside quotation marks" in n for n in result.notes)


# ---- operators typed in lower case ----------------------------------------------------------------


def test_a_lowercase_or_is_a_word_and_the_note_says_how_to_widen(archive) -> None:
    lower, upper = run(archive, "gasoline or barley"), run(archive, "gasoline OR barley")
    assert any("write OR in capitals" in n for n in lower.notes)
    assert {Path(h.id).stem for h in upper.hits} == {"gasoline"}
    assert not any("capitals" in n for n in upper.notes)


def test_a_lowercase_not_does_not_exclude_and_the_note_says_so(archive) -> None:
    result = run(archive, "wheat not corn")
    assert {Path(h.id).stem for h in result.hits} == {"grain-calm"}
    assert any("write NOT in capitals" in n for n in result.notes)
    assert found(archive, "wheat NOT corn") == {"oil-farms"}


def test_a_dropped_boost_stays_dropped_when_a_short_query_is_widened(archive) -> None:
    result = run(archive, "gasoline ^3 wheat")
    assert (
        {Path(h.id).stem for h in result.hits}
        == found(archive, "gasoline wheat")
        == {
            "gasoline",
            "grain-calm",
            "oil-farms",
        }
    )
    assert any("most of them" in n for n in result.notes)


# ---- open date ranges -----------------------------------------------------------------------------


def test_before_and_after_a_date_leave_that_day_or_month_out(archive) -> None:
    assert found(archive, "date:<2024-03-03 oil") == {"oil-climbs", "grain-calm"}
    assert found(archive, "date:<=2024-03-03 oil") == {"oil-climbs", "grain-calm", "oil-near"}
    assert found(archive, "date:>2024-02 oil") == {"oil-climbs", "grain-calm", "oil-near", "oil-farms"}
    assert found(archive, "date:>2024-03 oil") == set()
    assert found(archive, "date:{2024-03-01 TO 2024-03-06} oil") == {"grain-calm", "oil-near"}


# ---- a wildcard with no letters before it ---------------------------------------------------------


def test_a_leading_question_mark_or_star_is_dropped_and_the_word_kept(archive) -> None:
    result = run(archive, "?gasoline")
    assert {Path(h.id).stem for h in result.hits} == {"gasoline"}
    assert any("“?” before “gasoline”" in n for n in result.notes)
    assert found(archive, "*wheat") == {"grain-calm", "oil-farms"}


def test_a_question_mark_ending_a_phrase_is_punctuation(archive) -> None:
    result = run(archive, '"oil price?"')
    assert {Path(h.id).stem for h in result.hits} == found(archive, '"oil price"')
    assert not result.notes
