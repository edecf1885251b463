"""Near-duplicate clusters of this checkout against another's: the same decisions, CPU and memory per article.

Signatures of Reuters-21578, of a generated archive (bench/archive_gen.py, in a temporary folder) and of random
bytes (unrelated articles: every band key shared only by chance, as in a large archive) go through each
checkout's ``Clusters.assign`` in a child process; the cluster of every article must be the same.

Run: python -m bench.duplicates_table --against ../base [--generated 50000] [--random 200000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.archive_gen import write_archive
from bench.corpora.reuters_text import articles
from bench.procmem import REPO
from search.enrich.duplicates import NUM_PERM, signature

_CHILD = """
import hashlib, importlib.util, json, sys, time
import psutil
import numpy as np
spec = importlib.util.spec_from_file_location("duplicates", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
table = np.load(sys.argv[2])
sigs = [bytes(row) if row.any() else b"" for row in table]
rss = psutil.Process().memory_info().rss
clusters = module.Clusters()
started = time.process_time()
out = [clusters.assign(sig, f"a{n}") for n, sig in enumerate(sigs)]
cpu = time.process_time() - started
grown = psutil.Process().memory_info().rss - rss  # the table and the list of answers, held to the end
digest = hashlib.sha1("\\n".join(out).encode()).hexdigest()
print(json.dumps({"us_per_article": 1e6 * cpu / len(sigs), "bytes_per_article": grown / len(sigs),
                  "clusters": len(set(out)), "digest": digest}))
"""


def _signatures(texts: list[str]) -> np.ndarray:
    """One row of NUM_PERM bytes per text (zeros for a text too short to sign)."""
    return np.array([np.frombuffer(signature(t).ljust(NUM_PERM, b"\0"), np.uint8) for t in texts])


def measure(checkout: Path, table: Path) -> dict[str, float]:
    """Run one checkout's Clusters over a saved signature table in a fresh process."""
    module = checkout / "search" / "enrich" / "duplicates.py"
    out = subprocess.run([sys.executable, "-c", _CHILD, str(module), str(table)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="the other checkout (its repository root)")
    parser.add_argument("--generated", type=int, default=50_000, help="generated archive size (0: none)")
    parser.add_argument("--random", type=int, default=200_000, help="random signatures (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="duplicates-table-") as tmp:
        work = Path(tmp)
        tables = {"Reuters-21578": _signatures([str(a["body"]) for a in articles()])}
        if args.generated:
            write_archive(work / "archive", args.generated)
            bodies = (json.loads(line)["body"] for f in sorted((work / "archive").glob("*.jsonl")) for line in f.open())
            tables[f"generated {args.generated:,}"] = _signatures(list(itertools.islice(bodies, args.generated)))
        if args.random:
            rng = np.random.default_rng(1)
            tables[f"random {args.random:,}"] = rng.integers(0, 256, (args.random, NUM_PERM), dtype=np.uint8)
        print(f"load average {os.getloadavg()[0]:.1f}")
        same = True
        for name, table in tables.items():
            path = work / "table.npy"
            np.save(path, table)
            this, other = measure(REPO, path), measure(args.against, path)
            same &= this["digest"] == other["digest"]
            print(
                f"{name}: same clusters {this['digest'] == other['digest']} ({this['clusters']:,} clusters); "
                f"CPU us/article {this['us_per_article']:.0f} here, {other['us_per_article']:.0f} there; "
                f"resident bytes/article {this['bytes_per_article']:.0f} here, "
                f"{other['bytes_per_article']:.0f} there"
            )
        print(f"load average {os.getloadavg()[0]:.1f}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
