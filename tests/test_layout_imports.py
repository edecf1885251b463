"""Where each engine and framework may be imported: Whoosh only by the index and the query core's matching
package, Flask only by the web layer (the design card's boundaries, checked on every module of search/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SEARCH = Path(__file__).resolve().parent.parent / "search"

ALLOWED = {
    "whoosh": ("index", "query/match"),
    "flask": ("web",),
}


def _imports(path: Path) -> set[str]:
    """Top-level package names a module imports (anywhere in it, TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _modules() -> list[Path]:
    return sorted(SEARCH.rglob("*.py"))


def test_the_scan_sees_the_packages_it_guards() -> None:
    everything = set().union(*(_imports(p) for p in _modules()))
    assert {"whoosh", "flask"} <= everything


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_is_imported_only_where_the_layout_allows(package: str) -> None:
    allowed = ALLOWED[package]
    offenders = [
        str(path.relative_to(SEARCH))
        for path in _modules()
        if package in _imports(path)
        and not any(path.relative_to(SEARCH).as_posix().startswith(prefix + "/") for prefix in allowed)
    ]
    assert offenders == [], f"{package} imported outside {', '.join(allowed)}: {offenders}"
