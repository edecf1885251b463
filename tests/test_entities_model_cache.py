"""Derived model tables are built once, read back from disk, and rebuilt when their source file changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search.enrich import model_cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(folder))
    return folder


def test_table_is_built_once_then_read_from_disk(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "weights.txt"
    source.write_text("1 2 3")
    builds: list[int] = []

    def build() -> dict[str, list[int]]:
        builds.append(1)
        return {"weights": [int(x) for x in source.read_text().split()]}

    assert model_cache.load("toy", 1, [source], build) == {"weights": [1, 2, 3]}
    assert model_cache.load("toy", 1, [source], build) == {"weights": [1, 2, 3]}
    assert len(builds) == 1
    assert len(list(cache.glob("toy-*.pickle"))) == 1
    assert not list(cache.glob("*.tmp"))


def test_changed_source_or_version_gives_a_fresh_table_and_drops_the_stale_one(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "weights.txt"
    source.write_text("1 2 3")
    model_cache.load("toy", 1, [source], lambda: source.read_text())
    source.write_text("4 5 6")
    os.utime(source, ns=(1, 1))
    assert model_cache.load("toy", 1, [source], lambda: source.read_text()) == "4 5 6"
    assert model_cache.load("toy", 2, [source], lambda: "v2") == "v2"
    assert len(list(cache.glob("toy-*.pickle"))) == 1


def test_damaged_cache_file_is_rebuilt(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "weights.txt"
    source.write_text("1")
    model_cache.load("toy", 1, [source], lambda: "good")
    (path,) = cache.glob("toy-*.pickle")
    path.write_bytes(b"not a pickle")
    assert model_cache.load("toy", 1, [source], lambda: "rebuilt") == "rebuilt"
    assert model_cache.load("toy", 1, [source], lambda: "unused") == "rebuilt"


def test_missing_source_builds_in_memory_without_caching(cache: Path, tmp_path: Path) -> None:
    assert model_cache.load("toy", 1, [tmp_path / "absent", None], lambda: "built") == "built"
    assert not cache.exists()


def test_lexicon_read_back_from_the_cache_equals_a_fresh_build(cache: Path) -> None:
    from search.enrich.entities import gazetteer

    gazetteer.lexicon.cache_clear()
    try:
        first = gazetteer.lexicon()  # built and saved into the empty cache folder
        assert len(list(cache.glob("entity-lexicon-*.pickle"))) == 1
        gazetteer.lexicon.cache_clear()
        assert gazetteer.lexicon() == first == gazetteer._build_lexicon()
    finally:
        gazetteer.lexicon.cache_clear()
