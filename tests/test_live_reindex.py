"""Searches keep answering while an indexer adds and updates articles, and move to each new commit without a restart.

Searches run the whole time in this process (the search core) and over HTTP against real gunicorn (two workers)
serving the same index. No search may fail; every count seen must be one the index really had at some commit;
by the end both see the last commit, including updated and added articles.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from search.query import SearchRequest, open_index, search
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
MARKER = "quokka"  # a word only the new and the updated articles carry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(index_dir: Path, workers: int = 2, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """Real gunicorn serving wsgi:app on a free loopback port; yields the base URL."""
    port = free_port()
    env = {**os.environ, "SEARCH_INDEX": str(index_dir), "SEARCH_ACCESS_LOG": "/dev/null"}
    cmd = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    proc = subprocess.Popen([*cmd, *extra], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "gunicorn exited"
            try:
                if requests.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def articles_matching(payload: dict) -> int:
    """Matching articles in an /api/search answer asked with versions=all (every version counted, so the
    date buckets add up over articles, not stories)."""
    facets = payload["facets"]
    return sum(b["count"] for b in facets["dates"]) + facets["undated"]


@dataclass
class Watch:
    """What one searching thread saw."""

    name: str
    totals: list[int] = field(default_factory=list)
    marker_totals: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def _in_process(index_dir: Path, stop: threading.Event, watch: Watch) -> None:
    archive = open_index(index_dir)  # opened once: new commits must show up without reopening
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            everything = search(archive, SearchRequest(q="article", collapse=False, per_page=5))
            marked = search(archive, SearchRequest(q=MARKER, collapse=False, facets=False))
            watch.totals.append(everything.total)
            watch.marker_totals.append(marked.total)
        except Exception as exc:
            watch.errors.append(f"{type(exc).__name__}: {exc}")
        watch.latencies.append(time.perf_counter() - t0)


def _over_http(base: str, stop: threading.Event, watch: Watch) -> None:
    session = requests.Session()
    queries = ["article", f"{MARKER}", '"the council"', "harbour OR ferry", "budg*", "minister -mayor"]
    n = 0
    while not stop.is_set():
        q = queries[n % len(queries)]
        n += 1
        t0 = time.perf_counter()
        try:
            response = session.get(base + "/api/search", params={"q": q, "per_page": 5, "versions": "all"}, timeout=30)
            if response.status_code != 200:
                watch.errors.append(f"{q!r}: HTTP {response.status_code}: {response.text[:200]}")
                continue
            payload = response.json()
            if q == "article":
                watch.totals.append(articles_matching(payload))
            if q == MARKER:
                watch.marker_totals.append(articles_matching(payload))
            if n % 7 == 0 and payload["hits"]:
                doc = session.get(base + "/api/documents/" + payload["hits"][0]["id"], timeout=30)
                if doc.status_code != 200:
                    watch.errors.append(f"document {payload['hits'][0]['id']}: HTTP {doc.status_code}")
        except (requests.RequestException, ValueError, KeyError) as exc:
            watch.errors.append(f"{q!r}: {type(exc).__name__}: {exc}")
        watch.latencies.append(time.perf_counter() - t0)


@dataclass
class LiveRun:
    before: int
    after: int
    updated: int
    watches: list[Watch]
    indexer_seconds: float
    commits: int


def run_live_reindex(
    tmp: Path, initial: int, added: int, updated: int, commit_every: int, http_clients: int = 2, rounds: int = 1
) -> LiveRun:
    """Index ``initial`` articles, serve them, then add/update articles in ``rounds`` indexer runs while searching."""
    source, index_dir = tmp / "articles", tmp / "index"
    files = write_articles(source, initial)
    first = subprocess.run(
        [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    stop = threading.Event()
    watches = [Watch("in-process")] + [Watch(f"http-{n}") for n in range(http_clients)]
    commits = 0
    with gunicorn(index_dir) as base:
        threads = [threading.Thread(target=_in_process, args=(index_dir, stop, watches[0]))]
        threads += [threading.Thread(target=_over_http, args=(base, stop, w)) for w in watches[1:]]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # searches see the old commit first
        started = time.monotonic()
        per_round = added // rounds
        for r in range(rounds):
            new = write_articles(source, per_round, seed=1000 + r, start=initial + r * per_round)
            for path in new + files[r * (updated // rounds) : (r + 1) * (updated // rounds)]:
                path.write_text(path.read_text() + f"\nUpdate: the {MARKER} sanctuary opened.\n")
            gen_before = _generation(index_dir)
            cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--quiet"]
            run = subprocess.run(
                [*cmd, "--workers", "2", "--commit-every", str(commit_every)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            assert run.returncode == 0, run.stderr
            commits += _generation(index_dir) - gen_before
        indexer_seconds = time.monotonic() - started
        # Keep searching until every watcher has seen the last commit (bounded; a miss fails below).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(w.totals and w.totals[-1] == initial + added for w in watches):
            time.sleep(0.2)
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return LiveRun(initial, initial + added, updated, watches, indexer_seconds, commits)


def _generation(index_dir: Path) -> int:
    return max((int(p.stem.rsplit("_", 1)[1]) for p in index_dir.glob("_MAIN_*.toc")), default=-1)


def check_live_run(run: LiveRun) -> None:
    """The properties every live re-index run must have."""
    for watch in run.watches:
        assert not watch.errors, f"{watch.name}: {len(watch.errors)} failed searches, e.g. {watch.errors[:3]}"
        assert watch.totals, f"{watch.name} never searched"
        assert watch.totals[0] == run.before, f"{watch.name} first saw {watch.totals[0]}, not the old commit"
        assert watch.totals[-1] == run.after, f"{watch.name} never saw the new commit: last {watch.totals[-1]}"
        assert all(run.before <= t <= run.after for t in watch.totals), f"{watch.name}: impossible count"
        assert watch.marker_totals[-1] == run.after - run.before + run.updated, f"{watch.name}: updates missing"
    in_process = run.watches[0].totals
    assert in_process == sorted(in_process), "the in-process archive went back to an older commit"
    assert len(set(in_process)) >= 2, "searches never saw an intermediate state"


@pytest.mark.slow
def test_searches_never_fail_and_follow_each_commit_while_the_indexer_runs(tmp_path: Path) -> None:
    run = run_live_reindex(tmp_path, initial=20, added=30, updated=5, commit_every=10)
    check_live_run(run)
    searches = sum(len(w.latencies) for w in run.watches)
    print(f"{searches} searches during {run.indexer_seconds:.1f} s of indexing, {run.commits} commits, 0 failed")
