"""Entity facets of the five seed articles: one value per real entity, the right type, no junk."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from search.enrich.entities import DocEntities, extract_entities, iter_values
from search.enrich.entities.map import EntityMap
from search.extract.text import extract

JUNK = {"Advertisement", "Thursday", "Wednesday", "Friday", "He", "They", "It", "The", "Also", "May", "March"}


@pytest.fixture(scope="module")
def seed_entities(seeds_dir: Path) -> dict[str, DocEntities]:
    out = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        for doc in extract(path.read_bytes(), path.name):
            out[path.name[:3]] = extract_entities(doc.title, doc.body, doc.dateline)
    return out


@pytest.fixture(scope="module")
def seed_map(seed_entities: dict[str, DocEntities], tmp_path_factory: pytest.TempPathFactory) -> EntityMap:
    counts: Counter[tuple[str, str]] = Counter()
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ents in seed_entities.values():
        for type_, value, al in iter_values(ents):
            counts[(type_, value)] += 1
            aliases[(type_, value)].update(al)
    return EntityMap.rebuild(tmp_path_factory.mktemp("seed-map"), counts, aliases)


def _canonicals(seed_entities: dict[str, DocEntities], seed_map: EntityMap, type_: str) -> set[str]:
    out = set()
    for ents in seed_entities.values():
        for value in ents.of_type(type_):
            c = seed_map.canonical(type_, value)
            if c:
                out.add(c)
    return out


def test_lavrov_is_one_person_with_his_variants_as_aliases(seed_entities, seed_map):
    people = _canonicals(seed_entities, seed_map, "person")
    lavrovs = {p for p in people if "Lavrov" in p}
    assert lavrovs == {"Sergey Lavrov"}
    assert {"Sergei Lavrov", "Lavrov"} <= set(seed_map.aliases("person", "Sergey Lavrov"))
    assert seed_map.resolve("person", "Lavrov") == "Sergey Lavrov"
    assert seed_map.resolve("person", "sergei lavrov") == "Sergey Lavrov"


def test_jaishankar_is_one_person_across_initials_and_full_name(seed_entities, seed_map):
    people = _canonicals(seed_entities, seed_map, "person")
    assert {p for p in people if "Jaishankar" in p} == {"Subrahmanyam Jaishankar"}
    for text in ("S Jaishankar", "Dr. S. Jaishankar", "Jaishankar", "S. Jaishankar"):
        assert seed_map.resolve("person", text) == "Subrahmanyam Jaishankar", text


def test_sco_is_one_organisation_with_acronym_and_both_spellings(seed_entities, seed_map):
    orgs = _canonicals(seed_entities, seed_map, "organization")
    sco = {o for o in orgs if "Shanghai" in o or o == "SCO"}
    assert len(sco) == 1
    (canon,) = sco
    assert {"SCO", "Shanghai Cooperation Organisation", "Shanghai Cooperation Organization"} <= set(
        seed_map.aliases("organization", canon)
    )
    assert seed_map.resolve("organization", "sco") == canon


def test_the_other_people_are_present(seed_entities, seed_map):
    people = _canonicals(seed_entities, seed_map, "person")
    assert {"Vladimir Putin", "Narendra Modi", "Sergei Vershinin", "Sanjay Verma"} <= people


def test_places_are_typed_as_places(seed_entities, seed_map):
    places = _canonicals(seed_entities, seed_map, "place")
    assert {"Goa", "Moscow", "Astana", "New Delhi", "India", "Russia"} <= places
    people_and_orgs = _canonicals(seed_entities, seed_map, "person") | _canonicals(
        seed_entities, seed_map, "organization"
    )
    assert not people_and_orgs & {"Goa", "Moscow", "Astana", "New Delhi"}


def test_no_junk_values_in_any_facet(seed_entities):
    for ents in seed_entities.values():
        for _type, value, aliases in iter_values(ents):
            assert value not in JUNK and not set(aliases) & JUNK, value
            assert value[:1].isupper() or value[:1].isdigit(), value
            assert not value.lower().startswith(("the ", "he ", "also ")), value


def test_titles_and_roles_are_stripped(seed_entities):
    values = {v for ents in seed_entities.values() for _t, v, al in iter_values(ents)}
    aliases = {a for ents in seed_entities.values() for _t, _v, al in iter_values(ents) for a in al}
    for bad in ("President Vladimir Putin", "FM Sergey Lavrov", "Dr. S. Jaishankar", "Russian Foreign Minister"):
        assert bad not in values | aliases
