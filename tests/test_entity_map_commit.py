"""The entity map is part of the commit: an indexer killed around a commit never leaves readers with a map
that costs them a rebuild, nor one made for a commit they cannot see; a run with no changes repairs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import search.enrich.entities.map as entity_map_module
from search.enrich.entities.map import map_generation, read_entities_file
from search.index.storage import open_for_reading
from search.query import SearchRequest, open_index, search, stats

ROOT = Path(__file__).resolve().parents[1]
FIRST = ["Helena", "Pieter", "Clara", "Henrique", "Rita", "Marta", "Tomas", "Ines", "Duarte", "Leonor"]
LAST = ["Sardinha", "Vandermolen", "Valadares", "Almada", "Figueiredo", "Quaresma", "Brandao", "Teixeira"]
PLACES = ["Lisbon", "Porto", "Coimbra", "Braga", "Faro", "Aveiro", "Sines", "Evora"]


def _names(n: int) -> tuple[str, str]:
    """Two distinct full names for article n (80 different names in all)."""
    a = n % (len(FIRST) * len(LAST))
    b = (n * 7 + 3) % (len(FIRST) * len(LAST))
    return (f"{FIRST[a % len(FIRST)]} {LAST[a // len(FIRST)]}", f"{FIRST[b % len(FIRST)]} {LAST[b // len(FIRST)]}")


def _write(folder: Path, start: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        one, two = _names(n)
        place = PLACES[n % len(PLACES)]
        text = (
            f" date 2024-03-{1 + n % 28:02d} Talks on the harbour in {place}.\n\n"
            f"{one} met {two} in {place} on Tuesday to discuss the harbour budget.\n\n"
            f"{one} said the council would decide next week. {two} did not comment.\n"
        )
        (folder / f"article-{n:04d}.txt").write_text(text)


def _index(source: Path, index_dir: Path, kill_at: str | None = None, commit_every: int = 5000) -> int:
    cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet"]
    cmd += ["--workers", "1", "--commit-every", str(commit_every)]
    env = {**os.environ}
    env.pop("SEARCH_TEST_KILL_AT", None)
    if kill_at:
        env["SEARCH_TEST_KILL_AT"] = kill_at
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if kill_at is None:
        assert done.returncode == 0, done.stderr
    return done.returncode


def _generation(index_dir: Path) -> int:
    return open_for_reading(index_dir).latest_generation()


def _indexed_people(index_dir: Path) -> set[str]:
    with open_for_reading(index_dir).reader() as reader:
        return {t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("people")}


def _mapped_people(index_dir: Path, generation: int | None = None) -> set[str]:
    groups = read_entities_file(index_dir, generation).get("groups", [])
    return {v for g in groups for t, v, _c in g["variants"] if t == "person"}


class _CountingFold:
    def __init__(self, fold) -> None:
        self.fold = fold
        self.calls = 0

    def __call__(self, text: str) -> str:
        self.calls += 1
        return self.fold(text)


@pytest.mark.slow
def test_names_committed_without_their_map_cost_a_reader_one_lookup_each_and_a_run_with_no_changes_repairs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    _write(source, 0, 30)
    _index(source, index_dir)
    first_gen = _generation(index_dir)
    assert map_generation(index_dir) == first_gen
    assert _indexed_people(index_dir) <= _mapped_people(index_dir)

    _write(source, 30, 50)  # 50 new articles and many new names; killed right after the run's first commit
    assert _index(source, index_dir, kill_at="after-commit", commit_every=10) == -signal.SIGKILL
    assert _generation(index_dir) > first_gen  # names were committed ...
    missing = _indexed_people(index_dir) - _mapped_people(index_dir)
    assert len(missing) >= 5  # ... that the map does not know

    counting = _CountingFold(entity_map_module.fold)
    monkeypatch.setattr(entity_map_module, "fold", counting)
    archive = open_index(index_dir)
    summary = stats(archive)
    result = search(archive, SearchRequest(q="harbour", per_page=100, collapse=False))
    # Every name is shown (as it is, when the map lacks it), and what a reader spends on the names is a few
    # lookups per name, not a walk over the whole map per missing name (that made 12.5 million calls once).
    shown = {f.value for f in result.facets.people} | {p for h in result.hits for p in h.people}
    assert missing & shown
    assert summary.documents == result.total_articles
    names_in_map = sum(
        1 + len(g["aliases"]) + len(g["variants"]) for g in read_entities_file(index_dir).get("groups", [])
    )
    assert counting.calls <= 3 * (names_in_map + len(_indexed_people(index_dir)))

    _index(source, index_dir)  # nothing changed since the kill: the run still brings the map up to date
    assert map_generation(index_dir) == _generation(index_dir)
    assert _indexed_people(index_dir) <= _mapped_people(index_dir)
    assert [p.name for p in index_dir.glob("entities*.json*")] == [f"entities.{_generation(index_dir)}.json.gz"]


@pytest.mark.slow
def test_an_indexer_killed_after_writing_the_map_but_before_its_commit_leaves_readers_on_the_last_commit_and_map(
    tmp_path: Path,
) -> None:
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    _write(source, 0, 20)
    _index(source, index_dir)
    gen = _generation(index_dir)
    before = stats(open_index(index_dir))

    _write(source, 20, 20)
    assert _index(source, index_dir, kill_at="before-toc") == -signal.SIGKILL
    assert _generation(index_dir) == gen  # the commit did not happen ...
    assert map_generation(index_dir) == gen + 1  # ... though its map was written
    archive = open_index(index_dir)
    assert archive.snapshot().generation == gen
    after = stats(archive)
    assert (after.documents, after.people) == (before.documents, before.people)  # the last commit's own map
    assert _mapped_people(index_dir, gen) == _indexed_people(index_dir)

    _index(source, index_dir)
    archive = open_index(index_dir)
    assert stats(archive).documents == 40
    assert map_generation(index_dir) == _generation(index_dir) == archive.snapshot().generation
    assert _indexed_people(index_dir) <= _mapped_people(index_dir, archive.snapshot().generation)


def test_archive_stats_are_made_once_per_commit_and_follow_the_next_commit(tmp_path: Path) -> None:
    from search.ingest import index_paths

    source, index_dir = tmp_path / "articles", tmp_path / "index"
    _write(source, 0, 4)
    index_paths([source], index_dir, workers=1)
    archive = open_index(index_dir)
    first = stats(archive)
    assert stats(archive) is first  # /healthz asks on every call: answered from the snapshot
    _write(source, 4, 3)
    index_paths([source], index_dir, workers=1)
    assert stats(archive).documents == 7
