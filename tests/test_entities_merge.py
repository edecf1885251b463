"""Archive-wide merging: one canonical value per real entity, and never one for two different ones."""

from __future__ import annotations

import json
from pathlib import Path

from search.enrich.entities.map import ENTITIES_FILE, LEGACY_ENTITIES_FILE, EntityMap, read_entities_file


def _map(tmp_path: Path, counts: dict[tuple[str, str], int], aliases=None) -> EntityMap:
    return EntityMap.rebuild(tmp_path, counts, aliases or {})


def test_transliteration_variants_and_surname_merge(tmp_path):
    m = _map(tmp_path, {("person", "Sergey Lavrov"): 5, ("person", "Sergei Lavrov"): 2, ("person", "Lavrov"): 4})
    assert {m.canonical("person", v) for v in ("Sergey Lavrov", "Sergei Lavrov", "Lavrov")} == {"Sergey Lavrov"}
    assert sorted(m.variants("person", "Sergey Lavrov")) == ["Lavrov", "Sergei Lavrov", "Sergey Lavrov"]


def test_initials_merge_with_the_full_first_name_as_canonical(tmp_path):
    m = _map(
        tmp_path,
        {("person", "S Jaishankar"): 4, ("person", "Subrahmanyam Jaishankar"): 1, ("person", "Jaishankar"): 3},
    )
    assert m.canonical("person", "S Jaishankar") == "Subrahmanyam Jaishankar"
    assert m.canonical("person", "Jaishankar") == "Subrahmanyam Jaishankar"
    assert m.resolve("person", "Dr. S. Jaishankar") == "Subrahmanyam Jaishankar"


def test_acronym_and_both_spellings_of_an_organisation_merge(tmp_path):
    m = _map(
        tmp_path,
        {
            ("organization", "Shanghai Cooperation Organisation"): 3,
            ("organization", "Shanghai Cooperation Organization"): 1,
            ("organization", "SCO"): 2,
        },
        {("organization", "Shanghai Cooperation Organisation"): ["SCO"]},
    )
    canon = m.canonical("organization", "SCO")
    assert canon == "Shanghai Cooperation Organisation"
    assert m.canonical("organization", "Shanghai Cooperation Organization") == canon
    assert m.resolve("organization", "sco") == canon


def test_place_abbreviations_merge(tmp_path):
    m = _map(tmp_path, {("place", "U.S."): 3, ("place", "US"): 2, ("place", "United States"): 5})
    assert {m.canonical("place", v) for v in ("U.S.", "US", "United States")} == {"United States"}


def test_paris_never_merges_with_paris_hilton(tmp_path):
    m = _map(tmp_path, {("place", "Paris"): 9, ("person", "Paris Hilton"): 2, ("person", "Hilton"): 1})
    assert m.canonical("place", "Paris") == "Paris"
    assert m.canonical("person", "Paris Hilton") == "Paris Hilton"
    assert "Paris" not in m.variants("person", "Paris Hilton")


def test_different_first_names_stay_apart_and_a_shared_surname_stays_alone(tmp_path):
    m = _map(tmp_path, {("person", "Ronald Reagan"): 5, ("person", "Nancy Reagan"): 4, ("person", "Reagan"): 3})
    assert m.canonical("person", "Ronald Reagan") != m.canonical("person", "Nancy Reagan")
    assert m.canonical("person", "Reagan") == "Reagan"


def test_a_dominant_full_name_takes_the_surname(tmp_path):
    m = _map(tmp_path, {("person", "Ronald Reagan"): 50, ("person", "Nancy Reagan"): 2, ("person", "Reagan"): 30})
    assert m.canonical("person", "Reagan") == "Ronald Reagan"


def test_entities_json_is_written_and_loaded_back(tmp_path):
    _map(tmp_path, {("person", "Sergey Lavrov"): 5, ("person", "Lavrov"): 2})
    assert (tmp_path / ENTITIES_FILE).exists()
    loaded = EntityMap.load(tmp_path)
    assert loaded.canonical("person", "Lavrov") == "Sergey Lavrov"
    assert [g.count for g in loaded.entries("person")] == [7]


def test_missing_map_passes_values_through(tmp_path):
    m = EntityMap.load(tmp_path / "nowhere")
    assert m.canonical("person", "Anyone") == "Anyone"
    assert m.variants("place", "Goa") == ["Goa"]


def test_a_person_value_that_names_a_company_elsewhere_joins_the_company(tmp_path):
    m = _map(
        tmp_path,
        {("person", "Goldman Sachs"): 6, ("organization", "Goldman Sachs and Co"): 4, ("person", "Sachs"): 1},
    )
    assert m.type_of("person", "Goldman Sachs") == "organization"
    assert m.canonical("person", "Goldman Sachs") == m.canonical("organization", "Goldman Sachs and Co")
    assert ("people", "Goldman Sachs") in m.variants_by_field("organization", m.canonical("person", "Goldman Sachs"))


def test_a_surname_alias_shared_by_two_people_does_not_chain_them(tmp_path):
    m = _map(
        tmp_path,
        {("person", "Manuel Johnson"): 14, ("person", "Paul Johnson"): 4, ("person", "Johnson"): 32},
        {("person", "Manuel Johnson"): ["Johnson"], ("person", "Paul Johnson"): ["Johnson"]},
    )
    assert m.canonical("person", "Manuel Johnson") != m.canonical("person", "Paul Johnson")
    assert m.canonical("person", "Johnson") == "Johnson"


def test_a_generic_alias_does_not_merge_different_organisations(tmp_path):
    org = "organization"
    m = _map(
        tmp_path,
        {
            (org, "New York Stock Exchange"): 134,
            (org, "Tokyo Stock Exchange"): 40,
            (org, "London Stock Exchange"): 38,
            (org, "Stock Exchange"): 8,
        },
        {(org, "Tokyo Stock Exchange"): ["Stock Exchange"], (org, "London Stock Exchange"): ["Stock Exchange"]},
    )
    canon = {m.canonical(org, v) for v in ("New York Stock Exchange", "Tokyo Stock Exchange", "London Stock Exchange")}
    assert len(canon) == 3


def test_a_known_acronym_and_a_place_abbreviation_join_only_their_own_entity(tmp_path):
    org = "organization"
    m = _map(
        tmp_path,
        {
            (org, "European Community"): 378,
            (org, "EC"): 70,
            (org, "Economic Cooperation"): 52,
            (org, "Senate"): 124,
            (org, "U.S. Senate"): 30,
            (org, "United Steelworkers"): 17,
            (org, "U.S."): 25,
        },
        {
            (org, "Economic Cooperation"): ["EC"],
            (org, "U.S. Senate"): ["Senate", "U.S."],
            (org, "United Steelworkers"): ["U.S."],
        },
    )
    assert m.canonical(org, "EC") == "European Community"
    assert m.canonical(org, "Economic Cooperation") == "Economic Cooperation"
    assert m.canonical(org, "U.S. Senate") == m.canonical(org, "Senate")
    assert m.canonical(org, "United Steelworkers") == "United Steelworkers"
    assert m.canonical(org, "U.S.") not in (m.canonical(org, "Senate"), "United Steelworkers")


def test_an_alias_or_acronym_goes_to_the_entity_that_holds_most_of_its_documents(tmp_path):
    org = "organization"
    m = _map(
        tmp_path,
        {
            (org, "Treasury"): 277,
            (org, "U.S. Treasury"): 96,
            (org, "U.K. Treasury"): 9,
            (org, "IBM"): 79,
            (org, "International Business Machines Corp"): 65,
            (org, "International Business Machine Corp"): 4,
        },
        {(org, "U.S. Treasury"): ["Treasury"], (org, "U.K. Treasury"): ["Treasury"]},
    )
    assert m.canonical(org, "U.S. Treasury") == m.canonical(org, "Treasury")
    assert m.canonical(org, "U.K. Treasury") == "U.K. Treasury"
    assert m.canonical(org, "IBM") == "International Business Machines Corp"


def test_a_lone_name_that_begins_many_company_names_is_no_person(tmp_path):
    org = "organization"
    m = _map(
        tmp_path,
        {
            ("person", "Morgan"): 23,
            ("person", "Peter Morgan"): 2,
            (org, "Morgan Stanley and Co Inc"): 90,
            (org, "Morgan Guaranty Trust Co"): 40,
            ("person", "Smith Barney"): 24,
            (org, "Smith Barney Harris Upham and Co"): 40,
            ("person", "Reagan"): 514,
            ("person", "Ronald Reagan"): 24,
            (org, "Reagan Communications"): 3,
        },
    )
    assert m.type_of("person", "Morgan") == org
    assert m.canonical("person", "Peter Morgan") == "Peter Morgan"
    assert m.type_of("person", "Smith Barney") == org
    assert m.canonical("person", "Reagan") == "Ronald Reagan"


def test_a_short_given_name_merges_with_the_full_one_and_not_with_another(tmp_path):
    m = _map(
        tmp_path,
        {("person", "Jim Wright"): 37, ("person", "James Wright"): 10, ("person", "Joseph Wright"): 1},
    )
    assert m.canonical("person", "James Wright") == m.canonical("person", "Jim Wright")
    assert m.canonical("person", "Joseph Wright") == "Joseph Wright"


# ------------------------------------------------------------------ lone surnames linked by their articles' context
def _archive(tmp_path: Path, articles: list[list[tuple[str, str]]]) -> EntityMap:
    """An archive of articles, each a list of its (type, value) entity records, merged with its context."""
    counts: dict[tuple[str, str], int] = {}
    for art in articles:
        for tv in set(art):
            counts[tv] = counts.get(tv, 0) + 1
    return EntityMap.rebuild(tmp_path, counts, {}, articles)


_FED = [("organization", "Federal Reserve"), ("person", "Alan Greenspan"), ("place", "Washington")]
_BALLY = [("organization", "Bally Manufacturing Corp"), ("place", "Las Vegas")]
_RJR = [("organization", "RJR Nabisco Inc"), ("place", "Atlanta")]
_FILLER = [[("place", "New York")]] * 250 + [[("place", "Washington"), ("organization", "Congress")]] * 150


def _johnsons() -> list[list[tuple[str, str]]]:
    return (
        [[("person", "Manuel Johnson"), *_FED]] * 6
        + [[("person", "Paul Johnson"), *_BALLY]] * 4
        + [[("person", "F Ross Johnson"), *_RJR]] * 3
        + _FILLER
    )


def test_a_lone_surname_joins_the_full_name_whose_articles_its_articles_resemble(tmp_path):
    fed_headlines = [[("person", "Johnson"), ("organization", "Federal Reserve")]] * 5
    m = _archive(tmp_path, _johnsons() + fed_headlines + [[("person", "Johnson"), ("place", "New York")]])
    assert m.canonical("person", "Johnson") == "Manuel Johnson"
    assert "Johnson" in m.variants("person", "Manuel Johnson")
    assert m.canonical("person", "Paul Johnson") == "Paul Johnson"
    assert m.canonical("person", "F Ross Johnson") == "F Ross Johnson"


def test_a_lone_surname_stays_alone_when_its_articles_point_to_different_people(tmp_path):
    mixed = (
        [[("person", "Johnson"), ("organization", "Federal Reserve")]] * 2
        + [[("person", "Johnson"), ("organization", "Bally Manufacturing Corp")]] * 2
        + [[("person", "Johnson"), ("organization", "Johnson and Johnson")]] * 3  # the firm's chairman: no vote
        + [[("person", "Johnson"), ("place", "New York")]] * 3  # a common place alone is no evidence
    )
    m = _archive(tmp_path, _johnsons() + mixed)
    assert m.canonical("person", "Johnson") == "Johnson"
    assert len({m.canonical("person", v) for v in ("Manuel Johnson", "Paul Johnson", "F Ross Johnson")}) == 3


def test_a_lone_surname_needs_a_majority_of_articles_with_clear_context(tmp_path):
    few = [[("person", "Johnson"), ("organization", "Federal Reserve")]] * 2
    vague = [[("person", "Johnson"), ("place", "New York")]] * 6
    m = _archive(tmp_path, _johnsons() + few + vague)
    assert m.canonical("person", "Johnson") == "Johnson"


def test_a_title_swallowed_into_a_person_value_does_not_make_a_second_person(tmp_path):
    m = _map(
        tmp_path,
        {
            ("person", "Manuel Johnson"): 14,
            ("person", "Reserve Board Vice-Chairman Manuel Johnson"): 2,
            ("person", "Vice-Premier Yao Yilin"): 2,
            ("person", "Yao Yilin"): 5,
            ("person", "Snyder Oil Partners L.P"): 1,
            ("person", "Partners L.P"): 1,
        },
    )
    assert m.canonical("person", "Reserve Board Vice-Chairman Manuel Johnson") == "Manuel Johnson"
    assert m.canonical("person", "Vice-Premier Yao Yilin") == "Yao Yilin"
    assert m.canonical("person", "Snyder Oil Partners L.P") == "Snyder Oil Partners L.P"


def test_a_surname_seen_once_joins_by_its_context_unless_a_thinly_known_rival_fits_as_well(tmp_path):
    iran = [("organization", "White House"), ("place", "Nicaragua")]
    belgrade = [("place", "Belgrade"), ("organization", "Tanjug")]
    m = _archive(
        tmp_path,
        _FILLER
        + [[("person", "Lawrence Walsh"), *iran]] * 4
        + [[("person", "Michael Walsh"), *_BALLY]] * 2
        + [[("person", "Walsh"), *iran]]
        + [[("person", "Janos Milosavljevic"), ("place", "Belgrade")]] * 2
        + [[("person", "Milos Milosavljevic"), *belgrade]]
        + [[("person", "Milosavljevic"), *belgrade]],
    )
    assert m.canonical("person", "Walsh") == "Lawrence Walsh"
    assert m.canonical("person", "Michael Walsh") == "Michael Walsh"
    assert m.canonical("person", "Milosavljevic") == "Milosavljevic"


def test_an_older_index_with_a_plain_entities_json_still_loads_and_is_replaced_on_rebuild(tmp_path):
    data = {
        "version": 1,
        "groups": [
            {
                "type": "person",
                "canonical": "Sergey Lavrov",
                "count": 7,
                "variants": [["person", "Sergey Lavrov", 5], ["person", "Lavrov", 2]],
                "aliases": [],
            }
        ],
    }
    (tmp_path / LEGACY_ENTITIES_FILE).write_text(json.dumps(data))
    assert EntityMap.load(tmp_path).canonical("person", "Lavrov") == "Sergey Lavrov"
    _map(tmp_path, {("person", "Sergey Lavrov"): 5, ("person", "Lavrov"): 2})
    assert not (tmp_path / LEGACY_ENTITIES_FILE).exists()
    assert read_entities_file(tmp_path)["groups"][0]["canonical"] == "Sergey Lavrov"


def test_a_corrupt_entity_map_is_ignored_with_values_passed_through(tmp_path):
    (tmp_path / ENTITIES_FILE).write_bytes(b"not gzip at all")
    assert EntityMap.load(tmp_path).canonical("person", "Lavrov") == "Lavrov"
