"""Command line: index, replicate, query, stats, serve, entities (python -m search ...); see search/cli/."""

from __future__ import annotations

import sys

from search.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
