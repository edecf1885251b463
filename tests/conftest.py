"""Shared fixtures: the shared corpus, and real indexes on disk built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = CORPUS / "seeds"
SAMPLES = ROOT / "samples"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is beside the project on CI and developer machines)")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return _need(CORPUS)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _need(SEEDS)


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """A real Whoosh index of the five seed articles, built once by the product's own indexer."""
    from search.index.writer import index_paths

    index_dir = tmp_path_factory.mktemp("seeds-index")
    index_paths([seeds_dir], index_dir, workers=1)
    return index_dir


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the project's own sample archive (what `make serve` shows)."""
    from search.index.writer import index_paths

    index_dir = tmp_path_factory.mktemp("samples-index")
    index_paths([SAMPLES], index_dir, workers=1)
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path: Path, seeds_dir: Path) -> Path:
    """A writable copy of the seeds, for tests that change, add or delete files."""
    target = tmp_path / "articles"
    shutil.copytree(seeds_dir, target)
    return target
