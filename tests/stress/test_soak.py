"""The 10-minute soak under make serve's gunicorn: zero server errors, well-formed answers, flat memory, fresh news."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))


@pytest.mark.slow
def test_soak_32_clients_for_ten_minutes_while_the_indexer_feeds_the_index(tmp_path: Path) -> None:
    pytest.importorskip("locust", reason="the soak's load generator comes from requirements-bench.txt")
    pytest.importorskip("psutil", reason="the soak's memory sampler comes from requirements-bench.txt")
    from bench.reliability_report import write_reliability_section
    from bench.soak import run_soak, save

    figures = run_soak(SECONDS, 32, 400, tmp_path)
    save(figures)
    write_reliability_section()
    assert figures["requests"] > 0
    assert figures["server_errors"] == 0
    assert figures["malformed"] == 0, figures["malformed_examples"]
    assert figures["connection_failures"] == 0
    assert figures["unexpected_4xx"] == 0
    assert figures["indexer_failed_runs"] == 0, figures["feeder_errors"]
    assert figures["new_searchable"]
    # Flat: the last minute within 25% (+50 MB for the articles added meanwhile) of the first.
    assert figures["rss_last_mb"] <= figures["rss_first_mb"] * 1.25 + 50
