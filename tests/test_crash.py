"""A killed indexer leaves the last committed index readable and complete; a re-run finishes the job."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from search.enrich.pipeline import warm_up
from search.index.storage import open_for_reading
from search.ingest import index_paths
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 150
TRIALS = 20


def _start_indexer(source: Path, index_dir: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir)]
    cmd += ["--workers", "1", "--commit-every", "25", "--quiet"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _index_in_child(source: Path, index_dir: Path) -> None:
    index_paths([source], index_dir, workers=1, commit_every=25)


def _fork_indexer(source: Path, index_dir: Path) -> multiprocessing.Process:
    """The real indexer in a forked child that shares this process's loaded NLTK models (fast to start)."""
    proc = multiprocessing.get_context("fork").Process(target=_index_in_child, args=(source, index_dir))
    proc.start()
    return proc


def _ids(index_dir: Path) -> list[str]:
    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def _generation(index_dir: Path) -> int:
    gens = [int(p.stem.rsplit("_", 1)[1]) for p in index_dir.glob("_MAIN_*.toc")]
    return max(gens, default=-1)


def _kill_mid_run(proc: multiprocessing.Process, index_dir: Path, rng: random.Random) -> None:
    """Wait until this run has committed once (so it is really writing), then SIGKILL it at a random moment."""
    start_gen = _generation(index_dir)
    deadline = time.monotonic() + 120
    while proc.is_alive() and _generation(index_dir) == start_gen and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.4))
    if proc.pid is not None and proc.is_alive():
        os.kill(proc.pid, signal.SIGKILL)
    proc.join()


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_a_committed_article(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    files = write_articles(source, ARTICLES)
    index_dir = tmp_path / "index"
    rng = random.Random(2024)
    warm_up()  # load the models once; every forked indexer shares them
    committed: set[str] = set()
    for trial in range(TRIALS):
        if committed and len(committed) == ARTICLES:  # all in: change some files so the next run has work
            for path in rng.sample(files, 40):
                path.write_text(path.read_text() + f"\nCorrection {trial}: the meeting moved to Faro.\n")
        _kill_mid_run(_fork_indexer(source, index_dir), index_dir, rng)
        ids = _ids(index_dir)
        counts = Counter(ids)
        assert all(c == 1 for c in counts.values()), "an article appears twice"
        assert committed <= set(ids), "a committed article was lost"
        committed = set(ids)
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
    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        corrected = [f["body"] for f in searcher.all_stored_fields() if "Correction" in f["body"]]
    assert len(corrected) >= 40  # the updates of the last round all landed


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


def _index_records_in_child(source: Path, index_dir: Path) -> None:
    index_paths([source], index_dir, workers=1, commit_every=25)


@pytest.mark.slow
def test_a_records_file_cut_off_midway_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """The records committed before the kill carry the file's fingerprint; the rest must not be taken as indexed."""
    import json

    source = tmp_path / "records"
    source.mkdir()
    words = ["council", "harbour", "ferry", "budget", "museum", "river", "election", "grant", "tram", "market"]
    with (source / "wire.jsonl").open("w") as out:
        for n in range(300):
            body = " ".join(words[(n * k) % len(words)] for k in range(1, 40))
            out.write(json.dumps({"id": f"wire-{n}", "title": f"Story {n}", "body": f"{body} number {n}."}) + "\n")
    index_dir = tmp_path / "index"
    warm_up()
    proc = multiprocessing.get_context("fork").Process(target=_index_records_in_child, args=(source, index_dir))
    proc.start()
    deadline = time.monotonic() + 120
    while proc.is_alive() and _generation(index_dir) < 1 and time.monotonic() < deadline:  # one commit written
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    assert 0 < len(_ids(index_dir)) < 300, "the kill did not land mid-file: the test proved nothing"
    index_paths([source], index_dir, workers=1)
    ids = _ids(index_dir)
    assert len(ids) == len(set(ids)) == 300
