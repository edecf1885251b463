"""Replicas of the index: a commit's files copied first, its table of contents last, stale files removed a round
later; a service reading the replica picks up each new commit without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from search.index.replica import MANIFEST, latest_generation, replicate
from search.index.storage import open_for_writing
from search.ingest import index_paths
from search.query import SearchRequest, open_index, search, stats
from tests.conftest import ROOT


def ids(archive, q: str = "") -> set[str]:
    return {h.id for h in search(archive, SearchRequest(q=q, per_page=100)).hits}


def segment_files(folder: Path) -> set[str]:
    return {n for n in os.listdir(folder) if n.startswith("MAIN_") and n.endswith(".seg")}


def test_a_replica_follows_the_primary_commit_by_commit(seeds_copy: Path, tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    index_paths([seeds_copy], primary, workers=1)
    first = replicate(primary, replica)
    assert first.generation == latest_generation(primary) == latest_generation(replica)
    assert any(n.startswith("entities.") for n in first.copied) and not any("LOCK" in n for n in os.listdir(replica))
    archive = open_index(replica)  # a service reading the replica, kept open across rounds
    assert ids(archive) == ids(open_index(primary)) and stats(archive).documents == 5
    assert stats(archive).people == stats(open_index(primary)).people  # the entity map came along

    (seeds_copy / "extra.txt").write_text(" date 2024-01-02 Harbour ferries return\nThe ferries of Sines return.\n")
    index_paths([seeds_copy], primary, workers=1)
    second = replicate(primary, replica)
    assert second.generation == latest_generation(primary) > first.generation
    assert second.copied[-1] == f"_MAIN_{second.generation}.toc"  # the table of contents comes last
    assert "extra.txt" in ids(archive, "ferries")  # the open service sees the new commit, no restart

    before = segment_files(replica)
    open_for_writing(primary).optimize()  # Whoosh folds every segment into one: the old files go away
    assert not segment_files(primary) & before
    third = replicate(primary, replica)
    assert before <= segment_files(replica)  # kept one round: a reader that just read the last contents needs them
    assert stats(archive).documents == 6
    fourth = replicate(primary, replica)
    assert not fourth.copied and set(fourth.removed) >= before
    assert segment_files(replica) == segment_files(primary)
    assert third.generation == fourth.generation == latest_generation(replica)
    assert ids(open_index(replica)) == ids(open_index(primary))


def test_replicate_command_says_where_the_replica_stands(seeds_index: Path, tmp_path: Path) -> None:
    replica = tmp_path / "replica"
    argv = [sys.executable, "-m", "search", "replicate", str(seeds_index), str(replica)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{replica} at commit {latest_generation(seeds_index)}: ")
    assert (replica / MANIFEST).exists()
    again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert ": 0 files copied (0.0 MB), 0 removed" in again.stdout


def test_replicating_a_folder_without_an_index_is_one_clear_line(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "search", "replicate", str(tmp_path / "nothing"), str(tmp_path / "replica")]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: no index at {tmp_path / 'nothing'}: the folder does not exist"]


@pytest.mark.parametrize("name", ["MAIN_WRITELOCK", "MAIN_RUNLOCK", ".entities.json.gz.abc.tmp", "_MAIN_9.toc.123"])
def test_locks_and_half_written_files_are_never_copied(seeds_index: Path, tmp_path: Path, name: str) -> None:
    primary = tmp_path / "primary"
    primary.mkdir()
    for f in seeds_index.iterdir():
        (primary / f.name).write_bytes(f.read_bytes())
    (primary / name).write_bytes(b"partial")
    replicate(primary, tmp_path / "replica")
    assert not (tmp_path / "replica" / name).exists()
