"""A real Dask distributed cluster on loopback: `dask scheduler` and `dask worker` as subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120.0  # start-up deadline on a loaded machine (not a speed assertion)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalCluster:
    """A scheduler and single-threaded workers, each its own process (no nanny: a killed worker stays dead),
    set up as a worker machine is (the project on PYTHONPATH, NLTK_DATA), run from a folder outside the project."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self._logs: list = []

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        self._logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *argv],
            cwd=self.folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def start_scheduler(self) -> None:
        argv = ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"]
        self.scheduler = self._spawn("scheduler", argv, self.env)
        end = time.monotonic() + START_SECONDS
        while time.monotonic() < end and self.scheduler.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"dask scheduler did not start: {self.log('scheduler')[-2000:]}")

    def add_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen:
        n = len(self.workers)
        argv = ["worker", self.address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny"]
        argv += ["--no-dashboard", "--memory-limit", "0", "--local-directory", str(self.folder / f"w{n}")]
        worker = self._spawn(f"worker{n}", argv, {**self.env, **(env or {})})
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=START_SECONDS, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=START_SECONDS)

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)
        for log in self._logs:
            log.close()

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
