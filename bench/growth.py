"""Growth: the archive at 1x, 5x and 10x Reuters-21578 (the same articles with new ids and dates shifted by whole
years): indexing time, index size and search percentiles at each size, and a PNG plot of them.

Run: .venv/bin/python -m bench.growth [--write] [--factors 1 5 10] [--entities]
Entities are off by default (index_paths(entities=False), `python -m search index --no-entities`) so that the
10x archive indexes within the hour on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

from bench.corpora.reuters_text import articles, multiplied, raw_text_bytes, record, write_jsonl
from bench.index_speed import PER_FILE, WORK
from bench.machine import describe, machine_info
from bench.procmem import dir_bytes, run_child
from bench.report import REPO, RESULTS, table, write_section

SECTION = "## Growth"
PLOT = REPO / "bench" / "plots" / "growth.png"


def build(factor: int, work: Path, entities: bool, repeats: int = 1) -> dict[str, object]:
    """Write the archive at `factor` times Reuters and index it afresh `repeats` times in a child process
    (2 workers); the median run's time and CPU, with every run's kept for the spread."""
    src, ix = work / f"growth-{factor}x", work / f"growth-{factor}x-index"
    items = list(multiplied(list(articles()), factor))
    shutil.rmtree(src, ignore_errors=True)
    write_jsonl(items, src, per_file=PER_FILE)
    raw = raw_text_bytes([record(a) for a in items])
    runs = []
    for _ in range(max(1, repeats)):
        shutil.rmtree(ix, ignore_errors=True)
        step = run_child(
            f"from bench.index_speed import child_product; child_product({str(src)!r}, {str(ix)!r}, 2, {entities})"
        )
        runs.append({"seconds": step.seconds, "cpu": step.result["cpu"], "rss_mb": step.peak_rss_mb})
    return {
        "factor": factor,
        "docs": len(items),
        "raw_bytes": raw,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "rss_mb": max(r["rss_mb"] for r in runs),
        "runs": runs,
        "index_bytes": dir_bytes(ix),
        "index": str(ix),
        "source": str(src),
    }


def _base_note(repeats: int) -> str:
    if repeats < 2:
        return "1x was indexed once. "
    return (
        f"Every ratio divides by the 1x figure, so 1x is indexed {repeats} times and its median taken "
        "(square brackets: the spread over the runs). "
    )


def _spread(s: dict[str, object], key: str) -> str:
    """' (min-max over n runs)' when the size was indexed more than once."""
    runs = s.get("runs") or []
    if len(runs) < 2:
        return ""
    values = [r[key] for r in runs]
    return f" [{min(values):.0f}-{max(values):.0f}, {len(runs)} runs]"


def search_percentiles(index_dir: str, rounds: int) -> dict[str, float]:
    """The search_speed mix without entity filters (entities are off here), facets and highlighting on."""
    code = (
        "import json; from pathlib import Path; "
        "from bench.search_speed import product_runner, query_mix, measure; "
        "from search.query import SearchRequest, open_index, search, Sort; "
        f"archive = open_index({index_dir!r}); "
        "mix = [q for q in query_mix('x', 'x') if not (q.people or q.places)]; "
        "run = lambda item: search(archive, SearchRequest(q=item.q, date_from=item.date_from, date_to=item.date_to, "
        "page=item.page, sort=Sort(item.sort))).total; "
        f"m = measure(run, mix, {rounds}); print(json.dumps(m))"
    )
    return run_child(code).result


def render(res: dict[str, object]) -> str:
    base = res["sizes"][0]
    rows = []
    for s in res["sizes"]:
        grow = s["docs"] / base["docs"]
        rows.append(
            [
                f"{s['factor']}x",
                s["docs"],
                f"{s['raw_bytes'] / 1e6:.0f}",
                f"{s['seconds']:.0f} ({s['seconds'] / base['seconds'] / grow:.2f}){_spread(s, 'seconds')}",
                f"{s['cpu']:.0f} ({s['cpu'] / base['cpu'] / grow:.2f}){_spread(s, 'cpu')}",
                f"{s['docs'] / s['seconds']:.0f}",
                f"{s['index_bytes'] / 1e6:.0f} ({s['index_bytes'] / s['raw_bytes']:.2f}x raw)",
                f"{s['search']['p50']:.1f}",
                f"{s['search']['p95']:.1f}",
                f"{s['search']['p99']:.1f}",
            ]
        )
    return "\n".join(
        [
            SECTION,
            "",
            f"Machine: {describe(res['machine'])}. Run: `.venv/bin/python -m bench.growth --write`.",
            "Data: Reuters-21578 repeated (copy k has new ids and dates k years earlier), JSONL files of "
            f"{PER_FILE} records; indexed with 2 workers, entities {'on' if res['entities'] else 'off'}; search = the "
            f"search_speed mix without entity filters, facets and highlighting on, {res['rounds']} rounds.",
            "In brackets: seconds per article relative to 1x (1.00 = linear). "
            + _base_note(res.get("base_repeats", 1))
            + "On a shared machine wall times drift "
            "with other jobs; CPU seconds of the indexing process tree drift less (but two busy cores still slow "
            "each other's caches).",
            *([f"\n{res['notes']}"] if res.get("notes") else []),
            "",
            table(
                [
                    "size",
                    "articles",
                    "raw MB",
                    "index s (vs linear)",
                    "CPU s (vs linear)",
                    "docs/s",
                    "index MB",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                ],
                rows,
            ),
            "",
            "![growth](bench/plots/growth.png)",
            "",
        ]
    )


def plot(res: dict[str, object]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = res["sizes"]
    docs = [s["docs"] / 1000 for s in sizes]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    axes[0].plot(docs, [s["seconds"] for s in sizes], "o-", label="measured")
    axes[0].plot(docs, [sizes[0]["seconds"] * s["docs"] / sizes[0]["docs"] for s in sizes], "--", label="linear")
    axes[0].set(title="Indexing time", xlabel="articles (thousands)", ylabel="seconds")
    axes[0].legend()
    axes[1].plot(docs, [s["index_bytes"] / 1e6 for s in sizes], "o-", label="index")
    axes[1].plot(docs, [s["raw_bytes"] / 1e6 for s in sizes], "--", label="raw text")
    axes[1].set(title="Index size", xlabel="articles (thousands)", ylabel="MB")
    axes[1].legend()
    for key in ("p50", "p95", "p99"):
        axes[2].plot(docs, [s["search"][key] for s in sizes], "o-", label=key)
    axes[2].set(title="Search latency", xlabel="articles (thousands)", ylabel="ms")
    axes[2].legend()
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md and the plot")
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--entities", action="store_true", help="index with entities (slow at 10x)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--base-repeats", type=int, default=3, help="times the smallest size is indexed (median)")
    parser.add_argument("--keep", action="store_true", help="keep the grown archives and indexes")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument(
        "--render-only", action="store_true", help="re-write the section and plot from the last results"
    )
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    res: dict[str, object] = {
        "machine": machine_info(),
        "entities": args.entities,
        "rounds": args.rounds,
        "base_repeats": args.base_repeats,
        "sizes": [],
    }
    if args.render_only:
        _publish(json.loads((RESULTS / "growth.json").read_text()), args.write)
        return 0
    for factor in args.factors:
        size = build(factor, args.work, args.entities, args.base_repeats if factor == min(args.factors) else 1)
        size["search"] = search_percentiles(size["index"], args.rounds)
        res["sizes"].append(size)
        print(
            f"{factor}x: {size['docs']} docs, {size['seconds']:.0f} s, index {size['index_bytes'] / 1e6:.0f} MB, "
            f"search p50 {size['search']['p50']:.1f} ms p95 {size['search']['p95']:.1f} ms",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(size["source"], ignore_errors=True)
            shutil.rmtree(size["index"], ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "growth.json").write_text(json.dumps(res, indent=2))
    _publish(res, args.write)
    return 0


def _publish(res: dict[str, object], write: bool) -> None:
    """Print the section; with ``write``, also draw the plot and put the section into BENCHMARKS.md."""
    text = render(res)
    print(text)
    if write:
        plot(res)
        write_section(SECTION, text)


if __name__ == "__main__":
    sys.exit(main())
