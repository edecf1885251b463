"""``query``: search the index and print the results (or the web API's JSON)."""

from __future__ import annotations

import argparse
import json

from search.cli.common import add_index_option, date_arg, index_dir, positive
from search.documents import ENTITY_KINDS


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("query", help="search the index")
    p.add_argument("text", metavar="TEXT")
    add_index_option(p)
    p.add_argument("--from", dest="date_from", type=date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, metavar="YYYY-MM-DD")
    for kind in ENTITY_KINDS:  # --person, --org, --place
        p.add_argument(f"--{kind.param}", dest=kind.field, metavar=kind.param.upper(), action="append", default=[])
    p.add_argument("--source", action="append", default=[])
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    p.add_argument("--page", type=positive, default=1)
    p.add_argument("--per-page", type=positive, default=10)
    p.add_argument(
        "--versions",
        choices=["folded", "all"],
        default="folded",
        help="folded (default): one result per near-duplicate story, counted as stories; all: every version",
    )
    p.add_argument("--json", action="store_true", help="the same JSON as the web API")
    p.set_defaults(run=run_query)


def run_query(args: argparse.Namespace) -> int:
    from search.query import SearchRequest, Sort, open_index, search
    from search.web.documents import result_json

    request = SearchRequest(
        q=args.text,
        date_from=args.date_from,
        date_to=args.date_to,
        **{kind.field: tuple(getattr(args, kind.field)) for kind in ENTITY_KINDS},
        sources=tuple(args.source),
        sort=Sort(args.sort),
        page=args.page,
        per_page=args.per_page,
        collapse=args.versions == "folded",
    )
    result = search(open_index(index_dir(args)), request)
    if args.json:
        print(json.dumps(result_json(result), indent=2, ensure_ascii=False))
        return 0
    for note in result.notes:
        print(f"note: {note}")
    if result.suggestion:
        print(f"did you mean: {result.suggestion}")
    first = (result.request.page - 1) * result.request.per_page
    print(f"{result.total} results" + (f", showing {first + 1}-{first + len(result.hits)}" if result.hits else ""))
    if result.folded:
        print(
            f"{result.stories} stories, {result.total_articles} articles: {result.folded} near-duplicate"
            " version(s) folded (--versions all lists every version)"
        )
    for n, hit in enumerate(result.hits, start=first + 1):
        similar = f"  (+{hit.similar} similar)" if hit.similar else ""
        print(f"{n:>3}. {hit.title or hit.id}  [{hit.date or 'undated'}]  {hit.id}{similar}")
        print(f"     {hit.snippet.text[:200]}")
    return 0
