"""Search served from replicas, for real: Debian's nginx balancing two gunicorn services, each reading its own
replica folder, while the primary indexes commit after commit and `python -m search replicate --every` runs for
each replica. Every answer is a 200 from a complete commit, and the last commit reaches both replicas."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from search.index.replica import replicate
from search.ingest import index_paths
from tests.conftest import ROOT, LiveServer, free_port
from tests.helpers.articles import write_articles
from tests.helpers.nginx import NGINX, nginx

pytestmark = pytest.mark.slow

ROUNDS = 4  # indexing runs on the primary while the replicas are served
PER_ROUND = 10  # new articles per run
COMMIT_EVERY = 5  # so every commit holds a multiple of 5 articles: any other count would be a partial commit
VISIBLE_WITHIN_S = 60.0  # the stated time for the last commit to reach both services (a deadline, not a benchmark)


def healthz(base: str) -> tuple[int, int | None]:
    answer = requests.get(f"{base}/healthz", timeout=30)
    return answer.status_code, answer.json().get("documents") if answer.status_code == 200 else None


def test_two_replicas_behind_nginx_serve_every_commit_without_errors(tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (make system-deps installs it)")
    source, primary = tmp_path / "articles", tmp_path / "primary"
    write_articles(source, COMMIT_EVERY)
    index_paths([source], primary, workers=1, entities=False, commit_every=COMMIT_EVERY)
    replicas = [tmp_path / "replica-a", tmp_path / "replica-b"]
    for replica in replicas:
        replicate(primary, replica)

    procs: list[subprocess.Popen] = []
    servers = [LiveServer(r, {"SEARCH_ACCESS_LOG": "/dev/null"}, tmp_path / f"{r.name}.log") for r in replicas]
    stop = threading.Event()
    answers: list[tuple[int, int | None, str]] = []
    stack = ExitStack()
    try:
        for server in servers:
            server.wait_healthy()
        for replica in replicas:  # replication in a loop, as an operator would run it
            argv = [sys.executable, "-m", "search", "replicate", str(primary), str(replica), "--every", "0.2"]
            log = (tmp_path / f"replicate-{replica.name}.log").open("wb")
            procs.append(subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        for replica in replicas:  # each loop has done its first round (says where its replica stands)
            log_path = tmp_path / f"replicate-{replica.name}.log"
            deadline = time.monotonic() + 120
            while " at commit " not in log_path.read_text():
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
        runtime = tmp_path / "nginx"
        runtime.mkdir()
        upstream = "; server ".join(f"127.0.0.1:{s.port}" for s in servers)  # `server A; server B` in the upstream
        site = stack.enter_context(nginx(runtime, free_port(), upstream, ""))

        def client() -> None:  # searches and health checks through nginx, all the while
            while not stop.is_set():
                try:
                    status, documents = healthz(site)
                    answers.append((status, documents, "healthz"))
                    found = requests.get(f"{site}/api/search", params={"q": "harbour"}, timeout=30)
                    answers.append((found.status_code, found.json().get("total"), "search"))
                except (requests.RequestException, ValueError) as exc:  # counted as an error, never lost
                    answers.append((0, None, repr(exc)))

        clients = [threading.Thread(target=client) for _ in range(2)]
        for thread in clients:
            thread.start()
        lags = []
        for round_ in range(ROUNDS):
            write_articles(source, PER_ROUND, seed=round_, start=COMMIT_EVERY + round_ * PER_ROUND)
            index_paths([source], primary, workers=1, entities=False, commit_every=COMMIT_EVERY)
            total = COMMIT_EVERY + (round_ + 1) * PER_ROUND
            committed = time.monotonic()
            for server in servers:  # each service directly: the run's last commit reaches both
                while healthz(server.url.rstrip("/"))[1] != total:
                    assert time.monotonic() - committed < VISIBLE_WITHIN_S, f"{server.url} never saw {total}"
                    time.sleep(0.05)
            lags.append(time.monotonic() - committed)
            while not any(a[1] == total and a[2] == "healthz" for a in answers):  # and it is served through nginx
                assert time.monotonic() - committed < VISIBLE_WITHIN_S, f"nginx never served {total}"
                time.sleep(0.05)
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
    finally:
        stop.set()
        stack.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        for server in servers:
            server.stop()

    assert answers, "no answers were recorded"
    assert [a for a in answers if a[0] != 200] == []  # 0 errors
    counts = {a[1] for a in answers if a[2] == "healthz"}
    assert all(c % COMMIT_EVERY == 0 for c in counts), counts  # only whole commits were ever served
    assert {COMMIT_EVERY + (r + 1) * PER_ROUND for r in range(ROUNDS)} <= counts  # each run's commit was served
    lag = ", ".join(f"{x:.1f}" for x in lags)
    print(f"{len(answers)} answers, 0 errors; commits served {sorted(counts)}; each run's last on both after {lag} s")
