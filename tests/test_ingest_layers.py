"""The pipeline's import arrows: ingest conducts the index (never the other way), the command line sits on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SEARCH = Path(__file__).resolve().parents[1] / "search"


def imported(path: Path) -> set[str]:
    """Every module a source file imports (at any depth, TYPE_CHECKING blocks included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def modules(package: str) -> list[Path]:
    return sorted((SEARCH / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("index"), ids=lambda p: p.name)
def test_the_index_never_imports_the_conductor_or_the_command_line(path: Path) -> None:
    bad = {m for m in imported(path) if m.split(".")[:2] in (["search", "ingest"], ["search", "cli"])}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules("ingest"), ids=lambda p: p.name)
def test_the_conductor_reaches_whoosh_only_through_the_index(path: Path) -> None:
    bad = {m for m in imported(path) if m.split(".")[0] == "whoosh" or m.startswith("search.web")}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_only_the_entry_point_imports_the_command_line() -> None:
    users = sorted(
        str(p.relative_to(SEARCH))
        for p in SEARCH.rglob("*.py")
        if "cli" not in p.relative_to(SEARCH).parts and any(m.startswith("search.cli") for m in imported(p))
    )
    assert users == ["__main__.py"]
