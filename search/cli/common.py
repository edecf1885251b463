"""What every command shares: exit codes, the index folder option, argument types."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from search.paths import default_index_dir

EXIT_ERROR = 1
EXIT_USAGE = 2
INDEX_HELP = "index folder (default: $SEARCH_INDEX or ./index)"


def add_index_option(parser: argparse.ArgumentParser) -> None:
    """``--index DIR``, read by ``index_dir``."""
    parser.add_argument("--index", type=Path, help=INDEX_HELP)


def index_dir(args: argparse.Namespace) -> Path:
    """The index folder given with ``--index``, else the default."""
    return args.index or default_index_dir()


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (expected YYYY-MM-DD): {text!r}") from None


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value
