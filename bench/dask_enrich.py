"""Enrichment on Dask distributed vs the local process pool, and the single writer's own ceiling.

Same sitting, same Reuters subset (JSONL records, entities on): articles per second and CPU seconds of the writer
process, of the workers and of the scheduler, with 1, 2 and 4 Dask workers (scheduler and each single-threaded
worker a separate process on loopback) against this machine's local pool; then the writer alone, fed results
enriched beforehand, which is where adding machines stops helping. Run: python -m bench.dask_enrich [--write]

With --memory: back-pressure instead. The writer (its own process, as `python -m search index` is) indexes two
archive sizes at two --in-flight bounds on a 2-worker Dask cluster; peak RSS and PSS of the writer and peak RSS
of the scheduler, which should follow the bound and not the archive size.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import resource
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.corpora.reuters_text import articles, write_jsonl
from bench.machine import describe, machine_info
from bench.procmem import run_child
from bench.report import median_spread, publish, table
from search.ingest import index_paths
from search.ingest import run as run_module
from search.ingest.fanout import Fanout, LocalProcesses
from tests.helpers.dask_cluster import LocalCluster

SECTION = "## Enrichment on Dask distributed"
MEMORY_SECTION = "## Enrichment on Dask distributed: writer and scheduler memory"
MEMORY_COMMIT_EVERY = 500  # every run commits several times, so the sizes differ in archive, not in one buffer


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _Sampler:
    """CPU seconds and peak resident memory of some processes, sampled every 0.2 s while a run goes."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(p) for p in pids]
        self.peak_rss = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._cpu0 = {p.pid: sum(p.cpu_times()[:2]) for p in self.procs}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for p in self.procs:
                with contextlib.suppress(psutil.Error):
                    self.peak_rss[p.pid] = max(self.peak_rss[p.pid], p.memory_info().rss)

    def stop(self) -> dict[int, float]:
        self._stop.set()
        self._thread.join()
        cpu = {}
        for p in self.procs:
            try:
                cpu[p.pid] = sum(p.cpu_times()[:2]) - self._cpu0[p.pid]
            except psutil.Error:
                cpu[p.pid] = float("nan")
        return cpu


def _run(paths: list[Path], **kwargs: Any) -> dict[str, float]:
    index_dir = Path(tempfile.mkdtemp(prefix="dask-bench-index-"))
    try:
        cpu0, child0, t0 = _cpu_self(), _cpu_children(), time.perf_counter()
        summary = index_paths(paths, index_dir, commit_every=5000, **kwargs)
        wall = time.perf_counter() - t0
        return {
            "articles": summary.added,
            "wall_s": wall,
            "writer_cpu_s": _cpu_self() - cpu0,
            "children_cpu_s": _cpu_children() - child0,
            "skipped": len(summary.skipped),
        }
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)


def run_local(paths: list[Path], workers: int) -> dict[str, float]:
    out = _run(paths, workers=workers)
    out["workers_cpu_s"] = out.pop("children_cpu_s")
    return out


def run_dask(paths: list[Path], workers: int, folder: Path) -> dict[str, float]:
    with LocalCluster(folder, {"NLTK_DATA": os.environ.get("NLTK_DATA", "")}) as cluster:
        cluster.start_scheduler()
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_for_workers(workers)
        pids = [cluster.scheduler.pid, *(w.pid for w in cluster.workers)]
        sampler = _Sampler(pids)
        out = _run(paths, cluster=cluster.address)
        cpu = sampler.stop()
    out.pop("children_cpu_s")
    out["workers_cpu_s"] = sum(cpu[w] for w in pids[1:])
    out["scheduler_cpu_s"] = cpu[pids[0]]
    out["scheduler_peak_mb"] = sampler.peak_rss[pids[0]] / 1e6
    out["worker_peak_mb"] = max(sampler.peak_rss[w] for w in pids[1:]) / 1e6
    return out


def run_memory(paths: list[Path], in_flight: int, folder: Path, workers: int = 2) -> dict[str, float]:
    """One run of the writer as a child process on a fresh cluster; its peak memory and the scheduler's."""
    code = (
        "import json; from search.ingest import index_paths; "
        f"s = index_paths({[str(p) for p in paths]!r}, {str(folder / 'index')!r}, cluster=ADDRESS, "
        f"in_flight={in_flight}, commit_every={MEMORY_COMMIT_EVERY}); "
        "print(json.dumps({'added': s.added, 'skipped': len(s.skipped), 'peak_in_flight': s.peak_in_flight}))"
    )
    with LocalCluster(folder / "cluster", {"NLTK_DATA": os.environ.get("NLTK_DATA", "")}) as cluster:
        cluster.start_scheduler()
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_for_workers(workers)
        sampler = _Sampler([cluster.scheduler.pid])
        child = run_child(code.replace("ADDRESS", repr(cluster.address)))
        cpu = sampler.stop()
    return {
        **child.result,
        "wall_s": child.seconds,
        "writer_peak_rss_mb": child.peak_rss_mb,
        "writer_peak_pss_mb": child.peak_pss_mb,
        "scheduler_peak_mb": sampler.peak_rss[cluster.scheduler.pid] / 1e6,
        "scheduler_cpu_s": cpu[cluster.scheduler.pid],
    }


def memory_main(args: argparse.Namespace, work: Path) -> None:
    """Writer and scheduler peak memory at two archive sizes and two in-flight bounds, interleaved."""
    sizes, bounds = args.sizes, args.in_flight
    items = list(itertools.islice(articles(), max(sizes)))
    paths = {}
    for size in sizes:
        paths[size] = [work / f"records-{size}"]
        write_jsonl(items[:size], paths[size][0], per_file=500)
    runs: dict[str, list[dict[str, float]]] = {}
    loads = [os.getloadavg()[0]]
    for repeat in range(args.repeats):
        for size in sizes:
            for bound in bounds:
                result = run_memory(paths[size], bound, work / f"memory-{repeat}-{size}-{bound}")
                result["load"] = os.getloadavg()[0]
                loads.append(result["load"])
                runs.setdefault(f"{size}/{bound}", []).append(result)
                print(size, bound, {k: round(v, 1) for k, v in result.items()}, flush=True)
    rows = []
    for size in sizes:
        for bound in bounds:
            rs = runs[f"{size}/{bound}"]
            rows.append(
                [
                    f"{size:,}",
                    bound,
                    max(r["peak_in_flight"] for r in rs),
                    median_spread([r["writer_peak_rss_mb"] for r in rs], 0),
                    median_spread([r["writer_peak_pss_mb"] for r in rs], 0),
                    median_spread([r["scheduler_peak_mb"] for r in rs], 0),
                    median_spread([r["added"] / r["wall_s"] for r in rs], 0),
                ]
            )
    header = [
        "articles",
        "--in-flight",
        "most tasks in flight",
        "writer peak RSS MB",
        "writer peak PSS MB",
        "scheduler peak RSS MB",
        "articles/s",
    ]
    text = "\n".join(
        [
            MEMORY_SECTION,
            "",
            f"`python -m bench.dask_enrich --memory` (the first {' and '.join(f'{n:,}' for n in sizes)} Reuters-21578 "
            f"articles as JSONL records of 500 a file, a task being up to 32 records; entities on; a commit every "
            f"{MEMORY_COMMIT_EVERY} articles; {args.repeats} runs each, interleaved; median (range)). The writer "
            "runs in its own process, as `python -m search index --cluster` does, on a fresh 2-worker cluster each "
            "run; its resident memory (RSS) and proportional share (PSS) are sampled every 0.25 s (PSS every 1 s), "
            f"the scheduler's RSS every 0.2 s. {describe(machine_info())}; load average "
            f"{min(loads):.1f}-{max(loads):.1f} during the runs.",
            "",
            table(header, rows),
            "",
        ]
    )
    publish(MEMORY_SECTION, "dask_enrich_memory", {"machine": machine_info(), "runs": runs}, text, args.write)


class _Replay(Fanout):
    """Results enriched beforehand, handed back at once: the writer runs alone."""

    def __init__(self, results: dict) -> None:
        self.results = results

    def submit(self, fn, *args):
        task = args[0]
        docs = getattr(task, "docs", None)
        if docs is None:
            return _Ready(self.results[("f", task.src.rel)])
        # Records are batched as copies are found, which depends on timing: look each article up by its id.
        return _Ready([self.results[("d", d.id)] for d in docs if ("d", d.id) in self.results])


class _Ready:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _key(task: Any) -> tuple:
    docs = getattr(task, "docs", None)
    return ("d", tuple(d.id for d in docs)) if docs is not None else ("f", task.src.rel)


class _Record(Fanout):
    """The local pool, keeping every result for the replay."""

    def __init__(self, workers: int, results: dict) -> None:
        from search.enrich.pipeline import warm_up

        self.pool = LocalProcesses(workers, warm_up)
        self.slots = self.pool.slots
        self.results = results

    def __enter__(self) -> Fanout:
        self.pool.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.__exit__(*exc)

    def submit(self, fn, *args):
        future = self.pool.submit(fn, *args)
        key, results = _key(args[0]), self.results

        class _Keep:
            def result(self) -> Any:
                out = future.result()
                if key[0] == "f":
                    results[key] = out
                for item in out:
                    if hasattr(item, "enriched"):
                        results[("d", item.enriched.doc.id)] = item
                return out

        return _Keep()


def run_writer_alone(paths: list[Path]) -> dict[str, float]:
    """Index once with the local pool keeping every result, then again from the kept results (writer only)."""
    results: dict = {}
    original = run_module.make_fanout
    try:
        run_module.make_fanout = lambda *a, **k: _Record(2, results)
        _run(paths, workers=2)
        run_module.make_fanout = lambda *a, **k: _Replay(results)
        out = _run(paths, workers=2)
    finally:
        run_module.make_fanout = original
    out.pop("children_cpu_s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="put the section into BENCHMARKS.md")
    parser.add_argument("--memory", action="store_true", help="writer and scheduler memory vs size and --in-flight")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000], help="archive sizes (--memory)")
    parser.add_argument("--in-flight", type=int, nargs="+", default=[4, 32], help="bounds (--memory)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dask-bench-"))
    try:
        if args.memory:
            memory_main(args, work)
            return
        items = list(itertools.islice(articles(), args.articles))
        paths = [work / "records"]
        write_jsonl(items, paths[0], per_file=500)
        configs = [("local pool, 2 processes", "local", 2)] + [(f"Dask, {n} workers", "dask", n) for n in (1, 2, 4)]
        configs.append(("writer alone (enriched beforehand)", "writer", 0))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in configs}
        loads = [os.getloadavg()[0]]
        for repeat in range(args.repeats):
            for name, kind, n in configs:
                if kind == "local":
                    result = run_local(paths, n)
                elif kind == "dask":
                    result = run_dask(paths, n, work / f"cluster-{repeat}-{n}")
                else:
                    result = run_writer_alone(paths)
                result["load"] = os.getloadavg()[0]
                loads.append(result["load"])
                runs[name].append(result)
                print(name, {k: round(v, 2) for k, v in result.items()}, flush=True)
        base = statistics.median(r["articles"] / r["wall_s"] for r in runs[configs[0][0]])
        rows = []
        for name, kind, _ in configs:
            rs = runs[name]
            rate = [r["articles"] / r["wall_s"] for r in rs]
            rows.append(
                [
                    name,
                    median_spread(rate, 0),
                    f"{statistics.median(rate) / base:.2f}",
                    median_spread([1000 * r["writer_cpu_s"] / r["articles"] for r in rs], 2),
                    median_spread([1000 * r.get("workers_cpu_s", 0) / r["articles"] for r in rs], 1)
                    if kind != "writer"
                    else "-",
                    median_spread([r["scheduler_cpu_s"] for r in rs], 1) if kind == "dask" else "-",
                    median_spread([r["scheduler_peak_mb"] for r in rs], 0) if kind == "dask" else "-",
                ]
            )
        header = [
            "enrichment",
            "articles/s",
            "vs local pool",
            "writer CPU ms/article",
            "worker CPU ms/article",
            "scheduler CPU s",
            "scheduler peak MB",
        ]
        text = "\n".join(
            [
                SECTION,
                "",
                f"`python -m bench.dask_enrich` ({args.articles} Reuters-21578 articles as JSONL records, entities on, "
                f"{args.repeats} runs each, interleaved; median (range)). {describe(machine_info())}; load average "
                f"{min(loads):.1f}-{max(loads):.1f} during the runs (the machine is shared: compare rows, not "
                "absolute rates). Dask: a scheduler and single-threaded workers (`--nthreads 1 --no-nanny`) as "
                "separate processes on loopback; the probe that loads each worker's models counts in the run, as "
                "the local pool's warm-up does.",
                "",
                table(header, rows),
                "",
            ]
        )
        publish(SECTION, "dask_enrich", {"machine": machine_info(), "runs": runs}, text, args.write)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
