"""A second indexer on the same index is refused clearly while the first runs, and allowed after it ends or dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.index.storage import open_for_reading
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]


def _indexer(source: Path, index_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet", *extra]


def _wait_for_lock(proc: subprocess.Popen, index_dir: Path) -> None:
    """Until the first indexer holds the write lock (its lock file appears once it starts writing)."""
    deadline = time.monotonic() + 120
    while not list(index_dir.glob("*WRITELOCK*")):
        assert proc.poll() is None, "the first indexer ended before it took the lock"
        assert time.monotonic() < deadline, "the first indexer never took the lock"
        time.sleep(0.02)


def _ids(index_dir: Path) -> list[str]:
    with open_for_reading(index_dir).searcher() as searcher:
        return [f["id"] for f in searcher.all_stored_fields()]


@pytest.fixture
def two_sources(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    write_articles(first, 200)  # enough for the first run to be busy for a while, committing once at the end
    write_articles(second, 3, seed=99, start=5000)
    return first, second


@pytest.mark.slow
def test_a_second_indexer_is_refused_while_the_first_runs_and_allowed_after_it_ends(
    tmp_path: Path, two_sources: tuple[Path, Path]
) -> None:
    first, second = two_sources
    index_dir = tmp_path / "index"
    running = subprocess.Popen(
        _indexer(first, index_dir, "--workers", "1", "--commit-every", "100000"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_lock(running, index_dir)
        refused = subprocess.run(
            _indexer(second, index_dir, "--workers", "1"), cwd=ROOT, capture_output=True, text=True
        )
        assert running.poll() is None, "the check must happen while the first indexer still runs"
    finally:
        _out, err = running.communicate(timeout=600)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "locked" in refused.stderr and "another indexer" in refused.stderr
    assert running.returncode == 0, err
    assert len(_ids(index_dir)) == 200  # the refused run did not disturb the first one

    allowed = subprocess.run(_indexer(second, index_dir, "--workers", "1"), cwd=ROOT, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr
    ids = _ids(index_dir)
    assert len(ids) == len(set(ids)) == 203


@pytest.mark.slow
def test_a_lock_left_by_a_killed_indexer_does_not_block_the_next_run(
    tmp_path: Path, two_sources: tuple[Path, Path]
) -> None:
    first, second = two_sources
    index_dir = tmp_path / "index"
    seeded = subprocess.run(_indexer(second, index_dir, "--workers", "1"), cwd=ROOT, capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr
    killed = subprocess.Popen(
        _indexer(first, index_dir, "--workers", "1", "--commit-every", "100000"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_lock(killed, index_dir)
    time.sleep(0.3)  # well inside the run, lock held, nothing committed yet
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert list(index_dir.glob("*WRITELOCK*")), "the lock file of the killed run stays behind"
    assert sorted(_ids(index_dir)) == [f"article-{n:05d}.txt" for n in range(5000, 5003)]  # last commit intact

    started = time.monotonic()
    rerun = subprocess.run(_indexer(first, index_dir, "--workers", "2"), cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "locked" not in rerun.stderr
    ids = _ids(index_dir)
    assert len(ids) == len(set(ids)) == 203
    print(f"re-run after the stale lock took {time.monotonic() - started:.1f} s")
