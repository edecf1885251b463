"""``entities list|merge|rename|retype|hide``: the entity facets, and the archivist's rules that correct them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from search.cli.common import EXIT_USAGE, add_index_option, index_dir
from search.documents import ENTITY_KINDS

if TYPE_CHECKING:
    from search.enrich.entities.map import EntityMap

ENTITY_TYPES = tuple(kind.value for kind in ENTITY_KINDS)
TYPE_HELP = "person, organization or place (default: wherever the value is found)"


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("entities", help="list entity facets; merge, rename, retype or hide values")
    sub = p.add_subparsers(dest="entities_command", required=True)

    c = sub.add_parser("list", help="entities with their document counts, most documents first")
    c.add_argument("--type", choices=ENTITY_TYPES)
    c.add_argument("--top", type=int, default=30, help="entities listed per type (default 30)")
    c.add_argument("--json", action="store_true")
    c.add_argument("--hidden", action="store_true", help="list hidden values too")
    add_index_option(c)
    c.set_defaults(run=run_list)

    c = sub.add_parser("merge", help="merge values into one canonical value")
    c.add_argument("values", nargs="+", metavar="VALUE")
    c.add_argument("--into", required=True, metavar="CANONICAL")
    c.add_argument("--type", choices=ENTITY_TYPES, help=TYPE_HELP)
    add_index_option(c)
    c.set_defaults(run=run_merge)

    c = sub.add_parser("rename", help="change how a canonical value is written")
    c.add_argument("old", metavar="OLD")
    c.add_argument("new", metavar="NEW")
    c.add_argument("--type", choices=ENTITY_TYPES, help=TYPE_HELP)
    add_index_option(c)
    c.set_defaults(run=run_rename)

    c = sub.add_parser("retype", help="move a value to another type")
    c.add_argument("value", metavar="VALUE")
    c.add_argument("--type", choices=ENTITY_TYPES, required=True, help="the new type")
    c.add_argument("--from-type", choices=ENTITY_TYPES, help="only the value of this type")
    add_index_option(c)
    c.set_defaults(run=run_retype)

    c = sub.add_parser("hide", help="hide a junk value from facets, filters and entity search")
    c.add_argument("value", metavar="VALUE")
    c.add_argument("--type", choices=ENTITY_TYPES, help=TYPE_HELP)
    add_index_option(c)
    c.set_defaults(run=run_hide)


def run_list(args: argparse.Namespace) -> int:
    emap = _load(args)
    if emap is None:
        return EXIT_USAGE
    types = [args.type] if args.type else list(ENTITY_TYPES)
    out: dict[str, list[dict[str, object]]] = {}
    for t in types:
        rows = emap.entries(t, include_hidden=args.hidden)[: max(args.top, 0)]
        out[t] = [
            {
                "value": g.canonical,
                "count": g.count,
                "variants": g.values(),
                "aliases": sorted(g.aliases - {g.canonical}),
                **({"hidden": True} if g.hidden else {}),
            }
            for g in rows
        ]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for t in types:
        print(f"{t} ({len(emap.entries(t))} values)")
        for row in out[t]:
            extra = [v for v in row["variants"] if v != row["value"]]  # type: ignore[union-attr]
            note = f"  [also indexed as: {', '.join(extra)}]" if extra else ""
            hidden = "  (hidden)" if row.get("hidden") else ""
            print(f"  {row['count']:>6}  {row['value']}{hidden}{note}")
    return 0


def run_merge(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "merge", "values": list(args.values), "into": args.into}, args.type))


def run_rename(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "rename", "from": args.old, "to": args.new}, args.type))


def run_retype(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "retype", "value": args.value, "to": args.type}, args.from_type))


def run_hide(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "hide", "value": args.value}, args.type))


def _load(args: argparse.Namespace) -> EntityMap | None:
    from search.enrich.entities.authority import AuthorityError, load_rules
    from search.enrich.entities.map import EntityMap

    try:
        load_rules(index_dir(args))  # report a broken authority file here (the map itself would skip it)
        return EntityMap.load(index_dir(args))
    except AuthorityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _apply(args: argparse.Namespace, rule: dict[str, object]) -> int:
    from search.enrich.entities.authority import AuthorityError, add_rule, authority_path
    from search.enrich.entities.map import EntityMap

    folder = index_dir(args)
    if not folder.exists():
        print(f"error: no index folder at {folder} (give --index DIR or set SEARCH_INDEX)", file=sys.stderr)
        return EXIT_USAGE
    try:
        add_rule(folder, rule)
        emap = EntityMap.load(folder)
    except AuthorityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(emap.changes[-1] if emap.changes else "nothing changed")
    print(f"(rule saved in {authority_path(folder)}; applies at once, no re-index needed)")
    return 0


def _typed(rule: dict[str, object], type_: str | None) -> dict[str, object]:
    if type_:
        rule["type"] = type_
    return rule
