"""Machine facts every benchmark records beside its figures: cores, memory, CPU, Python, date."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path


def machine_info() -> dict[str, object]:
    """Cores, memory, CPU model, OS, Python and the UTC date of this run."""
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count() or 1,
        "memory_gb": round(mem_gb, 1),
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def describe(info: dict[str, object] | None = None) -> str:
    """One line for a report: `2 cores, 23.5 GB, <cpu>, Python 3.11.2, 2026-11-22 19:30 UTC`."""
    m = info or machine_info()
    return f"{m['cores']} cores, {m['memory_gb']} GB RAM, {m['cpu']}, {m['os']}, Python {m['python']}, {m['date']}"


if __name__ == "__main__":
    sys.stdout.write(describe() + "\n")
