"""Command line: index, replicate, query, stats, serve, entities (python -m search ...)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from search.enrich.nltk_data import NltkDataMissing
from search.index.errors import IndexLockedError, IndexStorageError
from search.ingest.fanout import ClusterError

if TYPE_CHECKING:
    from search.enrich.entities.map import EntityMap

EXIT_ERROR = 1
EXIT_USAGE = 2
SKIPPED_SHOWN = 20
ENTITY_TYPES = ("person", "organization", "place")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors print one plain line (never a stack trace) and set the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args)
    except (NltkDataMissing, IndexLockedError, IndexStorageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ClusterError as exc:
        print(f"error: {exc}; the last committed index is intact, run again to finish", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: the last committed index is intact", file=sys.stderr)
        return 130
    except Exception as exc:
        if type(exc).__name__ in ("IndexUnavailable",):  # the query core's, imported lazily
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m search", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    index_help = "index folder (default: $SEARCH_INDEX or ./index)"

    p = sub.add_parser("index", help="add, update (and with --prune delete) articles in the index")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    p.add_argument("--index", type=Path, help=index_help)
    p.add_argument("--workers", type=int, default=None, help="enrichment processes (default: number of cores)")
    p.add_argument(
        "--cluster",
        metavar="tcp://HOST:8786",
        help="enrich on the Dask distributed cluster whose scheduler is here (default: local processes)",
    )
    p.add_argument(
        "--in-flight",
        type=_positive,
        default=None,
        metavar="N",
        help="enrichment tasks (a file, or up to 32 records) out at once (default: 16 per worker)",
    )
    p.add_argument("--prune", action="store_true", help="delete articles whose files are gone")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the index already has articles")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--commit-every", type=_positive, default=None, help="articles between commits (default 5000)")
    p.add_argument(
        "--max-file-mb",
        type=_positive_number,
        default=None,
        help="larger files are reported and not read (default: $SEARCH_MAX_FILE_MB or 50)",
    )
    p.add_argument(
        "--max-article-mb",
        type=_positive_number,
        default=None,
        help="an article's text is cut past this many MB, with a note (default: $SEARCH_MAX_ARTICLE_MB or 1)",
    )
    p.add_argument(
        "--date-range",
        default=None,
        metavar="FROM..TO",
        help="dates outside are indexed with a note (default: $SEARCH_DATE_RANGE or 1600-01-01 to a year from now)",
    )
    p.add_argument(
        "--no-entities",
        action="store_true",
        help="skip entity extraction (several times faster; no people/organisation/place facets for these articles)",
    )
    p.set_defaults(run=_cmd_index)

    p = sub.add_parser("replicate", help="bring a read-only replica folder up to the index's latest commit")
    p.add_argument("source", type=Path, metavar="SRC", help="the primary's index folder")
    p.add_argument("dest", type=Path, metavar="DEST", help="the replica's folder (a service reads it)")
    p.add_argument("--every", type=float, default=0.0, metavar="SECONDS", help="repeat every SECONDS until stopped")
    p.set_defaults(run=_cmd_replicate)

    p = sub.add_parser("stats", help="what the index holds")
    p.add_argument("--index", type=Path, help=index_help)
    p.add_argument("--json", action="store_true")
    p.add_argument("--top", type=int, default=10, help="entities listed per type")
    p.set_defaults(run=_cmd_stats)

    p = sub.add_parser("query", help="search the index")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--index", type=Path, help=index_help)
    p.add_argument("--from", dest="date_from", type=_date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date_arg, metavar="YYYY-MM-DD")
    p.add_argument("--person", action="append", default=[])
    p.add_argument("--org", action="append", default=[])
    p.add_argument("--place", action="append", default=[])
    p.add_argument("--source", action="append", default=[])
    p.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    p.add_argument("--page", type=_positive, default=1)
    p.add_argument("--per-page", type=_positive, default=10)
    p.add_argument(
        "--versions",
        choices=["folded", "all"],
        default="folded",
        help="folded (default): one result per near-duplicate story, counted as stories; all: every version",
    )
    p.add_argument("--json", action="store_true", help="the same JSON as the web API")
    p.set_defaults(run=_cmd_query)

    p = sub.add_parser("serve", help="serve the web front end under gunicorn")
    p.add_argument("--index", type=Path, help=index_help)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.set_defaults(run=_cmd_serve)

    _add_entities_commands(sub)
    return parser


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (expected YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def _index_dir(args: argparse.Namespace) -> Path:
    from search.index.storage import default_index_dir

    return args.index or default_index_dir()


def _cmd_index(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from search.extract.sources import MB, Limits
    from search.index.writer import COMMIT_EVERY, DateRange, index_paths

    try:
        limits = Limits.from_env()
        dates = DateRange.parse(args.date_range) if args.date_range else DateRange.from_env()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.max_file_mb:
        limits = replace(limits, file_bytes=int(args.max_file_mb * MB))
    if args.max_article_mb:
        limits = replace(limits, article_chars=int(args.max_article_mb * MB))
    index_dir = _index_dir(args)
    if args.cluster:  # Dask logs a lost connection with tracebacks from its own threads; the error below says it
        for handler in logging.getLogger().handlers:
            handler.addFilter(lambda record: record.name.split(".")[0] != "distributed")
    if args.if_empty and _has_documents(index_dir):
        print(f"{index_dir} already holds an index; not re-indexing (run `python -m search index` to update it)")
        return 0
    summary = index_paths(
        args.paths,
        index_dir,
        workers=args.workers,
        prune=args.prune,
        progress=not args.quiet,
        commit_every=args.commit_every or COMMIT_EVERY,
        entities=not args.no_entities,
        limits=limits,
        dates=dates,
        cluster=args.cluster,
        in_flight=args.in_flight,
    )
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
        return 0
    print(
        f"Indexed into {index_dir} in {summary.seconds:.1f} s: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.deleted} deleted, {len(summary.skipped)} skipped, "
        f"{len(summary.notes)} notes; {summary.documents} articles in the index."
    )
    # One line per item, whatever a file name holds (str() escapes control characters and terminal escapes).
    for kind, items in (("skipped", summary.skipped), ("note", summary.notes)):
        for item in items[:SKIPPED_SHOWN]:
            print(f"  {kind} {item}")
        if len(items) > SKIPPED_SHOWN:
            print(f"  ... and {len(items) - SKIPPED_SHOWN} more ({kind}; see --json for all)")
    return 0


def _has_documents(index_dir: Path) -> bool:
    from search.index.storage import open_for_reading

    try:
        return open_for_reading(index_dir).doc_count() > 0
    except IndexStorageError:
        return False


def _cmd_replicate(args: argparse.Namespace) -> int:
    import time

    from search.index.replica import replicate

    first = True
    while True:
        started = time.perf_counter()
        done = replicate(args.source, args.dest)
        if done.changed or first:
            print(
                f"{args.dest} at commit {done.generation}: {len(done.copied)} files copied "
                f"({done.bytes_copied / 1e6:.1f} MB), {len(done.removed)} removed "
                f"in {time.perf_counter() - started:.2f} s",
                flush=True,
            )
        if not args.every:
            return 0
        first = False
        time.sleep(args.every)


def _cmd_stats(args: argparse.Namespace) -> int:
    from search.query import open_index, stats

    result = stats(open_index(_index_dir(args)))
    data = {
        "documents": result.documents,
        "dated": result.dated,
        "undated": result.undated,
        "date_min": result.date_min.isoformat() if result.date_min else None,
        "date_max": result.date_max.isoformat() if result.date_max else None,
        **{
            name: [{"value": v.value, "count": v.count} for v in getattr(result, name)[: args.top]]
            for name in ("people", "organizations", "places")
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
    for key, label in (("people", "People"), ("organizations", "Organisations"), ("places", "Places")):
        values = ", ".join(f"{v['value']} ({v['count']})" for v in data[key]) or "none"
        print(f"{label}: {values}")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from search.query import SearchRequest, Sort, open_index, search, to_json

    request = SearchRequest(
        q=args.text,
        date_from=args.date_from,
        date_to=args.date_to,
        people=tuple(args.person),
        organizations=tuple(args.org),
        places=tuple(args.place),
        sources=tuple(args.source),
        sort=Sort(args.sort),
        page=args.page,
        per_page=args.per_page,
        collapse=args.versions == "folded",
    )
    result = search(open_index(_index_dir(args)), request)
    if args.json:
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
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
        print(f"     {_plain(hit.snippet)[:200]}")
    return 0


def _plain(snippet: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?mark[^>]*>", "", snippet)).replace("\n", " ")


def _cmd_serve(args: argparse.Namespace) -> int:
    index_dir = _index_dir(args)
    env = {**os.environ, "SEARCH_INDEX": str(index_dir.resolve())}
    gunicorn = [sys.executable, "-m", "gunicorn", "wsgi:app"]
    argv = [*gunicorn, "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers)]
    argv += ["--config", "python:search.web.gunicorn_conf"] if _has_gunicorn_conf() else []
    print(f"Serving {index_dir} on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    os.chdir(Path(__file__).resolve().parents[1])
    os.execve(sys.executable, argv, env)
    return 0  # not reached


def _has_gunicorn_conf() -> bool:
    return (Path(__file__).parent / "web" / "gunicorn_conf.py").exists()


# ------------------------------------------------------------------------------------- entities
def _add_entities_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``entities list|merge|rename|retype|hide`` on the command line's subparsers."""
    p = subparsers.add_parser("entities", help="list entity facets; merge, rename, retype or hide values")
    sub = p.add_subparsers(dest="entities_command", required=True)
    index_help = "index folder (default: $SEARCH_INDEX or ./index)"
    type_help = "person, organization or place (default: wherever the value is found)"

    c = sub.add_parser("list", help="entities with their document counts, most documents first")
    c.add_argument("--type", choices=ENTITY_TYPES)
    c.add_argument("--top", type=int, default=30, help="entities listed per type (default 30)")
    c.add_argument("--json", action="store_true")
    c.add_argument("--hidden", action="store_true", help="list hidden values too")
    c.add_argument("--index", type=Path, help=index_help)
    c.set_defaults(run=_cmd_list)

    c = sub.add_parser("merge", help="merge values into one canonical value")
    c.add_argument("values", nargs="+", metavar="VALUE")
    c.add_argument("--into", required=True, metavar="CANONICAL")
    c.add_argument("--type", choices=ENTITY_TYPES, help=type_help)
    c.add_argument("--index", type=Path, help=index_help)
    c.set_defaults(run=_cmd_merge)

    c = sub.add_parser("rename", help="change how a canonical value is written")
    c.add_argument("old", metavar="OLD")
    c.add_argument("new", metavar="NEW")
    c.add_argument("--type", choices=ENTITY_TYPES, help=type_help)
    c.add_argument("--index", type=Path, help=index_help)
    c.set_defaults(run=_cmd_rename)

    c = sub.add_parser("retype", help="move a value to another type")
    c.add_argument("value", metavar="VALUE")
    c.add_argument("--type", choices=ENTITY_TYPES, required=True, help="the new type")
    c.add_argument("--from-type", choices=ENTITY_TYPES, help="only the value of this type")
    c.add_argument("--index", type=Path, help=index_help)
    c.set_defaults(run=_cmd_retype)

    c = sub.add_parser("hide", help="hide a junk value from facets, filters and entity search")
    c.add_argument("value", metavar="VALUE")
    c.add_argument("--type", choices=ENTITY_TYPES, help=type_help)
    c.add_argument("--index", type=Path, help=index_help)
    c.set_defaults(run=_cmd_hide)


def _cmd_list(args: argparse.Namespace) -> int:
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


def _load(args: argparse.Namespace) -> EntityMap | None:
    from search.enrich.entities.authority import AuthorityError, load_rules
    from search.enrich.entities.map import EntityMap

    try:
        load_rules(_index_dir(args))  # report a broken authority file here (the map itself would skip it)
        return EntityMap.load(_index_dir(args))
    except AuthorityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _apply(args: argparse.Namespace, rule: dict[str, object]) -> int:
    from search.enrich.entities.authority import AuthorityError, add_rule, authority_path
    from search.enrich.entities.map import EntityMap

    index_dir = _index_dir(args)
    if not index_dir.exists():
        print(f"error: no index folder at {index_dir} (give --index DIR or set SEARCH_INDEX)", file=sys.stderr)
        return EXIT_USAGE
    try:
        add_rule(index_dir, rule)
        emap = EntityMap.load(index_dir)
    except AuthorityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(emap.changes[-1] if emap.changes else "nothing changed")
    print(f"(rule saved in {authority_path(index_dir)}; applies at once, no re-index needed)")
    return 0


def _typed(rule: dict[str, object], type_: str | None) -> dict[str, object]:
    if type_:
        rule["type"] = type_
    return rule


def _cmd_merge(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "merge", "values": list(args.values), "into": args.into}, args.type))


def _cmd_rename(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "rename", "from": args.old, "to": args.new}, args.type))


def _cmd_retype(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "retype", "value": args.value, "to": args.type}, args.from_type))


def _cmd_hide(args: argparse.Namespace) -> int:
    return _apply(args, _typed({"op": "hide", "value": args.value}, args.type))


if __name__ == "__main__":
    sys.exit(main())
