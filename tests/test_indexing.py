"""The indexer as an archivist meets it: counts, dates, clusters, incremental runs, broken files, locks."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.enrich.entities.map import read_entities_file
from search.index.errors import IndexLockedError
from search.index.storage import INDEX_NAME, open_for_reading, open_for_writing
from search.ingest import index_paths


def _stored(index_dir: Path) -> dict[str, dict]:
    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        return {d["id"]: d for d in searcher.all_stored_fields()}


def test_seeds_are_all_indexed_with_their_metadata(seeds_index: Path) -> None:
    docs = _stored(seeds_index)
    assert len(docs) == 5
    by_prefix = {k[:3]: v for k, v in docs.items()}
    assert by_prefix["000"]["date_text"] == "2023-05-04"
    assert by_prefix["002"]["author"] == "Ateet Sharma"
    assert by_prefix["004"]["dateline"] == "Moscow"
    assert by_prefix["003"]["date_text"] == "" and "date" not in by_prefix["003"]


def test_undated_seed_is_counted_as_undated(seeds_index: Path) -> None:
    ix = open_for_reading(seeds_index)
    with ix.searcher() as searcher:
        undated = [hit["id"] for hit in searcher.documents(dated="n")]
        dated = list(searcher.documents(dated="y"))
    assert [d[:3] for d in undated] == ["003"]
    assert len(dated) == 4


def test_the_two_reports_of_one_meeting_share_a_duplicate_cluster(seeds_index: Path) -> None:
    clusters = {k[:3]: v["cluster"] for k, v in _stored(seeds_index).items()}
    assert clusters["000"] == clusters["001"]
    others = [clusters[p] for p in ("002", "003", "004")]
    assert len({clusters["000"], *others}) == 4


def test_reindexing_the_same_folder_adds_nothing(seeds_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    first = index_paths([seeds_copy], index_dir, workers=1)
    second = index_paths([seeds_copy], index_dir, workers=1)
    assert first.added == 5
    assert (second.added, second.updated, second.unchanged, second.deleted) == (0, 0, 5, 0)
    assert second.documents == 5


def test_a_changed_file_is_updated_and_a_removed_file_pruned(seeds_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_paths([seeds_copy], index_dir, workers=1)
    changed = next(seeds_copy.glob("004_*.txt"))
    changed.write_text(changed.read_text() + "\nA new closing paragraph about Kazan and Vladivostok.\n")
    removed = next(seeds_copy.glob("001_*.txt"))
    removed.unlink()

    without_prune = index_paths([seeds_copy], index_dir, workers=1)
    assert (without_prune.updated, without_prune.deleted) == (1, 0)
    assert removed.name in _stored(index_dir)

    with_prune = index_paths([seeds_copy], index_dir, workers=1, prune=True)
    docs = _stored(index_dir)
    assert with_prune.deleted == 1 and removed.name not in docs
    assert "Vladivostok" in docs[changed.name]["body"]
    assert len(docs) == 4


def test_broken_files_are_reported_and_the_rest_indexed(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (seeds_copy / "baddate.txt").write_text(" date 2023-02-30 Lead\n\nBody\n")
    (seeds_copy / "zipbomb.html").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (seeds_copy / "feed.jsonl").write_text('{"id": "ok-1", "body": "Good record about Goa"}\n{"id": \n')
    summary = index_paths([seeds_copy], tmp_path / "ix", workers=1)
    reasons = {s.where: s.reason for s in summary.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "baddate.txt", "zipbomb.html", "feed.jsonl#2"}
    assert "empty" in reasons["empty.txt"]
    assert "malformed date line" in reasons["baddate.txt"]
    assert summary.added == 6 and summary.documents == 6


def test_two_worker_processes_give_the_same_index_as_one(seeds_dir: Path, tmp_path: Path) -> None:
    one = index_paths([seeds_dir], tmp_path / "one", workers=1)
    two = index_paths([seeds_dir], tmp_path / "two", workers=2)
    assert one.added == two.added == 5
    strip = lambda docs: {k: {f: v for f, v in d.items() if f != "path"} for k, d in docs.items()}  # noqa: E731
    assert strip(_stored(tmp_path / "one")) == strip(_stored(tmp_path / "two"))


def test_a_second_indexer_is_refused_while_the_first_holds_the_lock(seeds_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_paths([seeds_dir], index_dir, workers=1)
    holder = open_for_writing(index_dir).writer()
    try:
        extra = tmp_path / "more"
        extra.mkdir()
        (extra / "new.txt").write_text(" date 2024-01-01 Something new happened in Goa.\n\nMore.\n")
        with pytest.raises(IndexLockedError, match="locked: another indexer"):
            index_paths([extra], index_dir, workers=1)
    finally:
        holder.cancel()
    assert index_paths([extra], index_dir, workers=1).added == 1


def test_entity_map_beside_the_index_merges_spelling_variants(seeds_index: Path) -> None:
    data = read_entities_file(seeds_index)
    groups = {(g["type"], g["canonical"]): g for g in data["groups"]}
    sco = groups[("organization", "Shanghai Cooperation Organisation")]
    assert {"SCO", "Shanghai Cooperation Organization"} <= set(sco["aliases"])
    assert sco["count"] == 5  # every seed mentions it, under one facet value


def test_index_folder_that_cannot_be_written_gives_a_clear_error(tmp_path: Path, seeds_dir: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write to read-only folders")
    from search.index.errors import IndexStorageError

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(IndexStorageError, match="permission denied"):
        index_paths([seeds_dir], ro / "ix", workers=1)


def test_index_files_are_a_real_whoosh_index(seeds_index: Path) -> None:
    assert whoosh_index.exists_in(str(seeds_index), INDEX_NAME)
    copy = seeds_index.parent / "copy"
    shutil.copytree(seeds_index, copy)
    assert open_for_reading(copy).doc_count() == 5


def _fed_archive(folder: Path, filler: str = "ended mixed") -> None:
    """Fed articles naming Manuel Johnson, a casino chief Paul Johnson, Fed headlines with the bare surname, and
    enough market reports that the Fed is a rare, telling context (the linking rule wants <= 3% of articles)."""
    recs = []

    def add(title: str, body: str) -> None:
        recs.append({"id": f"a{len(recs):04d}", "title": title, "body": body, "date": "1987-03-02"})

    for i in range(3):
        add("Fed official", f"Federal Reserve Board vice chairman Manuel Johnson said money growth slowed ({i}).")
    for i in range(2):
        add("Casino results", f"Bally Manufacturing Corp chairman Paul Johnson said Las Vegas profits rose ({i}).")
    for i in range(3):
        add("Fed policy", f"Johnson told reporters the Federal Reserve Board saw no need to tighten credit ({i}).")
    for i in range(240):
        add("Market report", f"Share prices in New York {filler} on Monday in session {i}.")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))


def _people(index_dir: Path) -> dict[str, set[str]]:
    """Each person value of the entity map beside the index, with the values merged into it."""
    groups = read_entities_file(index_dir)["groups"]
    return {g["canonical"]: {v[1] for v in g["variants"]} for g in groups if g["type"] == "person"}


def test_a_bare_surname_joins_the_full_name_its_articles_resemble_also_after_an_update(tmp_path: Path) -> None:
    src, index_dir = tmp_path / "src", tmp_path / "ix"
    _fed_archive(src)
    index_paths([src], index_dir, workers=1)
    fresh = _people(index_dir)
    _fed_archive(src, filler="closed higher")  # the market reports change: this run reads the entities back
    assert index_paths([src], index_dir, workers=1).updated == 240
    for people in (fresh, _people(index_dir)):
        assert "Johnson" not in people
        assert "Johnson" in people["Manuel Johnson"]
        assert people["Paul Johnson"] == {"Paul Johnson"}
