"""Shared helpers for the speed benchmarks: BENCHMARKS.md sections, medians with spread, markdown tables."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "BENCHMARKS.md"
RESULTS = REPO / "bench" / "results"


def write_section(title: str, text: str) -> None:
    """Replace (or append) the section headed ``title`` in BENCHMARKS.md, leaving the others alone."""
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    BENCHMARKS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def publish(section: str, name: str, results: dict | None, text: str, write: bool) -> None:
    """Save the raw results (bench/results/NAME.json, unless None), print the section, and with
    ``write`` put it into BENCHMARKS.md."""
    import json

    if results is not None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, default=str))
    print(text)
    if write:
        write_section(section, text)


def median_spread(values: Sequence[float], digits: int = 1) -> str:
    """`12.3 (11.9-13.0)`: the median and the range over the repeats (just the value for one run)."""
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank on sorted values)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
