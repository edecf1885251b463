"""Archive-wide merging: one canonical value per real entity, and never one for two different ones."""

from __future__ import annotations

from pathlib import Path

from search.enrich.entity_map import EntityMap


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
    assert (tmp_path / "entities.json").exists()
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
