"""SIGKILL the indexer at random moments, many times; check every committed article survives exactly once.

    .venv/bin/python -m bench.crash_trials [--trials 200] [--articles 150]

Each trial forks the real indexer (``index_paths``, the code behind ``python -m search index``; forked so it
shares the loaded NLTK models and starts in milliseconds), kills it with SIGKILL at a random moment (half of
the trials right after one of its commits, half at a random time from its start), then opens the index and
checks: it opens, no id appears twice, and every article of the last commit seen before is still there. Later
rounds change and add files, so kills also land in the middle of updates. A last uninterrupted run must finish
the job (every article present exactly once, every last change in). Figures go to bench/results and the
``## Reliability`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.machine import machine_info
from bench.report import RESULTS

RESULT_FILE = RESULTS / "reliability_crash.json"


@dataclass
class CrashFigures:
    """What a series of SIGKILL trials found."""

    trials: int = 0
    survived: int = 0  # index opened, no duplicate, nothing committed lost
    killed_before_first_commit: int = 0  # the run had not committed yet when killed
    articles: int = 0
    articles_lost: int = 0  # committed articles missing after a kill (must be 0)
    duplicates: int = 0  # ids present more than once after a kill (must be 0)
    unreadable: int = 0  # kills after which the index did not open (must be 0)
    updates_written: int = 0  # file changes made between rounds
    final_run_ok: bool = False
    final_articles: int = 0
    final_changes_in: bool = False
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _index_in_child(source: Path, index_dir: Path, commit_every: int) -> None:
    from search.ingest import index_paths

    index_paths([source], index_dir, workers=1, commit_every=commit_every)


def _generation(index_dir: Path) -> int:
    gens = [int(p.stem.rsplit("_", 1)[1]) for p in index_dir.glob("_MAIN_*.toc")]
    return max(gens, default=-1)


def _stored(index_dir: Path) -> list[dict]:
    from search.index.storage import open_for_reading

    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        return list(searcher.all_stored_fields())


def _kill(proc: multiprocessing.Process, index_dir: Path, rng: random.Random, after_commit: bool) -> bool:
    """SIGKILL the run at a random moment; True if it had committed at least once before dying."""
    start_gen = _generation(index_dir)
    if after_commit:
        deadline = time.monotonic() + 120
        while proc.is_alive() and _generation(index_dir) == start_gen and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.5))
    else:
        time.sleep(rng.uniform(0.0, 2.5))
    if proc.pid is not None and proc.is_alive():
        os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    return _generation(index_dir) != start_gen


def run_trials(trials: int, articles: int, workdir: Path, seed: int = 2026, commit_every: int = 25) -> CrashFigures:
    """Run ``trials`` SIGKILL trials against a fresh index under ``workdir``; never raises on a failed check."""
    from search.enrich.pipeline import warm_up
    from tests.helpers.articles import write_articles

    started = time.perf_counter()
    rng = random.Random(seed)
    source, index_dir = workdir / "articles", workdir / "index"
    files = write_articles(source, articles)
    figures = CrashFigures(articles=articles)
    warm_up()  # loaded once; every forked indexer shares the models
    context = multiprocessing.get_context("fork")
    committed: set[str] = set()
    last_change: dict[str, str] = {}
    for trial in range(trials):
        if len(committed) == len(files):  # all in: change (and add) files so the next run has work to do
            for path in rng.sample(files, min(30, len(files))):
                marker = f"Correction {trial}: the meeting moved to Faro."
                path.write_text(path.read_text() + f"\n{marker}\n")
                last_change[path.name] = marker
                figures.updates_written += 1
            if trial % 10 == 0:
                files += write_articles(source, 5, seed=trial, start=len(files))
        proc = context.Process(target=_index_in_child, args=(source, index_dir, commit_every))
        proc.start()
        if not _kill(proc, index_dir, rng, after_commit=trial % 2 == 0):
            figures.killed_before_first_commit += 1
        figures.trials += 1
        try:
            stored = _stored(index_dir)
        except Exception as exc:  # an index that does not open is the worst outcome: count it, go on
            if committed:
                figures.unreadable += 1
                figures.failures.append(f"trial {trial}: index did not open: {exc}")
            continue
        counts = Counter(f["id"] for f in stored)
        dups = sum(c - 1 for c in counts.values() if c > 1)
        lost = committed - counts.keys()
        figures.duplicates += dups
        figures.articles_lost += len(lost)
        if dups or lost:
            figures.failures.append(f"trial {trial}: {dups} duplicates, lost {sorted(lost)[:5]}")
        else:
            figures.survived += 1
        committed = set(counts)
    figures.articles = len(files)
    proc = context.Process(target=_index_in_child, args=(source, index_dir, commit_every))
    proc.start()
    proc.join()
    figures.final_run_ok = proc.exitcode == 0
    stored = _stored(index_dir)
    ids = [f["id"] for f in stored]
    figures.final_articles = len(set(ids)) if len(ids) == len(set(ids)) else -1
    bodies = {f["id"]: f["body"] for f in stored}
    figures.final_changes_in = all(marker in bodies.get(name, "") for name, marker in last_change.items())
    figures.seconds = round(time.perf_counter() - started, 1)
    return figures


def save(figures: CrashFigures) -> dict:
    """Write the figures (with the machine) to bench/results/reliability_crash.json."""
    record = {"machine": machine_info(), "crash": asdict(figures)}
    RESULT_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.write_text(json.dumps(record, indent=2) + "\n")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--articles", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-trials-") as tmp:
        figures = run_trials(args.trials, args.articles, Path(tmp))
    save(figures)
    from bench.reliability_report import write_reliability_section

    write_reliability_section()
    print(json.dumps(asdict(figures), indent=2))


if __name__ == "__main__":
    main()
