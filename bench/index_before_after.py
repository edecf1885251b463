"""Before/after for the indexer's speed work: the same Reuters subset indexed by an older revision of the code
and by this one, entity extraction stubbed out in both (the indexer's own cost, not the NLP's), or with
``--entities`` the whole pipeline.

Run: .venv/bin/python -m bench.index_before_after [--before d872189] [--limit 5000] [--workers 1 2] [--repeats 2]
     [--entities]
Prints CPU seconds (user+system of the process tree, steady on a shared machine), wall time and index size.
"""

from __future__ import annotations

import argparse
import io
import json
import os
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
from bench.report import REPO, median_spread, table, write_section

BEFORE = "d872189"  # the indexer as it stood before the speed work (issue 8)
SECTION = "## Indexing: before and after"
CHANGES = """What changed in the indexer (each change keeps the tests green; the first two leave the index byte-for-byte
equivalent: same stored fields, postings and lengths, checked on 3,000 Reuters articles):

- Analyzer (search/enrich/analysis.py): the token pattern is matched with `re.finditer` instead of NLTK's
  `span_tokenize` (which wraps every match in a timeout guard), and stems are memoised in a plain dict instead of
  Whoosh's LFU wrapper. Same tokens, positions and character spans.
- Writer (search/index/segment.py, writer.py): every indexed field is analysed in the worker processes (the writing
  process only adds postings), and the segment flush reads each field's length column once instead of asking the
  per-document reader once per posting (a file-exists check per posting for fields without lengths).
- Exact copies (same title, body, dateline) are enriched once; the copy reuses the entities and signature.
- Schema: the file path, the two content hashes and the near-duplicate cluster are plain columns, and the body
  length a stored value: none of them is ever searched, and each indexed one cost a term (or eight) per article.
- Posting lists of a single article are inlined in the term dictionary (Whoosh's own inlining path, which fails
  with an AttributeError in whoosh-reloaded 2.7.5, fixed in a codec subclass): same hits and scores.
- An unchanged re-run starts no worker processes and loads no NLTK model.
- Near-duplicate clustering: LSH band keys as ints and candidate similarity in one numpy step (same clusters on
  8,000 Reuters signatures); band rows as tuples, a new row's 64 keys stored by one dict.update.
- Start-up: NLTK imported without scipy.stats (its only use, an optional fisher_exact, is never called; the import
  cost more than the rest of NLTK); the perceptron tagger's and the chunker's derived tables cached on disk
  (search/enrich/model_cache.py, keyed by the NLTK files' size, mtime and hash): 2.6 -> 0.25 CPU s per process.
- Signatures: datasketch's MinHash replaced by the same computation in one numpy step (same bytes on all Reuters).
- Tagger and chunker (search/enrich/entities/tagger.py, chunker.py): each feature's weight row found through
  per-word memos and per-feature tables instead of a formatted string per feature, summed in NLTK's order (same
  tags and chunks on all 206,364 Reuters and 22,236 CoNLL calls), 1.9x faster.
- Analysis: title, body, author and the entity-word fields get their postings from one loop of our own
  (search/enrich/analysis.py positions_postings; same postings as Whoosh's field.index), a third of the CPU.
- Overlap: workers run up to 16 tasks each ahead of the writer, so they keep working while it flushes a segment.
"""

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
if {stub}:
    import search.enrich.pipeline as pipeline
    from search.enrich.entities import DocEntities
    pipeline.extract_entities = lambda *a, **k: DocEntities()  # the indexer alone: no NLP in either revision
try:
    from search.ingest import index_paths
except ImportError:  # a revision from before the conductor moved out of the index writer
    from search.index.writer import index_paths
t0 = time.perf_counter()
summary = index_paths([{src!r}], {ix!r}, workers={workers})
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
wall = time.perf_counter() - t0
print(json.dumps({{"wall": wall, "cpu": cpu, "docs": summary.documents, "load": os.getloadavg()[0]}}))
"""


def export(rev: str, dest: Path) -> Path:
    """The repository's search package at `rev`, unpacked under dest (the shared NLTK data is found as usual)."""
    data = subprocess.run(["git", "archive", rev, "search"], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def run_once(root: Path, src: Path, ix: Path, workers: int, entities: bool = False) -> dict[str, float]:
    shutil.rmtree(ix, ignore_errors=True)
    code = CHILD.format(root=str(root), src=str(src), ix=str(ix), workers=workers, stub=not entities)
    env = {**os.environ, "NLTK_DATA": os.environ.get("NLTK_DATA") or str(REPO / "nltk_data")}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["index_bytes"] = dir_bytes(ix)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--entities", action="store_true", help="the whole pipeline, entity extraction included")
    parser.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
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
                    results[name].append(run_once(root, src, scratch / "ix", workers, args.entities))
            for name, runs in results.items():
                rows.append(
                    [
                        name,
                        workers,
                        median_spread([r["cpu"] for r in runs]),
                        median_spread([r["wall"] for r in runs]),
                        f"{runs[-1]['index_bytes'] / 1e6:.1f}",
                        median_spread([r.get("load", 0.0) for r in runs]),
                    ]
                )
        text = "\n".join(
            [
                SECTION,
                "",
                f"Machine: {describe()}. Run: `.venv/bin/python -m bench.index_before_after --write`.",
                f"Data: the first {args.limit} Reuters-21578 articles as JSONL; "
                + (
                    "the whole pipeline, entities included; "
                    if args.entities
                    else "entity extraction stubbed out in both revisions (this measures the indexer's own cost); "
                )
                + f"before = commit {args.before}; median (min-max) of "
                f"{args.repeats} interleaved runs each. CPU = user+system of the process tree.",
                "",
                table(["code", "workers", "CPU s", "wall s", "index MB", "load (1 min)"], rows),
                "",
                CHANGES,
            ]
        )
        print(text)
        if args.write:
            write_section(SECTION, text)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
