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
    from search.query.serialize import stats_json

    result = stats(open_index(index_dir(args)))
    data = stats_json(result, top=args.top)
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
