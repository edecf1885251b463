"""The ``## Reliability`` section of BENCHMARKS.md, written from the saved results of the reliability runs.

    .venv/bin/python -m bench.reliability_report

Reads bench/results/reliability_*.json (written by bench.crash_trials, bench.soak and the stress tests) and
rewrites only its own section, so each run can update its part without redoing the others.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.machine import describe
from bench.report import BENCHMARKS, RESULTS, table, write_section

TITLE = "## Reliability"


def _load(name: str) -> dict | None:
    path = RESULTS / f"reliability_{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _crash(rec: dict) -> str:
    c = rec["crash"]
    rows = [
        ["SIGKILL trials", c["trials"]],
        ["survived (index opens, no duplicate, nothing committed lost)", c["survived"]],
        ["killed before the run's first commit", c["killed_before_first_commit"]],
        ["articles lost (must be 0)", c["articles_lost"]],
        ["duplicate ids (must be 0)", c["duplicates"]],
        ["index unreadable after a kill (must be 0)", c["unreadable"]],
        ["file changes made between rounds", c["updates_written"]],
        ["final uninterrupted run", "ok" if c["final_run_ok"] else "FAILED"],
        ["articles after it (each exactly once)", f"{c['final_articles']} of {c['articles']}"],
        ["every last change in", "yes" if c["final_changes_in"] else "NO"],
        ["wall time (s)", c["seconds"]],
    ]
    text = (
        f"### Crash trials\n\nRun on {describe(rec['machine'])}; `.venv/bin/python -m bench.crash_trials` "
        "(also `make stress`: tests/stress/test_crash_200.py). The real indexer (`index_paths`, commit every 25 "
        "articles, 1 worker) is forked and SIGKILLed, half the time just after one of its commits, half at a "
        "random moment from its start; later rounds edit and add files so kills land inside updates too.\n\n"
    )
    text += table(["figure", "value"], rows)
    if c.get("failures"):
        text += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in c["failures"][:20])
    return text


def _soak(rec: dict) -> str:
    s = rec["soak"]
    rows = [
        ["duration (s)", s["seconds"]],
        ["concurrent clients (locust users, separate process)", s["users"]],
        ["requests served", s["requests"]],
        ["server errors (5xx; must be 0)", s["server_errors"]],
        ["malformed responses (must be 0)", s["malformed"]],
        ["connection failures (must be 0)", s["connection_failures"]],
        ["expected 4xx (bad parameters, pages past the end, unknown ids)", s["client_errors"]],
        ["requests/s (mean)", s["rps"]],
        ["median / p95 / p99 latency (ms)", f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']}"],
        ["server RSS, first minute (MB, median)", s["rss_first_mb"]],
        ["server RSS, last minute (MB, median)", s["rss_last_mb"]],
        ["articles added / updated by the indexer during the run", f"{s['added']} / {s['updated']}"],
        ["indexer commits during the run", s["indexer_runs"]],
        ["new articles searchable before the end", "yes" if s["new_searchable"] else "NO"],
        ["first new article found after (s)", s.get("first_new_seen_s")],
        ["median delay from an indexer run's end to its articles being found (s)", s.get("searchable_delay_s_median")],
    ]
    return (
        f"### Soak\n\nRun on {describe(rec['machine'])}; `.venv/bin/python -m bench.soak` "
        f"(part of `make stress`). gunicorn as `make serve` runs it ({s['server']}); locust headless in a second "
        "process on loopback with a mixed load (words, phrases, operators, filters, facets, deep pages, bad "
        "parameters, documents, feeds, embed); an indexer adds and updates articles in the same index the whole "
        "time. Memory is the summed RSS of the gunicorn master and workers, sampled every 5 s.\n\n"
        + table(["figure", "value"], rows)
        + "".join(f"\n\n{note}" for note in rec.get("notes", []))
    )


def _fuzz(rec: dict) -> str:
    slowest = rec.get("slowest_ms", {})
    rows = [[name, n, slowest.get(name, "-")] for name, n in sorted(rec["fuzz"].items())]
    return (
        "### Fuzz cases tried\n\nPer run of `make test` (tests/test_hostile_queries.py: hypothesis, derandomized, "
        "120 examples per property; schemathesis 4.32.5 over /api/openapi.json, 60 per operation, checks: no 5xx, "
        "status code, content type and response schema conformance). Result: never a 500, never an unhandled "
        "exception. The slowest case is measured (one process, Flask test client, 13-article sample archive), "
        "not asserted.\n\n" + table(["target", "cases", "slowest case (ms)"], rows)
    )


def _kept_subsections() -> list[str]:
    """The ``###`` subsections of the current section that no run here writes (the hostile-case tables are
    written by hand from the tests): kept as they are when the section is rebuilt."""
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else ""
    section = re.search(rf"^{re.escape(TITLE)}\n(.*?)(?=^## |\Z)", current, re.DOTALL | re.MULTILINE)
    if not section:
        return []
    subsections = re.split(r"^(?=### )", section.group(1), flags=re.MULTILINE)[1:]
    return [sub.rstrip("\n") for sub in subsections if sub.split("\n", 1)[0].strip() not in _WRITTEN_HERE]


_WRITTEN_HERE = {"### Crash trials", "### Soak", "### Fuzz cases tried", "### Crash", "### Fuzz"}


def write_reliability_section() -> str:
    """Rebuild the section from whatever results exist, keeping the subsections written by hand."""
    parts = [TITLE, ""]
    parts.append(
        "Faults, load and hostile input (issue 7). Fast tests run in `make test` "
        "(tests/test_hostile_*.py, tests/test_faults*.py, tests/test_live_reindex*.py); long runs in `make stress`."
    )
    for name, render in (("crash", _crash), ("soak", _soak), ("fuzz", _fuzz)):
        rec = _load(name)
        parts += ["", render(rec) if rec else f"### {name.title()}\n\nNot run yet."]
    for kept in _kept_subsections():
        parts += ["", kept]
    text = "\n".join(parts) + "\n"
    write_section(TITLE, text)
    return text


def record_fuzz(counts: dict[str, int], slowest_ms: dict[str, float] | None = None) -> None:
    """Merge fuzz case counts (and each target's slowest case) into bench/results/reliability_fuzz.json."""
    path: Path = RESULTS / "reliability_fuzz.json"
    current = json.loads(path.read_text()) if path.exists() else {"fuzz": {}}
    current["fuzz"].update(counts)
    current.setdefault("slowest_ms", {}).update({k: round(v) for k, v in (slowest_ms or {}).items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n")


if __name__ == "__main__":
    print(write_reliability_section())
