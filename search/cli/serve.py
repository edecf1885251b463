"""``serve``: the web front end under gunicorn (this process becomes gunicorn)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from search.cli.common import add_index_option, index_dir

PACKAGE = Path(__file__).resolve().parents[1]  # search/: the checkout, where wsgi.py is, is its parent


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("serve", help="serve the web front end under gunicorn")
    add_index_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    folder = index_dir(args)
    env = {**os.environ, "SEARCH_INDEX": str(folder.resolve())}
    gunicorn = [sys.executable, "-m", "gunicorn", "wsgi:app"]
    argv = [*gunicorn, "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers)]
    argv += ["--config", "python:search.web.gunicorn_conf"] if (PACKAGE / "web" / "gunicorn_conf.py").exists() else []
    print(f"Serving {folder} on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    os.chdir(PACKAGE.parent)
    os.execve(sys.executable, argv, env)
    return 0  # not reached
