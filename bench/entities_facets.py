"""Facet values an archivist can trust: the 200 most frequent values of each entity facet on all of Reuters-21578,
each with the reviewed judgement of ``bench/entities_facets_judged.tsv`` (junk, a variant of another value, or
fine), and the count of junk values and of variants left apart per facet.

Judgements are made by reading the articles a value comes from (never copied here).  A value the list does not
know yet is printed as ``?`` with a few of its aliases and articles, to be judged and added.  The archive's facet
values are those of the product: ``extract_entities`` per article, then the archive-wide ``EntityMap``.

Run: ``.venv/bin/python -m bench.entities_facets [--workers 2] [--top 200] [--reuse]`` (``--reuse`` reads the
articles' raw values saved by the last run from ``bench/out`` instead of extracting them again; ``--table
FILE`` only judges the top lists a run saved, e.g. the run of an older checkout).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.corpora.reuters import articles
from bench.entities_reuters import (
    OUT,
    TYPES,
    _product_chunk,
    org_names,
    place_index,
    recall_and_precision,
    run_parallel,
    with_archive_map,
)
from bench.machine import describe, machine_info

JUDGED = Path(__file__).resolve().parent / "entities_facets_judged.tsv"
RAW = OUT / "entities_facets_raw.json"
VERDICTS = ("ok", "junk", "variant")


def load_judgements(path: Path = JUDGED) -> dict[tuple[str, str], dict[str, str]]:
    """(type, value) -> {verdict, of, cause}: ``of`` names the value a variant belongs with; ``cause`` says which
    rule made a junk value (or which merge left a variant apart)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            if row["verdict"] not in VERDICTS:
                raise ValueError(f"{path}: {row['type']} {row['value']!r}: verdict must be one of {VERDICTS}")
            out[(row["type"], row["value"])] = {k: row.get(k) or "" for k in ("verdict", "of", "cause")}
    return out


def facet_table(docs: list[dict], top: int) -> dict[str, list[tuple[str, int]]]:
    """The ``top`` most frequent canonical values of each type (articles per value)."""
    return {t: Counter(v for d in docs for v in d[t]).most_common(top) for t in TYPES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--top", type=int, default=200)
    ap.add_argument("--reuse", action="store_true", help="reuse the raw values of the last run (bench/out)")
    ap.add_argument("--limit", type=int, default=None, help="first N articles only (for trying the script)")
    ap.add_argument("--show", type=int, default=4, help="articles shown for a value not judged yet")
    ap.add_argument("--table", type=Path, help="judge the top lists of a saved run (its entities_facets.json) only")
    args = ap.parse_args()
    if args.table:
        tables = json.loads(args.table.read_text())["top"]
        report(tables, load_judgements(), args.top)
        return
    print(describe(machine_info()))
    arts = list(articles(limit=args.limit))
    if args.reuse and RAW.exists():
        raw = json.loads(RAW.read_text())
    else:
        t0 = time.perf_counter()
        raw = run_parallel(_product_chunk, arts, args.workers)
        print(f"extracted {len(arts)} articles in {time.perf_counter() - t0:.0f} s on {args.workers} processes")
        OUT.mkdir(exist_ok=True)
        RAW.write_text(json.dumps(raw))
    with tempfile.TemporaryDirectory() as td:
        docs = with_archive_map(raw, Path(td))
    tagged = [i for i, a in enumerate(arts) if a["people"] or a["orgs"] or a["places"]]
    rec = recall_and_precision([arts[i] for i in tagged], [docs[i] for i in tagged], org_names(), place_index())
    print(
        f"facet recall on {len(tagged)} tagged articles: people {rec['recall_person']:.3f}, organisations "
        f"{rec['recall_organization']:.3f}, places {rec['recall_place']:.3f}; place precision proxy "
        f"{rec['place_precision_proxy']:.3f}"
    )
    judged = load_judgements()
    tables = facet_table(docs, args.top)
    summary = report(tables, judged, args.top)
    for t in TYPES:
        for value, _n in tables[t]:
            if (t, value) in judged:
                continue
            where = [i for i, d in enumerate(docs) if value in d[t]][: args.show]
            aliases = sorted({a for i in where for a in docs[i][t][value]} - {value})[:8]
            print(f"  ? {t} {value!r}: aliases {aliases}; articles " + ", ".join(arts[i]["id"] for i in where))
    OUT.mkdir(exist_ok=True)
    (OUT / "entities_facets.json").write_text(json.dumps({"summary": summary, "recall": rec, "top": tables}, indent=1))


def report(
    tables: dict[str, list[tuple[str, int]]], judged: dict[tuple[str, str], dict[str, str]], top: int
) -> dict[str, dict[str, int]]:
    """Print the judged top-``top`` table of each facet and the junk and variant counts; return the counts."""
    summary: dict[str, dict[str, int]] = {}
    unjudged = 0
    for t in TYPES:
        rows = tables[t][:top]
        counts: Counter[str] = Counter()
        print(f"\n## {t}: top {len(rows)}")
        print("| # | value | articles | judgement | cause |")
        print("|---|---|---|---|---|")
        for rank, (value, n) in enumerate(rows, 1):
            j = judged.get((t, value))
            verdict = j["verdict"] if j else "?"
            counts[verdict] += 1
            note = j["cause"] if j else ""
            if j and j["verdict"] == "variant":
                note = f"same as {j['of']}: {note}"
            print(f"| {rank} | {value} | {n} | {verdict} | {note} |")
        summary[t] = {v: counts[v] for v in (*VERDICTS, "?")}
        unjudged += counts["?"]
    print("\n| facet | values | junk | variants left apart | not judged |")
    print("|---|---|---|---|---|")
    for t in TYPES:
        s = summary[t]
        print(f"| {t} | {sum(s.values())} | {s['junk']} | {s['variant']} | {s['?']} |")
    by_verdict: dict[str, list[str]] = defaultdict(list)
    for t in TYPES:
        for value, _n in tables[t][:top]:
            j = judged.get((t, value))
            if j and j["verdict"] != "ok":
                by_verdict[f"{t} {j['verdict']}"].append(value)
    for k, values in sorted(by_verdict.items()):
        print(f"{k}: {', '.join(values)}")
    if unjudged:
        print(f"{unjudged} values not judged yet: judge them in {JUDGED.name}")
    return summary


if __name__ == "__main__":
    main()
