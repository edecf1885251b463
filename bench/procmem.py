"""Run a benchmark step in a child process and sample the peak memory of its whole process tree."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]


@dataclass
class ChildRun:
    """What a child step printed (its last line, as JSON), its wall time and its tree's peak memory."""

    result: dict
    seconds: float
    peak_rss_mb: float  # sum of RSS over the tree (counts pages shared by forked workers once per process)
    peak_pss_mb: float  # sum of PSS: shared pages split between the processes that share them


def tree_memory(proc: psutil.Process, pss: bool = False) -> float:
    """RSS (or PSS) in MB summed over a process and all its descendants."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss if pss else p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 1e6


def run_child(code: str, interval: float = 0.25) -> ChildRun:
    """Run ``python -c code`` from the repo root; the code prints one JSON line last."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)
    peaks = {"rss": 0.0, "pss": 0.0}
    stop = threading.Event()

    def sample() -> None:
        n = 0
        while not stop.is_set():
            try:
                peaks["rss"] = max(peaks["rss"], tree_memory(proc))
                if n % 4 == 0:  # PSS reads smaps: costlier, so sampled less often
                    peaks["pss"] = max(peaks["pss"], tree_memory(proc, pss=True))
            except psutil.NoSuchProcess:
                return
            n += 1
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"benchmark step failed (exit {child.returncode}): {code[:200]}")
    last = [line for line in out.splitlines() if line.strip()][-1]
    return ChildRun(json.loads(last), seconds, round(peaks["rss"], 1), round(peaks["pss"], 1))


def dir_bytes(path: Path) -> int:
    """Bytes on disk of the files under a folder."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
