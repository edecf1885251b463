"""The scale benchmark's archive generator: distinct articles, deterministic, prefix-stable, growing vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # reads all of Reuters, CoNLL, BBC, TIME and html_news once


@pytest.fixture(scope="module")
def pools(corpus: Path):
    from bench.archive_gen import load_pools

    return load_pools()


def _stream(pools, n: int, seed: int = 7) -> list[dict]:
    from bench.archive_gen import Generator

    return list(Generator(seed, pools).stream(n))


def test_the_same_seed_gives_the_same_archive_and_a_smaller_one_is_its_prefix(pools) -> None:
    big, small = _stream(pools, 600), _stream(pools, 250)
    assert small == big[:250]
    assert _stream(pools, 50, seed=8) != big[:50]


def test_articles_are_distinct_apart_from_the_planned_copies(pools) -> None:
    items = _stream(pools, 1500)
    bodies = [a["body"] for a in items]
    repeated = len(bodies) - len(set(bodies))
    assert 0 < repeated <= 0.03 * len(items)  # about 1% exact copies, nothing else repeated
    assert len({a["id"] for a in items}) == len(items)


def test_dates_are_spread_with_partial_and_missing_ones(pools) -> None:
    dates = [a["date"] for a in _stream(pools, 1500)]
    assert {len(d) for d in dates} == {0, 4, 7, 10}
    years = {int(d[:4]) for d in dates if d}
    assert max(years) - min(years) > 40


def test_vocabulary_and_names_keep_growing_with_size(pools) -> None:
    from bench.archive_gen import heaps

    res = heaps(1200, points=4)
    vocab = [r["vocabulary"] for r in res["rows"]]
    names = [r["name_pairs"] for r in res["rows"]]
    assert vocab == sorted(vocab) and vocab[-1] > vocab[-2]
    assert names[-1] > names[-2]
    assert 0.3 < res["beta"] < 0.8  # Heaps' law exponent of real English text


def test_an_archive_written_to_disk_is_what_the_indexer_reads(tmp_path: Path, pools) -> None:
    from bench.archive_gen import write_archive

    meta = write_archive(tmp_path, 120, per_file=50)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) == 3 and meta["articles"] == 120
    first = json.loads(files[0].read_text(encoding="utf-8").splitlines()[0])
    assert {"id", "title", "body", "date", "source"} <= set(first)
