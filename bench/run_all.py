"""`make bench`: every benchmark in bench/, one at a time (the machine's 2 cores are shared), each writing its
own section of BENCHMARKS.md. Takes up to about an hour on 2 cores.

Run: .venv/bin/python -m bench.run_all [--only index_speed search_speed ...] [--skip growth] [--list]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time

from bench.machine import describe
from bench.report import REPO

# In order: quality benchmarks first, then the speed ones (search and HTTP reuse the index that indexing leaves).
BENCHMARKS: dict[str, list[str]] = {
    "html_extraction": ["--write"],
    "pdf_extraction": ["--write"],
    "ocr_quality": ["--write"],
    "entities_conll": [],  # writes its section itself
    "entities_reuters": [],  # writes its section itself
    "relevance": ["--write"],
    "typos": ["--write"],
    "index_speed": ["--write", "--repeats", "2"],  # --text-folder adds the one-file-per-article variant
    # Its section rewrite drops the index-size study (codec before and after, indexes built from older commits):
    # put it back from its saved results.
    "index_size": ["--render-only", "--write"],
    "index_before_after": ["--write"],
    "search_speed": ["--write"],
    "http_speed": ["--write"],
    "growth": ["--write"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run just these")
    parser.add_argument("--skip", nargs="+", choices=list(BENCHMARKS), default=[], help="leave these out")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, flags in BENCHMARKS.items():
            print(f"python -m bench.{name} {' '.join(flags)}")
        return 0
    chosen = [n for n in (args.only or BENCHMARKS) if n not in args.skip]
    print(f"Machine: {describe()}", flush=True)
    failed = []
    for name in chosen:
        if importlib.util.find_spec(f"bench.{name}") is None:
            print(f"-- bench.{name}: not present, skipped", flush=True)
            continue
        print(f"-- bench.{name}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *BENCHMARKS[name]], cwd=REPO)
        print(f"-- bench.{name}: exit {code} after {time.perf_counter() - t0:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
