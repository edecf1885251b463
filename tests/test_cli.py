"""The command line a newcomer types: clear output, clear errors, never a stack trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_index_prints_a_summary_with_skipped_files(tmp_path: Path, seeds_copy: Path) -> None:
    (seeds_copy / "broken.json").write_text("{nope")
    done = _run("index", str(seeds_copy), "--index", str(tmp_path / "ix"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "5 added, 0 updated, 0 unchanged, 0 deleted, 1 skipped" in done.stdout
    assert "skipped broken.json: malformed JSON" in done.stdout
    assert "indexing" in done.stderr  # the progress bar


def test_index_json_summary(tmp_path: Path, seeds_dir: Path) -> None:
    done = _run("index", str(seeds_dir), "--index", str(tmp_path / "ix"), "--json", "--quiet", "--workers", "1")
    summary = json.loads(done.stdout)
    assert summary["added"] == 5 and summary["documents"] == 5 and summary["skipped"] == []


def test_if_empty_leaves_an_existing_index_alone(tmp_path: Path, seeds_dir: Path) -> None:
    _run("index", str(seeds_dir), "--index", str(tmp_path / "ix"), "--quiet", "--workers", "1")
    again = _run("index", str(seeds_dir), "--index", str(tmp_path / "ix"), "--if-empty")
    assert again.returncode == 0 and "already holds an index" in again.stdout


def test_index_directory_defaults_to_search_index_env(tmp_path: Path, seeds_dir: Path) -> None:
    target = tmp_path / "from-env"
    done = _run("index", str(seeds_dir), "--quiet", "--workers", "1", env={"SEARCH_INDEX": str(target)})
    assert done.returncode == 0 and f"Indexed into {target}" in done.stdout


def test_missing_nltk_package_is_named_without_a_stack_trace(tmp_path: Path, seeds_dir: Path) -> None:
    empty = tmp_path / "no-nltk-data"
    empty.mkdir()
    done = _run(
        "index",
        str(seeds_dir),
        "--index",
        str(tmp_path / "ix"),
        env={"NLTK_DATA": str(empty), "SEARCH_NLTK_DIR": str(empty), "HOME": str(tmp_path)},
    )
    if done.returncode == 0:  # a machine with internet fetched the packages: nothing to report
        return
    assert "Traceback" not in done.stderr
    assert "error: NLTK data package '" in done.stderr and "is missing" in done.stderr


def test_query_on_a_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    done = _run("query", "lavrov", "--index", str(tmp_path / "nowhere"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "error:" in done.stderr


def test_bad_arguments_explain_themselves() -> None:
    done = _run("query", "x", "--from", "2023-13-01")
    assert done.returncode == 2 and "not a date (expected YYYY-MM-DD)" in done.stderr


def test_stats_json_has_the_documented_shape(seeds_index: Path) -> None:
    done = _run("stats", "--index", str(seeds_index), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"documents", "dated", "undated", "date_min", "date_max", "people", "organizations", "places"} <= set(data)
    assert (data["documents"], data["dated"], data["undated"]) == (5, 4, 1)
    assert (data["date_min"], data["date_max"]) == ("2023-05-04", "2023-12-27")
    assert data["size_bytes"] > 0
    people = {p["value"]: p["count"] for p in data["people"]}
    assert people["Sergey Lavrov"] == 5
    assert all(set(p) == {"value", "count"} for p in data["places"])


def test_stats_readable_output(seeds_index: Path) -> None:
    done = _run("stats", "--index", str(seeds_index))
    assert "5 articles (4 dated, 1 undated), 2023-05-04 to 2023-12-27" in done.stdout
    assert "People: Sergey Lavrov (5)" in done.stdout


def test_query_lists_ranked_hits_and_json_matches_the_api_shape(seeds_index: Path) -> None:
    done = _run("query", "discussing trade", "--index", str(seeds_index), "--json")
    data = json.loads(done.stdout)
    assert {
        "query",
        "total",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "correction",
        "unmatched",
        "notes",
    } <= set(data)
    assert data["total"] >= 1
    plain = _run("query", "Lavrov", "--index", str(seeds_index), "--sort", "newest")
    assert plain.returncode == 0 and "4 results" in plain.stdout
    assert "4 stories, 5 articles: 1 near-duplicate version(s) folded" in plain.stdout
    every = _run("query", "Lavrov", "--index", str(seeds_index), "--versions", "all", "--json")
    assert json.loads(every.stdout)["counts"] == {
        "unit": "articles",
        "versions": "all",
        "stories": 4,
        "articles": 5,
        "folded": 0,
        "histogram_overlap": 0,
    }
