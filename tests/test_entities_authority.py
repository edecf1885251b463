"""The archivist's authority file: merge, rename, retype and hide, applied at load, kept across re-indexing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from search.__main__ import main as cli
from search.enrich.entities.authority import AuthorityError, add_rule, load_rules
from search.enrich.entities.map import EntityMap

COUNTS = {
    ("person", "Mikhail Gorbachev"): 6,
    ("person", "Gorbachov"): 2,
    ("person", "Sergey Lavrov"): 5,
    ("person", "Lavrov"): 3,
    ("person", "Jordan"): 2,
    ("place", "Jordan"): 4,
    ("place", "Paris"): 7,
    ("organization", "Advertisement"): 3,
}


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    EntityMap.rebuild(tmp_path, COUNTS, {})
    return tmp_path


def test_merge_joins_values_under_the_given_canonical(index_dir):
    add_rule(index_dir, {"op": "merge", "values": ["Gorbachov"], "into": "Mikhail Gorbachev"})
    m = EntityMap.load(index_dir)
    assert m.canonical("person", "Gorbachov") == "Mikhail Gorbachev"
    assert sorted(m.variants("person", "Mikhail Gorbachev")) == ["Gorbachov", "Mikhail Gorbachev"]
    assert m.resolve("person", "gorbachov") == "Mikhail Gorbachev"


def test_rename_changes_the_canonical_and_keeps_the_old_form_as_alias(index_dir):
    add_rule(index_dir, {"op": "rename", "from": "Sergey Lavrov", "to": "Sergei Lavrov"})
    m = EntityMap.load(index_dir)
    assert m.canonical("person", "Lavrov") == "Sergei Lavrov"
    assert "Sergey Lavrov" in m.aliases("person", "Sergei Lavrov")
    assert sorted(m.variants("person", "Sergei Lavrov")) == ["Lavrov", "Sergey Lavrov"]


def test_retype_moves_a_value_into_another_type_and_merges_it_there(index_dir):
    add_rule(index_dir, {"op": "retype", "value": "Jordan", "type": "person", "to": "place"})
    m = EntityMap.load(index_dir)
    assert m.type_of("person", "Jordan") == "place"
    assert sorted(m.variants_by_field("place", "Jordan")) == [("people", "Jordan"), ("places", "Jordan")]
    assert [g.canonical for g in m.entries("person")] == ["Sergey Lavrov", "Mikhail Gorbachev", "Gorbachov"]


def test_hide_removes_a_junk_value_from_facets_and_search(index_dir):
    add_rule(index_dir, {"op": "hide", "value": "Advertisement"})
    m = EntityMap.load(index_dir)
    assert m.canonical("organization", "Advertisement") is None
    assert m.resolve("organization", "advertisement") is None
    assert "Advertisement" not in [g.canonical for g in m.entries("organization")]


def test_rules_survive_a_rebuild_by_the_indexer(index_dir):
    add_rule(index_dir, {"op": "hide", "value": "Advertisement"})
    add_rule(index_dir, {"op": "merge", "values": ["Gorbachov"], "into": "Mikhail Gorbachev"})
    before = (index_dir / "authority.json").read_text()
    m = EntityMap.rebuild(index_dir, {**COUNTS, ("person", "Gorbachov"): 9}, {})
    assert (index_dir / "authority.json").read_text() == before
    assert m.canonical("organization", "Advertisement") is None
    assert m.canonical("person", "Gorbachov") == "Mikhail Gorbachev"


def test_a_rule_for_a_value_not_indexed_yet_applies_once_it_appears(tmp_path):
    add_rule(tmp_path, {"op": "hide", "value": "Click Here"})
    assert EntityMap.load(tmp_path).canonical("organization", "Click Here") is None
    m = EntityMap.rebuild(tmp_path, {("organization", "Click Here"): 2}, {})
    assert m.canonical("organization", "Click Here") is None


def test_the_file_is_plain_json_an_archivist_can_edit(index_dir):
    (index_dir / "authority.json").write_text(
        json.dumps({"version": 1, "rules": [{"op": "rename", "from": "Paris", "to": "Paris (France)"}]})
    )
    assert EntityMap.load(index_dir).canonical("place", "Paris") == "Paris (France)"


def test_a_malformed_rule_is_refused_with_a_message_naming_it(index_dir):
    with pytest.raises(AuthorityError, match="retype"):
        add_rule(index_dir, {"op": "retype", "value": "Paris", "to": "planet"})
    assert load_rules(index_dir) == []


def test_command_line_edits_and_lists(index_dir, capsys):
    assert cli(["entities", "hide", "Advertisement", "--index", str(index_dir)]) == 0
    assert "hid 'Advertisement'" in capsys.readouterr().out
    assert cli(["entities", "merge", "Gorbachov", "--into", "Mikhail Gorbachev", "--index", str(index_dir)]) == 0
    assert "merged 'Gorbachov' into 'Mikhail Gorbachev' (person, 8 documents)" in capsys.readouterr().out
    assert cli(["entities", "rename", "Paris", "Paris (France)", "--index", str(index_dir)]) == 0
    assert "renamed 'Paris' to 'Paris (France)'" in capsys.readouterr().out
    assert (
        cli(["entities", "retype", "Jordan", "--type", "place", "--from-type", "person", "--index", str(index_dir)])
        == 0
    )
    assert "retyped 'Jordan' from person to place" in capsys.readouterr().out
    assert cli(["entities", "list", "--json", "--index", str(index_dir)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["person"][0] == {
        "value": "Mikhail Gorbachev",
        "count": 8,
        "variants": ["Mikhail Gorbachev", "Gorbachov"],
        "aliases": ["Gorbachov"],
    }
    assert [r["value"] for r in listed["place"]] == ["Paris (France)", "Jordan"]
    assert not listed["organization"]
    assert cli(["entities", "list", "--type", "place", "--top", "1", "--index", str(index_dir)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "place (2 values)",
        "       7  Paris (France)  [also indexed as: Paris]",
    ]


@pytest.mark.slow
def test_hide_and_merge_apply_to_facets_and_filters_of_a_real_index(seeds_index, tmp_path):
    from search.query.archive import open_index
    from search.query.engine import search
    from search.query.types import SearchRequest

    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index, index_dir)
    cli(["entities", "hide", "Ukraine", "--index", str(index_dir)])
    cli(["entities", "rename", "Sergey Lavrov", "Sergei Lavrov", "--index", str(index_dir)])
    result = search(open_index(index_dir), SearchRequest(q="", people=("Lavrov",), collapse=False))
    people = {f.value for f in result.facets.people}
    places = {f.value for f in result.facets.places}
    assert result.total == 5
    assert "Sergei Lavrov" in people and "Sergey Lavrov" not in people
    assert "Ukraine" not in places and "Moscow" in places


def test_a_broken_authority_file_keeps_the_automatic_merges_and_the_cli_names_it(index_dir, capsys):
    (index_dir / "authority.json").write_text("{not json")
    assert EntityMap.load(index_dir).canonical("person", "Lavrov") == "Sergey Lavrov"
    assert cli(["entities", "list", "--index", str(index_dir)]) == 2
    assert "authority.json: not readable JSON" in capsys.readouterr().err


@pytest.mark.slow
def test_an_authority_edit_reaches_a_running_archive_without_a_new_commit(seeds_index, tmp_path):
    from search.query.archive import open_index
    from search.query.engine import search
    from search.query.types import SearchRequest

    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index, index_dir)
    archive = open_index(index_dir)  # a serving process keeps this open across requests
    before = search(archive, SearchRequest(q="", collapse=False))
    assert "Ukraine" in {f.value for f in before.facets.places}
    cli(["entities", "hide", "Ukraine", "--index", str(index_dir)])
    after = search(archive, SearchRequest(q="", collapse=False))
    assert "Ukraine" not in {f.value for f in after.facets.places}
    assert after.total == before.total
