"""Index size against the raw text: where the bytes go (per part, per field), and search speed on each index.

Run: .venv/bin/python -m bench.index_size --raw FOLDER --index before=DIR after=DIR [--search] [--write]
FOLDER holds the JSONL records the indexes were built from (its title and body bytes are the raw text). Writes
the subsection "### Index size: before and after" at the end of "## Indexing speed" in BENCHMARKS.md with
--write (again from the saved results with --render-only, e.g. after bench.index_speed rewrote its section).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections import Counter
from pathlib import Path

from bench.machine import describe, machine_info
from bench.report import BENCHMARKS, RESULTS, percentile, table

SECTION = "## Indexing speed"
SUBSECTION = "### Index size: before and after"
NAME = "index_size"
PARTS = {  # file kind in a segment -> the name a reader knows it by
    "_stored.col": "stored fields",
    "pst": "postings",
    "trm": "term file",
    "minhash.col": "signatures",
}

# How the size came down, step by step (5,000 Reuters articles, the first five JSONL files, entities off unless
# said; each figure measured beside the one before it on this machine, 2026-11-22, commits named).
STEPS = [
    "Before (InliningCodec, up to c23b19a: Whoosh's W3 codec with single-article postings inlined): 14.97 MB, "
    "3.65x raw; with entities 21.67 MB, 5.29x.",
    "e6454e6 compact codec (posting blocks as varints and arrays, term infos as varints, stored fields zlib'd in "
    "16 KB blocks, positions as varints): 6.50 MB, 1.59x.",
    "5e7751f term file of sorted records without hash tables, inlined term infos reduced to their postings: "
    "5.55 MB, 1.35x (term file 1.93 -> 0.98 MB).",
    "53db013 stored blocks compressed with a zlib dictionary sampled from the segment; hashes as 16 bytes: "
    "stored 2.10 -> 1.83 MB.",
    "2d47d31 entities.json without indentation (beside the index, counted in its size): 6.4 -> 4.2 MB on all of "
    "Reuters.",
    "d34ec4e keys front-coded in blocks: 4.84 MB, 1.18x (term file 0.98 -> 0.69 MB).",
    "e987377 term lookups as fast as Whoosh's (first keys in memory, blocks of 8), stored blocks of 8 KB (random "
    "article reads 2x cheaper): 4.95 MB, 1.21x.",
    "f474807 posting lists of up to 15 articles inlined: 4.86 MB, 1.19x.",
    "ae05cd3 source-path and cluster columns in zlib'd blocks: 4.67 MB, 1.14x; with entities 21.67 -> 7.15 MB "
    "(5.29x -> 1.74x, of which entities.json 1.36 MB).",
    "0140fdc entity map gzipped (entities.json.gz, 4.23 -> 0.45 MB on all of Reuters): all of Reuters with "
    "entities 29.23 MB, 1.66x -> 25.4 MB, 1.44x (bench.index_speed, 2026-11-23 00:13 UTC, product workers=2).",
]

# What each remaining part holds and what it would take to make it smaller (the figures come from the run).
WHY = {
    "stored fields": "the articles as shown (title, body, dates, entity lists and their aliases as JSON), pickled "
    "and zlib'd in 8 KB blocks with a per-segment dictionary; news text does not go much below 0.45x with zlib. "
    "Left: the entity lists are stored twice (people/organizations/places strings and entities_json, about 0.05x; "
    "the query core reads both); a stronger compressor (lzma, brotli 11) takes 10-20% more off at 5-10x the "
    "read time.",
    "term file": "about 154,000 distinct terms per segment set (a term in five segments is written five times), "
    "each a front-coded key and its statistics; terms of up to 15 articles carry their postings inline. Merging "
    "the five segments of all of Reuters into one (Whoosh's optimize) took 29.23 MB to 27.20 MB (1.54x) for 56 CPU "
    "seconds, which the indexing-speed goal cannot spare on every run.",
    "postings": "document ids as deltas in the narrowest array type, frequencies as small integers, positions as "
    "varint deltas (phrases need them in title, body and the entity-word fields), zlib'd per block of 128.",
    "signatures": "one 128-byte MinHash per article for near-duplicate clustering, read in bulk by the next "
    "incremental run; random bytes do not compress. Fewer permutations (search/enrich/duplicates.py) would cut it, "
    "at the cost of duplicate-detection recall.",
    "other columns": "field lengths (1 byte per article per field), source and content hashes (16 bytes each, "
    "incompressible), the sortable id and date, and the block-compressed path and cluster columns.",
    "entities.json.gz": "the archive-wide entity map (every canonical value, its variants and counts) that facets "
    "and the authority file use, beside the index; gzipped since 2026-11-23 (4.23 MB of JSON -> 0.45 MB on all of "
    "Reuters, -0.22x). Older indexes' plain entities.json still loads and is replaced at their next re-index.",
}


def raw_bytes(folder: Path) -> int:
    """UTF-8 bytes of every record's title and body."""
    total = 0
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                total += len((rec.get("title") or "").encode()) + len((rec.get("body") or "").encode())
    return total


def composition(index_dir: Path) -> dict[str, object]:
    """Bytes per part of the segments, the files beside them, and distinct terms per field."""
    from search.index.storage import index_size, open_for_reading

    ix = open_for_reading(index_dir)
    parts: Counter[str] = Counter()
    segments = ix._segments()
    for seg in segments:
        files = seg.open_compound_file(ix.storage) if seg.is_compound() else ix.storage
        prefix = seg.segment_id()
        for name in files.list():
            if name.startswith(prefix):
                kind = name[len(prefix) + 1 :]
                parts[PARTS.get(kind, "other columns")] += files.file_length(name)
    # The entity map is named after its commit (entities.<generation>.json.gz): reported under one name.
    beside = {
        re.sub(r"^entities\.\d+\.json\.gz$", "entities.json.gz", p.name): p.stat().st_size
        for p in index_dir.iterdir()
        if p.is_file() and not _whoosh_file(p.name)
    }
    with ix.reader() as reader:
        terms = Counter(field for field, _ in reader.all_terms())
    return {
        "total": index_size(index_dir),
        "segments": len(segments),
        "codecs": sorted({type(seg.codec()).__name__ for seg in segments}),
        "parts": dict(parts.most_common()),
        "beside": beside,
        "terms": dict(terms.most_common()),
    }


def _whoosh_file(name: str) -> bool:
    return bool(re.match(r"^(_?MAIN_|\.)", name))


def search_times(indexes: dict[str, Path], rounds: int) -> dict[str, dict[str, float]]:
    """The bench.search_speed query mix (facets and highlighting on) over each index, rounds interleaved."""
    from bench.search_speed import product_runner, query_mix

    runners = {label: product_runner(path) for label, path in indexes.items()}
    first = next(iter(runners.values()))[1]
    mix = query_mix(first["person"], first["place"])
    times: dict[str, list[float]] = {label: [] for label in runners}
    import time

    for run, _ in runners.values():  # warm-up: first touch of postings, columns, caches
        for q in mix:
            run(q)
    for _ in range(rounds):
        for label, (run, _) in runners.items():
            for q in mix:
                t0 = time.perf_counter()
                run(q)
                times[label].append((time.perf_counter() - t0) * 1000)
    return {
        label: {"p50": percentile(ts, 50), "p95": percentile(ts, 95), "runs": len(ts)} for label, ts in times.items()
    }


def render(res: dict[str, object]) -> str:
    raw = res["raw_bytes"]
    mb = 1e6
    lines = [
        SUBSECTION,
        "",
        f"{describe(res['machine'])}. Run: `.venv/bin/python -m bench.index_size {res['argv']}`. "
        f"Load average (1 min) at the start: {res['load']:.1f}.",
        f"Raw text: {raw / mb:.2f} MB of title and body ({res['raw_folder']}). Index size is every file in the "
        "index folder (segments, and the entity map beside them).",
        *([res["note"]] if res.get("note") else []),
        "",
    ]
    names = list(res["indexes"])
    kinds = []
    for label in names:
        for kind in res["indexes"][label]["parts"]:
            if kind not in kinds:
                kinds.append(kind)
    beside = sorted({k for label in names for k in res["indexes"][label]["beside"]})
    rows = []
    for kind in [*kinds, *beside]:
        row = [kind]
        for label in names:
            comp = res["indexes"][label]
            v = comp["parts"].get(kind, comp["beside"].get(kind, 0))
            row.append(f"{v / mb:.2f} MB ({v / raw:.2f}x)")
        rows.append(row)
    rows.append(["**total**", *(f"**{c['total'] / mb:.2f} MB ({c['total'] / raw:.2f}x)**" for c in _each(res))])
    rows.append(["segments", *(str(c["segments"]) for c in _each(res))])
    rows.append(["codec", *(", ".join(c["codecs"]) for c in _each(res))])
    rows.append(["distinct terms", *(f"{sum(c['terms'].values()):,}" for c in _each(res))])
    lines += [table(["part", *names], rows), ""]
    if res.get("search"):
        srows = [[label, f"{m['p50']:.2f}", f"{m['p95']:.2f}", m["runs"]] for label, m in res["search"].items()]
        lines += [
            "Search on each index (bench.search_speed's query mix, facets and highlighting on, rounds interleaved):",
            "",
            table(["index", "p50 ms", "p95 ms", "runs"], srows),
            "",
        ]
    lines += _remaining(res)
    lines += ["Steps (5,000 Reuters articles, entities off unless said):", ""]
    lines += [f"- {s}" for s in STEPS]
    return "\n".join(lines)


def _remaining(res: dict[str, object]) -> list[str]:
    """Where the bytes of the last index in the table go, largest first, with what each part holds."""
    raw = res["raw_bytes"]
    label = list(res["indexes"])[-1]
    comp = res["indexes"][label]
    sizes = {**comp["parts"], **comp["beside"]}
    segments = sum(comp["parts"].values())
    out = [
        f"Where the bytes of '{label}' go: {comp['total'] / raw:.2f}x the raw text in all, of which the Whoosh "
        f"segments {segments / raw:.2f}x and the files beside them {(comp['total'] - segments) / raw:.2f}x.",
        "",
    ]
    for kind, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        if size / raw >= 0.01:
            out.append(f"- {kind}, {size / raw:.2f}x: {WHY.get(kind, '')}".rstrip(": "))
    whole, alone = comp["total"] / raw, segments / raw
    out += [
        "",
        f"Goal (issue 8), index <= 1.5x the raw text: {whole:.2f}x with the entity map "
        f"({'met' if whole <= 1.5 else 'not met'}); the Whoosh index alone {alone:.2f}x "
        f"({'met' if alone <= 1.5 else 'not met'}), when these indexes were measured. Stock Whoosh 2.75x and "
        "tantivy 1.11x (no entity fields) in the table above. The steps below go on past this measurement; the "
        'index of the latest indexing run is in the table of "## Indexing speed".',
    ]
    return [*out, ""]


def _each(res: dict[str, object]):
    return [res["indexes"][label] for label in res["indexes"]]


def write_subsection(text: str) -> None:
    """Put the subsection at the end of the Indexing speed section (replacing an earlier copy)."""
    current = BENCHMARKS.read_text(encoding="utf-8")
    old = re.compile(rf"^{re.escape(SUBSECTION)}\n.*?(?=^##? |\Z)", re.DOTALL | re.MULTILINE)
    current = old.sub("", current, count=1)
    section = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    match = section.search(current)
    if match is None:
        current = current.rstrip("\n") + f"\n\n{SECTION}\n\n{text.rstrip()}\n"
    else:
        body = match.group(0).rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n"
        current = current[: match.start()] + body + current[match.end() :]
    BENCHMARKS.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, help="the JSONL records folder the indexes were built from")
    parser.add_argument("--index", nargs="+", default=[], help="LABEL=DIR, in the order of the table")
    parser.add_argument("--search", action="store_true", help="also time the search mix on each index")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="write the subsection into BENCHMARKS.md")
    parser.add_argument("--render-only", action="store_true", help="re-render the last saved results")
    parser.add_argument("--note", help="how the indexes were built (printed under the machine line)")
    args = parser.parse_args()
    saved = RESULTS / f"{NAME}.json"
    if args.render_only:
        res = json.loads(saved.read_text())
    else:
        indexes = {item.split("=", 1)[0]: Path(item.split("=", 1)[1]) for item in args.index}
        res = {
            "machine": machine_info(),
            "argv": " ".join(f"--{k.replace('_', '-')} {v}" for k, v in (("raw", args.raw),) if v)
            + " --index "
            + " ".join(args.index)
            + (f" --search --rounds {args.rounds}" if args.search else ""),
            "load": os.getloadavg()[0],
            "raw_folder": str(args.raw),
            "raw_bytes": raw_bytes(args.raw),
            "indexes": {label: composition(path) for label, path in indexes.items()},
        }
        if args.search:
            res["search"] = search_times(indexes, args.rounds)
        RESULTS.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(res, indent=2))
    if args.note:
        res["note"] = args.note
        saved.write_text(json.dumps(res, indent=2))
    text = render(res)
    print(text)
    if args.write:
        write_subsection(text)


if __name__ == "__main__":
    main()
