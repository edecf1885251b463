"""Slow-loris clients against the service, with and without nginx in front (docs/deploying.md).

16 clients each open a request and send one header line every 5 s; meanwhile /healthz is asked 5 times, one after
another, and each answer's time (or its failure at a 30 s client timeout) is kept. First against gunicorn as
`make serve` runs it (2 workers x 4 threads), then through nginx with deploy/nginx.conf in front of the same
gunicorn. Prints a table for the "Hostile requests" part of BENCHMARKS.md (needs Debian's nginx).

Run: .venv/bin/python -m bench.slow_clients
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import requests

from bench.http_speed import _free_port, start_server, stop_server
from bench.machine import describe
from bench.report import REPO, publish, table

SLOW_CLIENTS = 16
REQUESTS = 5


def _attack(port: int, base: str, path: str) -> dict[str, object]:
    from tests.helpers.nginx import start_slow_clients

    slow, threads = start_slow_clients(port, SLOW_CLIENTS, path, every_s=5.0, max_lines=12)
    times: list[float | None] = []
    for _ in range(REQUESTS):
        start = time.monotonic()
        try:
            ok = requests.get(base + "/healthz", timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        times.append(round(time.monotonic() - start, 2) if ok else None)
    for thread in threads:
        thread.join(timeout=70)
    return {"times_s": times, "slow_clients_cut_off": sum(c.cut_off for c in slow)}


def run() -> dict[str, object]:
    from search.ingest import index_paths
    from tests.helpers.nginx import nginx

    scratch = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    index_paths([REPO / "samples"], scratch / "index", workers=1)
    port = _free_port()
    server = start_server(scratch / "index", port, 2, scratch / "server.log", {"PROXY_HOPS": "1"})
    try:
        direct = _attack(port, f"http://127.0.0.1:{port}", "/")
        (scratch / "nginx").mkdir()
        nginx_port = _free_port()
        with nginx(scratch / "nginx", nginx_port, f"127.0.0.1:{port}", "") as site:
            proxied = _attack(nginx_port, site, "/")
    finally:
        stop_server(server)
    return {"machine": describe(), "load": os.getloadavg(), "gunicorn": direct, "nginx": proxied}


def render(res: dict[str, object]) -> str:
    def times(row: dict) -> str:
        return ", ".join("timed out (30 s)" if t is None else f"{t:.2f} s" for t in row["times_s"])

    rows = [
        ["gunicorn alone (2 workers x 4 threads)", times(res["gunicorn"]), res["gunicorn"]["slow_clients_cut_off"]],
        ["nginx (deploy/nginx.conf) in front", times(res["nginx"]), res["nginx"]["slow_clients_cut_off"]],
    ]
    load = ", ".join(f"{x:.1f}" for x in res["load"])
    head = f"Run on {res['machine']}; load average {load}; `.venv/bin/python -m bench.slow_clients`."
    header = ["served by", f"/healthz x{REQUESTS} while {SLOW_CLIENTS} clients dribble headers", "slow clients cut off"]
    return head + "\n\n" + table(header, rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    res = run()
    publish("#### Hostile requests", "reliability_slow_clients", res, render(res), write=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
