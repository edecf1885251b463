"""Enrichment on a real Dask distributed cluster (scheduler and workers as loopback subprocesses): the index is
the one a local run writes, a worker killed mid-run loses nothing, a lost scheduler stops the run cleanly."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search.enrich.entities.map import read_entities_file
from search.index.storage import open_for_reading
from search.ingest import index_paths
from search.ingest.fanout import ClusterError
from tests.conftest import ROOT
from tests.helpers.dask_cluster import LocalCluster

pytestmark = pytest.mark.slow

REUTERS_SAMPLE = 600  # articles: ~19 tasks of 32 records, several commits of 100
COMMIT_EVERY = 100
RUN_SECONDS = 900  # deadline for one indexing run on a loaded 2-core machine (not a speed assertion)


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> list[Path]:
    """The seed articles (one text file per task) and a Reuters sample as JSONL records (32 per task)."""
    from bench.corpora.reuters_text import REUTERS, articles, write_jsonl

    if not REUTERS.exists():
        pytest.skip("the Reuters corpus is not beside the project")
    folder = tmp_path_factory.mktemp("reuters")
    write_jsonl(list(itertools.islice(articles(), REUTERS_SAMPLE)), folder, per_file=200)
    return [seeds_dir, folder]


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory, articles: list[Path]) -> Path:
    """The reference: the same articles indexed by two local worker processes."""
    index_dir = tmp_path_factory.mktemp("local-index")
    summary = index_paths(articles, index_dir, workers=2, commit_every=COMMIT_EVERY)
    assert summary.added == REUTERS_SAMPLE + 5 and not summary.skipped
    return index_dir


@pytest.fixture
def cluster(tmp_path: Path):
    with LocalCluster(tmp_path / "cluster", {"NLTK_DATA": os.environ.get("NLTK_DATA", "")}) as c:
        yield c


def contents(index_dir: Path) -> tuple[list[str], dict[str, dict], dict]:
    """Everything a search reads: the articles in index order, each one's stored fields (text, dates, entities,
    near-duplicate cluster, signature), and the archive-wide entity map."""
    with open_for_reading(index_dir).searcher() as searcher:
        docs = [dict(d) for d in searcher.documents()]
    return [d["id"] for d in docs], {d["id"]: d for d in docs}, read_entities_file(index_dir)


def run_cli(args: list[str], **kwargs) -> subprocess.Popen:
    argv = [sys.executable, "-m", "search", "index", *args, "--quiet", "--json"]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for_first_commit(index_dir: Path, process: subprocess.Popen) -> None:
    """Until the run has committed once (a table of contents past generation 0), or has ended."""
    end = time.monotonic() + RUN_SECONDS
    while time.monotonic() < end and process.poll() is None:
        if any(int(p.stem.rsplit("_", 1)[1]) >= 1 for p in index_dir.glob("_MAIN_*.toc")):
            return
        time.sleep(0.05)
    raise AssertionError(f"the run never committed: {process.communicate()[1][-2000:]}")


def test_index_built_on_a_dask_cluster_equals_the_local_index(cluster, articles, local_index, tmp_path):
    cluster.start_scheduler()
    cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for_workers(2)
    index_dir = tmp_path / "index"
    summary = index_paths(articles, index_dir, cluster=cluster.address, commit_every=COMMIT_EVERY)
    assert summary.added == REUTERS_SAMPLE + 5 and not summary.skipped
    order, fields, entity_map = contents(index_dir)
    local_order, local_fields, local_map = contents(local_index)
    assert order == local_order
    assert fields == local_fields
    assert entity_map == local_map
    assert any(json.loads(f["entities_json"])["people"] for f in fields.values())  # entities were found
    assert len({f["cluster"] for f in fields.values()}) < len(fields)  # and near-duplicates grouped


IN_FLIGHT = 4  # far below the default (16 per worker) and the run's ~24 tasks, so the bound is what stops submitting


def scheduler_task_counts(address: str, stop: threading.Event) -> list[int]:
    """Sample, until ``stop``, how many tasks the scheduler holds (submitted and not yet released by the writer)."""
    from distributed import Client

    counts: list[int] = []

    def sample() -> None:
        with Client(address, timeout=60, set_as_default=False) as client:
            while not stop.is_set():
                counts.append(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)))
                stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stop.sampler = sampler  # type: ignore[attr-defined]
    return counts


def test_the_writer_never_has_more_tasks_in_flight_than_asked_locally_or_on_dask(
    cluster, articles, local_index, tmp_path
):
    local = index_paths(articles, tmp_path / "local", workers=2, commit_every=COMMIT_EVERY, in_flight=IN_FLIGHT)
    assert local.peak_in_flight == IN_FLIGHT  # reached, never passed
    assert contents(tmp_path / "local") == contents(local_index)  # the bound changes when, not what, is written

    cluster.start_scheduler()
    cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for_workers(2)
    stop = threading.Event()
    held = scheduler_task_counts(cluster.address, stop)
    try:
        on_dask = index_paths(
            articles, tmp_path / "dask", cluster=cluster.address, commit_every=COMMIT_EVERY, in_flight=IN_FLIGHT
        )
    finally:
        stop.set()
        stop.sampler.join(timeout=60)  # type: ignore[attr-defined]
    assert on_dask.added == REUTERS_SAMPLE + 5
    assert on_dask.peak_in_flight == IN_FLIGHT
    # Seen from the scheduler: the tasks it holds for the writer (whose results are released once written) never
    # pass the bound either, so the scheduler's memory does not grow with the archive.
    assert held and max(held) <= IN_FLIGHT, held
    assert max(held) >= 1  # the sampler saw the run's tasks, not only an idle scheduler
    assert contents(tmp_path / "dask") == contents(local_index)


def test_a_worker_killed_mid_run_loses_nothing(cluster, articles, local_index, tmp_path):
    cluster.start_scheduler()
    doomed = cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for_workers(2)
    index_dir = tmp_path / "index"
    args = [*map(str, articles), "--index", str(index_dir), "--cluster", cluster.address]
    run = run_cli([*args, "--commit-every", str(COMMIT_EVERY), "--in-flight", "6"])
    try:
        wait_for_first_commit(index_dir, run)
        cluster.kill(doomed)
        assert run.poll() is None, "the run ended before the worker was killed: the test proved nothing"
        out, err = run.communicate(timeout=RUN_SECONDS)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, err[-3000:]
    summary = json.loads(out)
    assert summary["added"] == REUTERS_SAMPLE + 5 and summary["skipped"] == []
    assert contents(index_dir) == contents(local_index)


def test_a_lost_scheduler_stops_the_run_with_the_last_commit_intact_and_a_rerun_finishes(
    cluster, articles, local_index, tmp_path
):
    cluster.start_scheduler()
    cluster.add_worker()
    cluster.wait_for_workers(1)
    index_dir = tmp_path / "index"
    args = [*map(str, articles), "--index", str(index_dir), "--commit-every", str(COMMIT_EVERY)]
    run = run_cli([*args, "--cluster", cluster.address])
    try:
        wait_for_first_commit(index_dir, run)
        cluster.kill(cluster.scheduler)
        out, err = run.communicate(timeout=RUN_SECONDS)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 1, (out, err[-3000:])
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"error: lost the Dask scheduler at {cluster.address}")
    assert "last committed index is intact" in last
    assert "Traceback" not in err
    committed = open_for_reading(index_dir).doc_count()
    assert committed % COMMIT_EVERY == 0 and 0 < committed < REUTERS_SAMPLE + 5

    with LocalCluster(tmp_path / "again", {"NLTK_DATA": os.environ.get("NLTK_DATA", "")}) as again:
        again.start_scheduler()
        again.add_worker()
        rerun = run_cli([*args, "--cluster", again.address])
        out, err = rerun.communicate(timeout=RUN_SECONDS)
    assert rerun.returncode == 0, err[-3000:]
    assert json.loads(out)["added"] == REUTERS_SAMPLE + 5 - committed
    # Every article with its fields, entities and cluster (the order of articles and the entity map's aliases,
    # gathered from the articles a run writes, are those of an update run, not of one fresh run).
    assert contents(index_dir)[1] == contents(local_index)[1]


def test_a_worker_that_cannot_enrich_is_named_before_any_work(cluster, seeds_dir, tmp_path):
    cluster.start_scheduler()
    cluster.add_worker()
    empty = tmp_path / "no-nltk-data"
    empty.mkdir()
    broken = cluster.add_worker({"NLTK_DATA": str(empty), "SEARCH_NLTK_DIR": str(empty), "HOME": str(empty)})
    cluster.wait_for_workers(2)
    index_dir = tmp_path / "index"
    with pytest.raises(ClusterError, match=r"Dask worker tcp://127\.0\.0\.1:\d+ cannot enrich: NltkDataMissing") as err:
        index_paths([seeds_dir], index_dir, cluster=cluster.address)
    assert broken.poll() is None
    assert "punkt_tab" in str(err.value)
    assert open_for_reading(index_dir).doc_count() == 0


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path, seeds_dir):
    from tests.helpers.dask_cluster import _free_port

    address = f"tcp://127.0.0.1:{_free_port()}"
    run = run_cli([str(seeds_dir), "--index", str(tmp_path / "index"), "--cluster", address])
    _out, err = run.communicate(timeout=RUN_SECONDS)
    assert run.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot reach the Dask scheduler at {address}: "), err
