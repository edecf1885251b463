"""Did the entity rules change their output? Extract entities from Reuters articles, save every mention, every
document's facet values and the archive-wide merge, and compare two such saves value by value.

A behaviour-preserving change (a re-cut of the code) must give ``0 differences``; a rule change lists what it
changed, article by article, for review.  Run it once per checkout (``PYTHONPATH`` picks the code)::

    PYTHONPATH=OLD_CHECKOUT .venv/bin/python -m bench.entities_same --limit 3000 --save /tmp/before.json
    .venv/bin/python -m bench.entities_same --limit 3000 --save /tmp/after.json --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.corpora.reuters import articles

TYPES = ("person", "organization", "place")


def _merge_groups():
    try:
        from search.enrich.entities.merge import merge_groups
    except ImportError:  # the layout before the entities package
        from search.enrich.entity_merge import merge_groups
    return merge_groups


def extract(limit: int | None) -> dict[str, object]:
    """Mentions and facet values per article, and the merged groups, of the first ``limit`` Reuters articles."""
    from search.enrich.entities import extract_entities, extract_mentions

    docs: dict[str, object] = {}
    counts: Counter[tuple[str, str]] = Counter()
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_article = []
    for art in articles(limit=limit):
        mentions = extract_mentions(art["title"], art["body"], art["dateline"])
        d = extract_entities(art["title"], art["body"], art["dateline"])
        values = {t: {v: list(a) for v, a in sorted(d.of_type(t).items())} for t in TYPES}
        docs[art["id"]] = {
            "mentions": [[m.part, m.start, m.end, m.text, m.type, m.value] for m in mentions],
            "values": values,
        }
        for t in TYPES:
            for v, al in values[t].items():
                counts[(t, v)] += 1
                aliases[(t, v)].update(al)
        per_article.append([(t, v) for t in TYPES for v in values[t]])
    groups = _merge_groups()(counts, aliases, per_article)
    return {"docs": docs, "groups": [g.to_json() for g in groups]}


def compare(a: dict, b: dict, show: int) -> int:
    """Print the differences of two saves; return their number."""
    diffs = 0
    for doc_id in sorted(set(a["docs"]) | set(b["docs"]), key=str):
        x, y = a["docs"].get(doc_id), b["docs"].get(doc_id)
        if x == y:
            continue
        diffs += 1
        if diffs <= show:
            print(f"article {doc_id}:")
            for t in TYPES:
                xv, yv = (x or {}).get("values", {}).get(t, {}), (y or {}).get("values", {}).get(t, {})
                gone, new = sorted(set(xv) - set(yv)), sorted(set(yv) - set(xv))
                if gone or new:
                    print(f"  {t}: -{gone} +{new}")
            if x and y and x["values"] == y["values"]:
                print("  same values, other mentions")
    ga = {(g["type"], g["canonical"]): g for g in a["groups"]}
    gb = {(g["type"], g["canonical"]): g for g in b["groups"]}
    group_diffs = sum(1 for k in set(ga) | set(gb) if ga.get(k) != gb.get(k))
    print(f"{len(a['docs'])} / {len(b['docs'])} articles: {diffs} with other mentions or values")
    print(f"{len(ga)} / {len(gb)} merged groups: {group_diffs} differ")
    return diffs + group_diffs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=3000, help="first N Reuters articles (default 3000)")
    ap.add_argument("--save", type=Path, required=True, help="write this checkout's output here")
    ap.add_argument("--compare", type=Path, help="an earlier save to compare against")
    ap.add_argument("--show", type=int, default=20, help="differing articles printed")
    args = ap.parse_args()
    t0, c0 = time.perf_counter(), time.process_time()
    out = extract(args.limit)
    print(
        f"extracted {len(out['docs'])} articles: {time.perf_counter() - t0:.1f} s wall, "
        f"{time.process_time() - c0:.1f} s CPU"
    )
    args.save.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True))
    if args.compare:
        before = json.loads(args.compare.read_text())
        after = json.loads(json.dumps(out, ensure_ascii=False, sort_keys=True))
        n = compare(before, after, args.show)
        print("0 differences" if n == 0 else f"{n} differences")


if __name__ == "__main__":
    main()
