"""A killed indexer leaves the last committed index readable and complete; a re-run finishes the job."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from search.index.storage import open_for_reading
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 240
TRIALS = 20


def _start_indexer(source: Path, index_dir: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir)]
    cmd += ["--workers", "1", "--commit-every", "25", "--quiet"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _ids(index_dir: Path) -> list[str]:
    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_a_committed_article(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    write_articles(source, ARTICLES)
    index_dir = tmp_path / "index"
    rng = random.Random(2024)
    committed_before = 0
    for _ in range(TRIALS):
        proc = _start_indexer(source, index_dir)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not (index_dir / "_MAIN_0.toc").exists() and not list(index_dir.glob("_MAIN_*.toc")):
            continue  # killed before the first commit: nothing was promised yet
        ids = _ids(index_dir)
        counts = Counter(ids)
        assert all(c == 1 for c in counts.values()), "an article appears twice"
        assert len(ids) >= committed_before, "a committed article was lost"
        committed_before = len(ids)
    final = subprocess.run(
        [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Indexed into" in final.stdout
    ids = _ids(index_dir)
    assert len(ids) == len(set(ids)) == ARTICLES


@pytest.mark.slow
def test_an_indexer_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    write_articles(source, 120)
    index_dir = tmp_path / "index"
    proc = _start_indexer(source, index_dir)
    deadline = time.monotonic() + 60
    while not list(index_dir.glob("*.seg")) and not list(index_dir.glob("*_WRITELOCK")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = subprocess.run(
        [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(set(_ids(index_dir))) == 120
