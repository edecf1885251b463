"""``stats``: what the index holds (counts, date span, size, the most frequent entities)."""

from __future__ import annotations

import argparse
import json

from search.cli.common import add_index_option, index_dir
from search.documents import ENTITY_KINDS


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("stats", help="what the index holds")
    add_index_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--top", type=int, default=10, help="entities listed per type")
    p.set_defaults(run=run_stats)


def run_stats(args: argparse.Namespace) -> int:
    from search.query import open_index, stats

    result = stats(open_index(index_dir(args)))
    data = {
        "documents": result.documents,
        "dated": result.dated,
        "undated": result.undated,
        "date_min": result.date_min.isoformat() if result.date_min else None,
        "date_max": result.date_max.isoformat() if result.date_max else None,
        **{
            kind.field: [{"value": v.value, "count": v.count} for v in getattr(result, kind.field)[: args.top]]
            for kind in ENTITY_KINDS
        },
        "size_bytes": result.size_bytes,
        "last_update": result.last_update.isoformat() if result.last_update else None,
    }
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    span = f"{data['date_min']} to {data['date_max']}" if data["date_min"] else "no dates"
    print(f"{data['documents']} articles ({data['dated']} dated, {data['undated']} undated), {span}")
    print(f"index size: {data['size_bytes'] / 1e6:.1f} MB")
    for kind in ENTITY_KINDS:
        values = ", ".join(f"{v['value']} ({v['count']})" for v in data[kind.field]) or "none"
        print(f"{kind.label}: {values}")
    return 0
