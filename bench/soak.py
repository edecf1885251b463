"""Soak: gunicorn as `make serve` runs it, 32 locust clients for 10 minutes, an indexer feeding the same index.

    .venv/bin/python -m bench.soak [--seconds 600] [--users 32] [--initial 400]

Builds an index of generated articles, starts the service with `python -m search serve` (gunicorn with the
project's config, 2 workers, loopback), runs locust headless in a second process with bench/locustfile.py, and
meanwhile runs the CLI indexer again and again, each run adding a batch of articles carrying a batch marker word
and updating others. A probe polls the API until each batch's marker is searchable. Server memory (master plus
workers) is sampled every 5 s. Figures go to bench/results/reliability_soak.json and BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

from bench.machine import machine_info
from bench.report import REPO, RESULTS

RESULT_FILE = RESULTS / "reliability_soak.json"
BATCH = 20  # articles added per indexer run
UPDATES = 10  # articles changed per indexer run
SERVE = [sys.executable, "-m", "search", "serve"]
LOCUST = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"), "--headless", "--only-summary"]
LOCUST += ["--loglevel", "WARNING", "--stop-timeout", "10"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Summed RSS of a process and its children (gunicorn master plus workers)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 1e6


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=REPO, capture_output=True, text=True)


class Feeder(threading.Thread):
    """Runs the indexer over and over, adding and updating articles, until told to stop."""

    def __init__(self, source: Path, index_dir: Path, base_url: str, first: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.source, self.index_dir, self.base_url, self.stop = source, index_dir, base_url, stop
        self.next_id = first
        self.added = self.updated = self.runs = self.failed_runs = 0
        self.seen_delays: list[float] = []  # seconds from an indexer run's end to its marker being searchable
        self.first_new_seen: float | None = None
        self.errors: list[str] = []
        self.started = time.monotonic()

    def run(self) -> None:
        from tests.helpers.articles import write_articles

        rng = random.Random(7)
        batch = 0
        while not self.stop.is_set():
            batch += 1
            marker = f"soakbatch{batch}"
            new = write_articles(self.source, BATCH, seed=1000 + batch, start=self.next_id)
            self.next_id += BATCH
            for path in new:
                path.write_text(path.read_text() + f"\nThe {marker} story.\n")
            olds = rng.sample(sorted(self.source.glob("article-*.txt"))[: self.next_id - BATCH], UPDATES)
            for path in olds:
                path.write_text(path.read_text() + f"\nUpdate {marker}: the ferry timetable changed.\n")
            done = _cli("index", str(self.source), "--index", str(self.index_dir), "--quiet", "--json")
            self.runs += 1
            if done.returncode != 0:
                self.failed_runs += 1
                self.errors.append(done.stderr[-500:])
                continue
            summary = json.loads(done.stdout)
            self.added += summary["added"]
            self.updated += summary["updated"]
            finished = time.monotonic()
            while time.monotonic() - finished < 55:  # probe even after stop: the last batch must show up too
                try:
                    r = requests.get(f"{self.base_url}/api/search", params={"q": marker}, timeout=30)
                    if r.status_code == 200 and r.json()["hits"]:
                        self.seen_delays.append(time.monotonic() - finished)
                        if self.first_new_seen is None:
                            self.first_new_seen = time.monotonic() - self.started
                        break
                except (requests.RequestException, ValueError) as exc:
                    self.errors.append(f"probe: {exc}")
                time.sleep(0.5)
            self.stop.wait(5)


def run_soak(seconds: int, users: int, initial: int, workdir: Path) -> dict:
    """Run the whole soak; returns its figures."""
    from tests.helpers.articles import write_articles

    source, index_dir = workdir / "articles", workdir / "index"
    write_articles(source, initial)
    built = _cli("index", str(source), "--index", str(index_dir), "--quiet")
    if built.returncode != 0:
        raise RuntimeError(built.stderr)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SEARCH_ACCESS_LOG": "/dev/null", "SEARCH_LOG_LEVEL": "warning"}
    log = (workdir / "gunicorn.log").open("wb")
    # Exactly what `make serve` runs after building the index.
    server = subprocess.Popen(
        [*SERVE, "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not start: " + (workdir / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.5)
        counts_file = workdir / "counts.json"
        stop = threading.Event()
        feeder = Feeder(source, index_dir, base, initial, stop)
        memory: list[tuple[float, float]] = []
        started = time.monotonic()
        load = subprocess.Popen(
            [*LOCUST, "-u", str(users), "-r", str(max(1, users // 4)), "--run-time", f"{seconds}s", "--host", base],
            cwd=REPO,
            env={**os.environ, "SOAK_COUNTS": str(counts_file)},
            stdout=(workdir / "locust.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        feeder.start()
        while load.poll() is None:
            memory.append((time.monotonic() - started, _rss_mb(server.pid)))
            if time.monotonic() - started > seconds - 60 and not stop.is_set():
                stop.set()  # the last minute: no new batches, the last one must become searchable
            time.sleep(5)
        elapsed = time.monotonic() - started
        stop.set()
        feeder.join(timeout=120)
        counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    first = [rss for t, rss in memory if t <= 60]
    last = [rss for t, rss in memory if t >= elapsed - 60]
    return {
        "seconds": round(elapsed),
        "users": users,
        "server": "python -m search serve: gunicorn gthread, 2 workers x 4 threads, 127.0.0.1",
        "requests": counts.get("requests", 0),
        "server_errors": counts.get("server_errors", 0),
        "malformed": counts.get("malformed", 0),
        "connection_failures": counts.get("connection_failures", 0),
        "unexpected_4xx": counts.get("unexpected_4xx", 0),
        "client_errors": counts.get("client_errors", 0),
        "accepted_bad_parameters": counts.get("accepted_bad_parameters", 0),
        "locust_failures": counts.get("failures", 0),
        "rps": counts.get("rps", 0),
        "p50_ms": counts.get("p50_ms"),
        "p95_ms": counts.get("p95_ms"),
        "p99_ms": counts.get("p99_ms"),
        "rss_first_mb": round(statistics.median(first), 1) if first else None,
        "rss_last_mb": round(statistics.median(last), 1) if last else None,
        "rss_max_mb": round(max(r for _, r in memory), 1) if memory else None,
        "memory": [(round(t), round(r, 1)) for t, r in memory],
        "initial_articles": initial,
        "added": feeder.added,
        "updated": feeder.updated,
        "indexer_runs": feeder.runs,
        "indexer_failed_runs": feeder.failed_runs,
        "batches_searchable": len(feeder.seen_delays),
        "new_searchable": feeder.runs > 0 and len(feeder.seen_delays) == feeder.runs - feeder.failed_runs,
        "first_new_seen_s": round(feeder.first_new_seen, 1) if feeder.first_new_seen else None,
        "searchable_delay_s_median": round(statistics.median(feeder.seen_delays), 2) if feeder.seen_delays else None,
        "feeder_errors": feeder.errors[:5],
        "malformed_examples": counts.get("malformed_examples", []),
        "server_error_examples": counts.get("server_error_examples", []),
        "server_log_errors": _log_errors(workdir / "gunicorn.log"),
    }


def _log_errors(path: Path) -> list[str]:
    """The server log's error lines with the tracebacks that follow them (what each 5xx was), the first few."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    picked: list[str] = []
    for n, line in enumerate(lines):
        if "ERROR" in line or line.startswith("Traceback"):
            block = [line]
            for follow in lines[n + 1 : n + 60]:
                if follow.startswith((" ", "Traceback", "During handling")) or "Error" in follow[:80]:
                    block.append(follow)
                else:
                    break
            picked.append("\n".join(block))
        if len(picked) >= 5:
            break
    return picked


def save(figures: dict) -> None:
    RESULT_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.write_text(json.dumps({"machine": machine_info(), "soak": figures}, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--initial", type=int, default=400)
    parser.add_argument("--no-record", action="store_true", help="do not write results or BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        figures = run_soak(args.seconds, args.users, args.initial, Path(tmp))
    if not args.no_record:
        save(figures)
        from bench.reliability_report import write_reliability_section

        write_reliability_section()
    print(json.dumps({k: v for k, v in figures.items() if k != "memory"}, indent=2))


if __name__ == "__main__":
    main()
