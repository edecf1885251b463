"""``index``: add, update (and with --prune delete) articles in the index; the run's summary."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from search.cli.common import EXIT_ERROR, EXIT_USAGE, add_index_option, index_dir, positive, positive_number
from search.index.errors import IndexStorageError

SKIPPED_SHOWN = 20


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("index", help="add, update (and with --prune delete) articles in the index")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    add_index_option(p)
    p.add_argument("--workers", type=int, default=None, help="enrichment processes (default: number of cores)")
    p.add_argument(
        "--cluster",
        metavar="tcp://HOST:8786",
        help="enrich on the Dask distributed cluster whose scheduler is here (default: local processes)",
    )
    p.add_argument(
        "--in-flight",
        type=positive,
        default=None,
        metavar="N",
        help="enrichment tasks (a file, or up to 32 records) out at once (default: 16 per worker)",
    )
    p.add_argument("--prune", action="store_true", help="delete articles whose files are gone")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the index already has articles")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--commit-every", type=positive, default=None, help="articles between commits (default 5000)")
    p.add_argument(
        "--max-file-mb",
        type=positive_number,
        default=None,
        help="larger files are reported and not read (default: $SEARCH_MAX_FILE_MB or 50)",
    )
    p.add_argument(
        "--max-article-mb",
        type=positive_number,
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
    p.set_defaults(run=run_index)


def run_index(args: argparse.Namespace) -> int:
    from search.extract.sources import MB, Limits
    from search.ingest import COMMIT_EVERY, DateRange, index_paths
    from search.ingest.fanout import ClusterError

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
    folder = index_dir(args)
    if args.cluster:  # Dask logs a lost connection with tracebacks from its own threads; the error below says it
        for handler in logging.getLogger().handlers:
            handler.addFilter(lambda record: record.name.split(".")[0] != "distributed")
    if args.if_empty and _has_documents(folder):
        print(f"{folder} already holds an index; not re-indexing (run `python -m search index` to update it)")
        return 0
    try:
        summary = index_paths(
            args.paths,
            folder,
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
    except ClusterError as exc:
        print(f"error: {exc}; the last committed index is intact, run again to finish", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2))
        return 0
    print(
        f"Indexed into {folder} in {summary.seconds:.1f} s: {summary.added} added, {summary.updated} updated, "
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


def _has_documents(folder: Path) -> bool:
    from search.index.storage import open_for_reading

    try:
        return open_for_reading(folder).doc_count() > 0
    except IndexStorageError:
        return False
