"""200 SIGKILLs of the indexer at random moments: no committed article lost, none duplicated; figures recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash_trials import run_trials, save
from bench.reliability_report import write_reliability_section

TRIALS = 200
ARTICLES = 150


@pytest.mark.slow
def test_two_hundred_sigkills_lose_nothing_and_a_rerun_finishes_the_job(tmp_path: Path) -> None:
    figures = run_trials(TRIALS, ARTICLES, tmp_path)
    save(figures)
    write_reliability_section()
    assert figures.trials == TRIALS
    assert figures.failures == []
    assert figures.survived == TRIALS - figures.killed_before_first_commit or figures.survived == TRIALS
    assert figures.articles_lost == 0
    assert figures.duplicates == 0
    assert figures.unreadable == 0
    assert figures.final_run_ok
    assert figures.final_articles == figures.articles
    assert figures.final_changes_in
