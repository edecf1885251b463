"""Scale: archives of distinct articles (bench.archive_gen) at 20k, 100k, 300k and 1M, measured side by side.

At each size, in one run: indexing with entities (2 workers) and without, wall and CPU seconds, articles per
second, the indexer's peak RSS and PSS, the index against the raw text, the entity-map stage; adding 1,000 new
articles while the service answers; the service as `make serve` runs it (gunicorn, 2 workers, result cache off):
time to its first answer, PSS after warm-up and after the query mixes, how soon a new commit is seen; in-process
search with facets and highlighting over three mixes of queries typed once (short archivist queries, 10-word and
40-word natural-language queries), p50/p95/p99; HTTP at 8 clients; tantivy at every size and stock Whoosh up to
--stock-max articles as baselines over the same texts.

Run: .venv/bin/python -m bench.scale [--sizes 20000 100000 300000 1000000] [--write]   (hours at 1M; `make bench-scale`)
Archives are generated into $BENCH_WORK/scale (a temporary folder by default), never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from bench.archive_gen import write_archive
from bench.http_speed import LUA, _free_port, run_wrk, start_server, stop_server
from bench.index_speed import WORK, child_stock, child_tantivy  # noqa: F401 (run in child steps)
from bench.machine import describe, machine_info
from bench.procmem import dir_bytes, run_child, tree_memory
from bench.report import REPO, percentile, publish, table

SECTION = "## Scale"
PLOTS = REPO / "bench" / "plots"
SCALE_WORK = WORK / "scale"
SIZES = (20_000, 100_000, 300_000, 1_000_000)
ADDED = 1_000
MIX_SIZES = {"short": 200, "10-word": 100, "40-word": 50}
_WORDS = re.compile(r"[A-Za-z][a-z]{3,}")
_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "have",
        "were",
        "said",
        "will",
        "would",
        "which",
        "their",
        "there",
        "they",
        "been",
        "about",
        "after",
    ]
)


# -- archives ----------------------------------------------------------------------------------------------------
def archive(size: int, seed: int) -> tuple[Path, dict]:
    """The first ``size`` articles of the stream, generated once into the scratch folder (reused when present)."""
    folder = SCALE_WORK / f"archive-{size}-s{seed}"
    meta_path = folder.with_suffix(".json")
    if meta_path.exists():
        return folder, json.loads(meta_path.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    meta = write_archive(folder, size, seed)
    meta["generate_seconds"] = round(time.perf_counter() - t0, 1)
    meta_path.write_text(json.dumps(meta))
    return folder, meta


def _records(folder: Path, limit: int) -> list[dict]:
    out: list[dict] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            out += [json.loads(line) for line in lines]
        if len(out) >= limit:
            break
    return out[:limit]


def query_mixes(folder: Path, seed: int) -> dict[str, list[str]]:
    """Queries typed once, drawn from the archive's own text: 1-3 title words or a quoted pair, and 10-word or
    40-word stretches of body text (what a researcher pastes in)."""
    rng = random.Random(seed)
    recs = _records(folder, 5_000)
    mixes: dict[str, list[str]] = {"short": [], "10-word": [], "40-word": []}
    while len(mixes["short"]) < MIX_SIZES["short"]:
        words = [w.lower() for w in _WORDS.findall(rng.choice(recs)["title"]) if w.lower() not in _STOP]
        if not words:
            continue
        k = rng.randint(1, min(3, len(words)))
        start = rng.randrange(len(words) - k + 1)
        chosen = words[start : start + k]
        q = f'"{chosen[0]} {chosen[1]}"' if k == 2 and rng.random() < 0.3 else " ".join(chosen)
        mixes["short"].append(q)
    for name, n in (("10-word", 10), ("40-word", 40)):
        while len(mixes[name]) < MIX_SIZES[name]:
            words = _WORDS.findall(rng.choice(recs)["body"])
            if len(words) > n:
                start = rng.randrange(len(words) - n)
                mixes[name].append(" ".join(words[start : start + n]).lower())
    for name in mixes:
        seen: set[str] = set()
        mixes[name] = [q for q in mixes[name] if not (q in seen or seen.add(q))]
    return mixes


# -- children (each step in its own process, so its memory and CPU are its own) ---------------------------------
def child_index(src: str, index: str, entities: bool) -> None:
    """The product's indexer, 2 workers, as `python -m search index` runs it."""
    from bench.index_speed import child_product

    child_product(src, index, 2, entities)


def child_search(index: str, mixes_file: str) -> None:
    """search() with facets and highlighting (the web page's request) over each mix, every query once."""
    import resource

    from search.query import SearchRequest, open_index, search

    t0 = time.perf_counter()
    archive_ = open_index(index)
    search(archive_, SearchRequest(q="first"))
    first = time.perf_counter() - t0
    out: dict[str, object] = {"open_and_first_search_s": round(first, 3), "mixes": {}}
    for name, queries in json.loads(Path(mixes_file).read_text()).items():
        times, totals = [], []
        for q in queries:
            t = time.perf_counter()
            totals.append(search(archive_, SearchRequest(q=q)).total)
            times.append((time.perf_counter() - t) * 1000)
        out["mixes"][name] = _percentiles(times) | {"queries": len(times), "zero_hits": totals.count(0)}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = usage.ru_utime + usage.ru_stime
    out["maxrss_mb"] = usage.ru_maxrss / 1024
    print(json.dumps(out))


def child_tantivy_search(index: str, mixes_file: str) -> None:
    import tantivy

    ix = tantivy.Index.open(index)
    ix.reload()
    searcher = ix.searcher()
    out: dict[str, object] = {"mixes": {}}
    for name, queries in json.loads(Path(mixes_file).read_text()).items():
        times = []
        for q in queries:
            t = time.perf_counter()
            result = searcher.search(ix.parse_query(q, ["title", "body"]), 10)
            _ = [searcher.doc(addr)["id"] for _, addr in result.hits]
            times.append((time.perf_counter() - t) * 1000)
        out["mixes"][name] = _percentiles(times)
    print(json.dumps(out))


def _percentiles(times: list[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(times, p), 2) for p in (50, 95, 99)}


def _step(call: str) -> dict:
    run = run_child(f"from bench.scale import *; {call}")
    return {**run.result, "seconds": round(run.seconds, 1), "rss_mb": run.peak_rss_mb, "pss_mb": run.peak_pss_mb}


# -- the service --------------------------------------------------------------------------------------------------
def _get(port: int, path: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
        return resp.read()


def service(index: Path, src: Path, size: int, seed: int, mixes: dict[str, list[str]], scratch: Path) -> dict:
    """Start the service, measure its first answer and memory, load it with wrk, then add 1,000 articles while
    it answers and time how soon the new commit is visible."""
    port = _free_port()
    t0 = time.perf_counter()
    server = start_server(index, port, 2, scratch / f"server-{size}.log", {"RESULT_CACHE": "0"})
    out: dict[str, object] = {}
    try:
        _get(port, "/api/search?q=market")
        out["first_answer_s"] = round(time.perf_counter() - t0, 2)
        proc = psutil.Process(server.pid)
        paths = [f"/?q={urllib.parse.quote(q)}" for qs in mixes.values() for q in qs]
        for p in paths[:40]:
            _get(port, p)
        out["pss_warm_mb"] = round(tree_memory(proc, pss=True), 1)
        (scratch / "paths.txt").write_text("\n".join(paths) + "\n")
        (scratch / "mix.lua").write_text(LUA)
        http = run_wrk(port, 8, 20, scratch / "paths.txt", scratch / "mix.lua")
        out["http"] = {k: http[k] for k in ("rps", "p50", "p99", "errors", "requests")}
        out["pss_after_mb"] = round(tree_memory(proc, pss=True), 1)
        out["add"] = add_articles(index, src, size, seed, port, proc)
    finally:
        stop_server(server)
    return out


def add_articles(index: Path, src: Path, size: int, seed: int, port: int, proc: psutil.Process) -> dict:
    """Index the next 1,000 articles of the stream beside the archive while the service is polled; the new commit
    is seen when /healthz counts more articles (a worker reopens the index on its next request)."""
    extra = src.parent / f"added-{size}-s{seed}"
    shutil.rmtree(extra, ignore_errors=True)
    write_archive(extra, size + ADDED, seed, start=size)
    before = _count(port)
    cpu0 = sum(p.cpu_times().user + p.cpu_times().system for p in proc.children(recursive=True))
    polls, failures = 0, 0
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "search", "index", str(src), str(extra), "--index", str(index), "--workers", "2"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while child.poll() is None:
        try:
            _get(port, "/api/search?q=market&per_page=1", timeout=10)
        except OSError:
            failures += 1
        polls += 1
        time.sleep(0.5)
    indexed = time.perf_counter() - t0
    seen = None
    for _ in range(600):  # the first answer after a commit may be slow: it is what is measured here
        if _count(port, timeout=300) > before:
            seen = time.perf_counter() - t0 - indexed
            break
        time.sleep(0.1)
    cpu = sum(p.cpu_times().user + p.cpu_times().system for p in proc.children(recursive=True)) - cpu0
    return {
        "seconds": round(indexed, 1),
        "exit": child.returncode,
        "polls": polls,
        "poll_failures": failures,
        "visible_after_s": None if seen is None else round(seen, 2),
        "workers_cpu_s_during": round(cpu, 2),
    }


def _count(port: int, timeout: float = 60) -> int:
    stats = json.loads(_get(port, "/healthz", timeout))
    return int(stats.get("documents", 0))


# -- one size, all sizes -------------------------------------------------------------------------------------------
def measure_size(size: int, args: argparse.Namespace) -> dict:
    src, meta = archive(size, args.seed)
    print(f"[{size}] archive: {meta}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"scale-{size}-", dir=SCALE_WORK))
    mixes = query_mixes(src, args.seed)
    mixes_file = scratch / "mixes.json"
    mixes_file.write_text(json.dumps(mixes))
    res: dict[str, object] = {"size": size, "archive": meta, "load_before": os.getloadavg()[0]}
    ix = scratch / "index"
    res["index"] = _step(f"child_index({str(src)!r}, {str(ix)!r}, True)")
    res["index"]["bytes"] = dir_bytes(ix)
    print(f"[{size}] indexed with entities: {res['index']['seconds']} s", flush=True)
    if not args.skip_no_entities:
        plain = scratch / "index-plain"
        res["index_plain"] = _step(f"child_index({str(src)!r}, {str(plain)!r}, False)")
        shutil.rmtree(plain, ignore_errors=True)
    res["search"] = _step(f"child_search({str(ix)!r}, {str(mixes_file)!r})")
    print(f"[{size}] search: {res['search']['mixes']}", flush=True)
    tix = scratch / "tantivy"
    res["tantivy_index"] = _step(f"child_tantivy({str(src)!r}, {str(tix)!r})")
    res["tantivy_index"]["bytes"] = dir_bytes(tix)
    res["tantivy_search"] = _step(f"child_tantivy_search({str(tix)!r}, {str(mixes_file)!r})")
    shutil.rmtree(tix, ignore_errors=True)
    if size <= args.stock_max:
        stock = scratch / "stock"
        res["stock_index"] = _step(f"child_stock({str(src)!r}, {str(stock)!r}, 1)")
        shutil.rmtree(stock, ignore_errors=True)
    res["service"] = service(ix, src, size, args.seed, mixes, scratch)
    res["load_after"] = os.getloadavg()[0]
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return res


def run(args: argparse.Namespace) -> dict:
    SCALE_WORK.mkdir(parents=True, exist_ok=True)
    res: dict[str, object] = {"machine": machine_info(), "seed": args.seed, "sizes": {}}
    for size in args.sizes:
        res["sizes"][str(size)] = measure_size(size, args)
    return res


def render(res: dict) -> str:
    sizes = res["sizes"]
    base = sizes[min(sizes, key=int)]
    base_cpu = base["index"]["cpu"] / int(base["size"])
    rows = []
    for s in sizes.values():
        n, ix, srch, svc = int(s["size"]), s["index"], s["search"], s["service"]
        raw = s["archive"]["raw_bytes"]
        rows.append(
            [
                f"{n:,}",
                f"{ix['seconds']:.0f} / {ix['cpu']:.0f}",
                f"{n / ix['seconds']:.0f}",
                f"{ix['cpu'] / n / base_cpu:.2f}",
                f"{ix['rss_mb'] / 1000:.2f} / {ix['pss_mb'] / 1000:.2f}",
                f"{ix['bytes'] / raw:.2f}",
                f"{ix['copies']}",
                f"{ix['stages'].get('entity map', 0):.1f}",
                f"{srch['open_and_first_search_s']:.1f}",
                " / ".join(f"{srch['mixes'][m]['p95']:.0f}" for m in MIX_SIZES),
                " / ".join(f"{s['tantivy_search']['mixes'][m]['p95']:.1f}" for m in MIX_SIZES),
                f"{svc['first_answer_s']:.1f}",
                f"{svc['pss_warm_mb']:.0f} / {svc['pss_after_mb']:.0f}",
                f"{svc['http']['rps']:.0f} ({svc['http']['errors']} err)",
                f"{svc['add']['seconds']:.0f} ({svc['add']['poll_failures']} failed polls)",
            ]
        )
    header = [
        "articles",
        "index wall / CPU s",
        "art./s",
        "CPU per art. vs smallest",
        "indexer peak RSS / PSS GB",
        "index / raw",
        "exact copies",
        "entity map s",
        "open + first search s",
        "search p95 ms short / 10w / 40w",
        "tantivy p95 ms",
        "service first answer s",
        "service PSS MB warm / after",
        "HTTP req/s, 8 clients, cache off",
        "add 1,000 s",
    ]
    lines = [
        SECTION,
        "",
        f"Machine: {describe(res['machine'])}. Generated by `make bench-scale` (bench/scale.py) on archives made by",
        "bench/archive_gen.py from the shared corpus (distinct articles: names, figures and typos vary; ~5% near-"
        "duplicate reprints, ~1% exact copies; the `exact copies` column counts the articles that took the indexer's "
        "copy shortcut). Search: every query typed once, facets and highlighting on, p99 in bench/results/scale.json.",
        "",
        table(header, rows),
    ]
    return "\n".join(lines) + "\n"


def plot(res: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = res["sizes"]
    xs = [int(s["size"]) for s in sizes.values()]
    figures = {
        "index-seconds": ("indexing wall seconds", [s["index"]["seconds"] for s in sizes.values()]),
        "index-memory": ("indexer peak PSS (MB)", [s["index"]["pss_mb"] for s in sizes.values()]),
        "search-p95": ("search p95 ms (10-word)", [s["search"]["mixes"]["10-word"]["p95"] for s in sizes.values()]),
        "service-pss": ("service PSS MB after mixes", [s["service"]["pss_after_mb"] for s in sizes.values()]),
    }
    PLOTS.mkdir(parents=True, exist_ok=True)
    for name, (label, ys) in figures.items():
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.plot(xs, ys, marker="o")
        ax.set_xscale("log")
        ax.set_xlabel("articles")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(PLOTS / f"scale-{name}.png", dpi=110)
        plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--stock-max", type=int, default=100_000, help="stock Whoosh only up to this many articles")
    p.add_argument("--skip-no-entities", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the indexes in the scratch folder")
    p.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md and the plots")
    args = p.parse_args(argv)
    res = run(args)
    publish(SECTION, "scale", res, render(res), args.write)
    if args.write:
        plot(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
