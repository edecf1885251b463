"""``replicate``: bring a read-only replica folder up to the index's latest commit, once or every N seconds."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("replicate", help="bring a read-only replica folder up to the index's latest commit")
    p.add_argument("source", type=Path, metavar="SRC", help="the primary's index folder")
    p.add_argument("dest", type=Path, metavar="DEST", help="the replica's folder (a service reads it)")
    p.add_argument("--every", type=float, default=0.0, metavar="SECONDS", help="repeat every SECONDS until stopped")
    p.set_defaults(run=run_replicate)


def run_replicate(args: argparse.Namespace) -> int:
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
