"""In-process search speed on the Reuters-21578 index: the product (facets and highlighting, as the web page asks)
beside stock Whoosh (no facets, no highlighting) and tantivy over the same texts.

Run: .venv/bin/python -m bench.search_speed [--write] [--rounds 30]
Needs the indexes that bench.index_speed leaves in its scratch folder (built here when missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.index_speed import WORK, child_product, child_stock, child_tantivy, prepare, work_paths
from bench.machine import describe, machine_info
from bench.report import RESULTS, percentile, publish, table
from search.enrich.entities.map import map_path

SECTION = "## Search speed"
GOAL_P50_MS, GOAL_P95_MS = 10.0, 30.0


@dataclass(frozen=True)
class ArchivistQuery:
    """One query of the mix: the product's request, and the nearest plain query for the baselines."""

    label: str
    q: str
    plain: str  # stock Whoosh / tantivy query text (filters become words or a date range)
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    sort: str = "relevance"
    extra: dict = field(default_factory=dict)


def query_mix(person: str, place: str) -> list[ArchivistQuery]:
    """The fixed mix: what archivists type (person and place are the archive's most frequent values)."""
    march = (dt.date(1987, 3, 1), dt.date(1987, 3, 31))
    return [
        ArchivistQuery("one word", "coffee", "coffee"),
        ArchivistQuery("two words", "oil prices", "oil prices"),
        ArchivistQuery("three words", "japan trade surplus", "japan trade surplus"),
        ArchivistQuery("phrase", '"money supply"', '"money supply"'),
        ArchivistQuery("person filter", "talks", f"talks {person.split()[-1].lower()}", people=(person,)),
        ArchivistQuery("place filter", "wheat", f"wheat {place.split()[-1].lower()}", places=(place,)),
        ArchivistQuery("date range", "gold", "gold", date_from=march[0], date_to=march[1]),
        ArchivistQuery("fuzzy word", "tarifs~", "tarifs~"),
        ArchivistQuery("deep page", "company", "company", page=50),
        ArchivistQuery("newest first", "dollar", "dollar", sort="newest"),
        ArchivistQuery("most of archive", "reuter", "reuter"),
    ]


# -- systems ---------------------------------------------------------------------------------------------------
def product_runner(index_dir: Path) -> tuple[Callable[[ArchivistQuery], int], dict[str, str]]:
    """search.query.search with facets and snippets on (the web page's request)."""
    from search.query import SearchRequest, Sort, open_index, search, stats

    archive = open_index(index_dir)
    top = stats(archive)
    picks = {"person": top.people[0].value, "place": top.places[0].value}

    def run(item: ArchivistQuery) -> int:
        request = SearchRequest(
            q=item.q,
            people=item.people,
            places=item.places,
            date_from=item.date_from,
            date_to=item.date_to,
            page=item.page,
            sort=Sort(item.sort),
        )
        return search(archive, request).total

    return run, picks


def stock_runner(index_dir: Path) -> Callable[[ArchivistQuery], int]:
    """Stock Whoosh: QueryParser over title and body, top 10 of the requested page, no facets, no highlighting."""
    from whoosh import index as windex
    from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

    ix = windex.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema)
    parser.add_plugin(FuzzyTermPlugin())

    def run(item: ArchivistQuery) -> int:
        text = item.plain
        if item.date_from:
            text += f" date:[{item.date_from:%Y%m%d} to {item.date_to:%Y%m%d}]"
        query = parser.parse(text)
        sortedby = "date" if item.sort != "relevance" else None
        page = searcher.search_page(query, item.page, pagelen=10, sortedby=sortedby, reverse=item.sort == "newest")
        _ = [hit["id"] for hit in page]
        return len(page.results)

    return run


def tantivy_runner(index_dir: Path) -> Callable[[ArchivistQuery], int]:
    """tantivy: its query parser over title and body, top 10 of the page (fuzzy through its fuzzy-field option)."""
    import tantivy

    ix = tantivy.Index.open(str(index_dir))
    ix.reload()
    searcher = ix.searcher()

    def run(item: ArchivistQuery) -> int:
        text = item.plain.replace("~", "")
        fuzzy = {"title": (True, 1, True), "body": (True, 1, True)} if "~" in item.plain else None
        if item.date_from:
            text += f" date:[{item.date_from:%Y-%m-%d}T00:00:00Z TO {item.date_to:%Y-%m-%d}T23:59:59Z]"
        if fuzzy:
            query = ix.parse_query(text, ["title", "body"], fuzzy_fields=fuzzy)
        else:
            query = ix.parse_query(text, ["title", "body"])
        if item.sort != "relevance":
            result = searcher.search(query, 10, offset=(item.page - 1) * 10, order_by_field="date")
        else:
            result = searcher.search(query, 10, offset=(item.page - 1) * 10)
        _ = [searcher.doc(addr)["id"] for _, addr in result.hits]
        return result.count if result.count is not None else len(result.hits)

    return run


def measure(run: Callable[[ArchivistQuery], int], mix: list[ArchivistQuery], rounds: int) -> dict[str, object]:
    """Warm once, then `rounds` passes over the mix; per-query times in ms."""
    totals = {q.label: run(q) for q in mix}  # warm-up: first touch of postings, columns, caches
    times: dict[str, list[float]] = {q.label: [] for q in mix}
    for _ in range(rounds):
        for q in mix:
            t0 = time.perf_counter()
            run(q)
            times[q.label].append((time.perf_counter() - t0) * 1000)
    every = [t for ts in times.values() for t in ts]
    return {
        "p50": percentile(every, 50),
        "p95": percentile(every, 95),
        "p99": percentile(every, 99),
        "per_query_p50": {k: statistics.median(v) for k, v in times.items()},
        "per_query_p95": {k: percentile(v, 95) for k, v in times.items()},
        "totals": totals,
        "runs": len(every),
    }


def ensure_indexes(work: Path) -> dict[str, Path]:
    """The three indexes, built (in this process) when bench.index_speed has not left them."""
    paths = work_paths(work)
    if not (paths["records"].is_dir() and paths["index"].is_dir() and paths["stock"].is_dir()):
        prepare(work)
    src = str(paths["records"])
    if map_path(paths["index"]) is None:  # no entity map: the product index was not (fully) built
        child_product(src, str(paths["index"]), 2, True)
    if not paths["stock"].exists():
        child_stock(src, str(paths["stock"]), 1)
    if not (paths["tantivy"] / "meta.json").exists():
        child_tantivy(src, str(paths["tantivy"]))
    return paths


def run(args: argparse.Namespace) -> dict[str, object]:
    paths = ensure_indexes(args.work)
    product, picks = product_runner(paths["index"])
    mix = query_mix(picks["person"], picks["place"])
    res: dict[str, object] = {"machine": machine_info(), "picks": picks, "rounds": args.rounds, "systems": {}}
    systems = {
        "product (facets + highlighting)": product,
        "stock Whoosh (no facets, no highlighting)": stock_runner(paths["stock"]),
        "tantivy": tantivy_runner(paths["tantivy"]),
    }
    for name, runner in systems.items():
        res["systems"][name] = measure(runner, mix, args.rounds)
        m = res["systems"][name]
        print(f"{name}: p50 {m['p50']:.2f} ms, p95 {m['p95']:.2f} ms, p99 {m['p99']:.2f} ms", flush=True)
    res["mix"] = [q.label for q in mix]
    return res


def render(res: dict[str, object]) -> str:
    systems = res["systems"]
    rows = [[name, f"{m['p50']:.2f}", f"{m['p95']:.2f}", f"{m['p99']:.2f}", m["runs"]] for name, m in systems.items()]
    names = list(systems)
    per = [
        [label, *(f"{systems[n]['per_query_p50'][label]:.2f}" for n in names), systems[names[0]]["totals"][label]]
        for label in res["mix"]
    ]
    product = systems[names[0]]
    ok = product["p50"] <= GOAL_P50_MS and product["p95"] <= GOAL_P95_MS
    return "\n".join(
        [
            SECTION,
            "",
            f"Machine: {describe(res['machine'])}. Run: `.venv/bin/python -m bench.search_speed --write`.",
            f"Data: the Reuters-21578 index that `bench.index_speed` builds (entities on). Mix of {len(res['mix'])} "
            f"archivist queries (person filter: {res['picks']['person']}, place filter: {res['picks']['place']}), "
            f"{res['rounds']} rounds after one warm-up pass; all three systems measured in this run, one process.",
            "",
            table(["system", "p50 ms", "p95 ms", "p99 ms", "queries timed"], rows),
            "",
            f"Goal p50 <= {GOAL_P50_MS:.0f} ms and p95 <= {GOAL_P95_MS:.0f} ms with facets and highlighting: "
            f"**{'met' if ok else 'not met'}**. Tantivy is the distance to the fastest embedded engine.",
            "",
            "Median per query (ms):",
            "",
            table(["query", *names, "hits (product)"], per),
            "",
            *_where_time_goes(res),
        ]
    )


def _where_time_goes(res: dict[str, object]) -> list[str]:
    """The slowest queries of the mix for the product, what a profile of them shows, and what changed."""
    product = next(iter(res["systems"].values()))
    slow = sorted(product["per_query_p50"].items(), key=lambda kv: -kv[1])[:3]
    load = f" Load average during the run: {res['load'][0]:.1f} to {res['load'][1]:.1f}." if res.get("load") else ""
    return [
        "Where the time goes: the slowest queries are "
        + ", ".join(f"{label} ({ms:.0f} ms)" for label, ms in slow)
        + ". Every query now matches and scores over the commit's numpy postings (plain words by the core's BM25F; "
        "phrases, fuzzy expansions and AND/OR of terms by search/query/match/vector_match.py, with Whoosh's own BM25F "
        "figures, so hits and order are what Whoosh gave); what is left is mostly the page: stored fields, "
        "snippets and entity names of the ten hits, and the facet counts. No result cache here (`open_index` "
        "without `result_cache`): every round searches again, reusing only what the core keeps per commit "
        "(parsed queries, phrase documents, filter masks, did-you-mean)." + load,
        "",
        *CHANGES,
    ]


# Before/after of the changes that mattered (issue 8), measured on the same index in one sitting, old tree
# (4eb2176, `git archive`) and new tree run alternately, twice each, 10 rounds of the mix: median CPU ms per query
# (CPU time, since the machine was shared; load average 6.6 to 8).
CHANGES = [
    "Changes (CPU ms per query, median; before -> after, same sitting):",
    "",
    "- Phrases matched over numpy postings, positions read only for documents holding every word "
    "(was Whoosh's span matcher over every candidate): phrase 24.5 -> 5.1 (a phrase's documents are then kept "
    'per commit; the first time, matching "money supply" alone takes 7.5 ms against Whoosh\'s 19.6 ms).',
    "- Fuzzy expansions and OR/AND of terms scored over numpy postings with Whoosh's BM25F figures "
    "(was Whoosh's union matcher, one document at a time): fuzzy word 18.1 -> 5.2.",
    "- Ordering and collapsing only as deep as the page (partition, then sort the prefix), near-duplicate "
    "group counts by bincount over dense cluster numbers, facet tops by partition, did-you-mean kept per commit "
    "(was full sorts and hash-based np.unique over every hit): most of archive 19.2 -> 7.3, deep page "
    "11.6 -> 5.4, two words 8.3 -> 6.2.",
    "- The whole mix: CPU p50 8.3 -> 5.4 ms, p95 26.0 -> 8.2 ms.",
    "- Later (2026-11-23): the date histogram from per-commit month and year columns and one bincount (was numpy "
    "date conversions per bucket: 0.4-1.0 -> 0.1-0.3 ms), entity facet counts over only the hits' pairs when hits "
    "are few (70-350 -> 25-65 us a facet), snippet candidates found in lowercased text without a look-behind "
    "(~150 -> ~85 us a snippet), the snapshot's freshness checked by one stat of the index folder instead of "
    "Whoosh listing it. The table above against the run of 2026-11-23 00:19 UTC on the same index: p50 6.1 -> 3.2-3.6 "
    "ms, p95 7.7 -> 4.9-5.7 ms (two runs); snippets, histograms and counts checked identical against the code before.",
    "",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--render-only", action="store_true", help="re-write the section from the last results")
    args = parser.parse_args(argv)
    if args.render_only:
        res = json.loads((RESULTS / "search_speed.json").read_text())
    else:
        load0 = os.getloadavg()[0]
        res = run(args)
        res["load"] = [load0, os.getloadavg()[0]]
    publish(SECTION, "search_speed", None if args.render_only else res, render(res), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
