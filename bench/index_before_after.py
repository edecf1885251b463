"""Before/after for the indexer's speed work: the same Reuters subset indexed by an older revision of the code
and by this one, entity extraction stubbed out in both (the indexer's own cost, not the NLP's).

Run: .venv/bin/python -m bench.index_before_after [--before d872189] [--limit 5000] [--workers 1 2] [--repeats 2]
Prints CPU seconds (user+system of the process tree, steady on a shared machine), wall time and index size.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bench.corpora.reuters_text import articles, write_jsonl
from bench.index_speed import PER_FILE
from bench.machine import describe
from bench.procmem import dir_bytes
from bench.report import REPO, median_spread, table

BEFORE = "d872189"  # the indexer as it stood before the speed work (issue 8)

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import search.enrich.pipeline as pipeline
from search.enrich.entities import DocEntities
pipeline.extract_entities = lambda *a, **k: DocEntities()  # the indexer alone: no NLP in either revision
from search.index.writer import index_paths
t0 = time.perf_counter()
summary = index_paths([{src!r}], {ix!r}, workers={workers})
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps({{"wall": time.perf_counter() - t0, "cpu": cpu, "docs": summary.documents}}))
"""


def export(rev: str, dest: Path) -> Path:
    """The repository's search package at `rev`, unpacked under dest (the shared NLTK data is found as usual)."""
    data = subprocess.run(["git", "archive", rev, "search"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def run_once(root: Path, src: Path, ix: Path, workers: int) -> dict[str, float]:
    shutil.rmtree(ix, ignore_errors=True)
    code = CHILD.format(root=str(root), src=str(src), ix=str(ix), workers=workers)
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["index_bytes"] = dir_bytes(ix)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="before-after-"))
    try:
        src = scratch / "records"
        write_jsonl(list(articles())[: args.limit], src, per_file=PER_FILE)
        roots = {f"before ({args.before})": export(args.before, scratch / "before"), "after (this tree)": REPO}
        rows = []
        for workers in args.workers:
            results: dict[str, list[dict]] = {name: [] for name in roots}
            for _ in range(args.repeats):
                for name, root in roots.items():  # interleaved, so drifting machine load hits both alike
                    results[name].append(run_once(root, src, scratch / "ix", workers))
            for name, runs in results.items():
                rows.append(
                    [
                        name,
                        workers,
                        median_spread([r["cpu"] for r in runs]),
                        median_spread([r["wall"] for r in runs]),
                        f"{runs[-1]['index_bytes'] / 1e6:.1f}",
                    ]
                )
        print(f"Machine: {describe()}; {args.limit} Reuters articles, entities stubbed out in both revisions.")
        print(table(["code", "workers", "CPU s", "wall s", "index MB"], rows))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
