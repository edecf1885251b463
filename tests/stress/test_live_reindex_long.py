"""The long version: five indexer runs adding 600 articles and updating 100 while four HTTP clients and the search
core search the whole time; no failed search, every commit followed without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_live_reindex import check_live_run, run_live_reindex


@pytest.mark.slow
def test_searches_never_fail_through_a_long_indexing_run(tmp_path: Path) -> None:
    run = run_live_reindex(tmp_path, initial=200, added=600, updated=100, commit_every=40, http_clients=4, rounds=5)
    check_live_run(run)
    searches = sum(len(w.latencies) for w in run.watches)
    print(f"{searches} searches during {run.indexer_seconds:.1f} s of indexing, {run.commits} commits, 0 failed")
