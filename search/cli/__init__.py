"""The command line, one module per command group; ``main`` runs one command and maps errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from search.cli import entities, index, query, replicate, serve, stats
from search.cli.common import EXIT_ERROR
from search.enrich.nltk_data import NltkDataMissing
from search.index.errors import IndexLockedError, IndexStorageError

DESCRIPTION = "Command line: index, replicate, query, stats, serve, entities (python -m search ...)."


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors print one plain line (never a stack trace) and set the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.run(args)
    except (NltkDataMissing, IndexLockedError, IndexStorageError) as exc:  # the query core's IndexUnavailable too
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: the last committed index is intact", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, each command's handler in ``run``."""
    parser = argparse.ArgumentParser(prog="python -m search", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (index, replicate, stats, query, serve, entities):
        group.add_commands(commands)
    return parser
