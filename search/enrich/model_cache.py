"""Tables derived from NLTK's model files, built once and kept on disk so each process loads them quickly.

The key of a cached table is a hash of its name, a version, the numpy version and every source file's name,
size, modification time and content: a changed model file gives a new key, so a stale table is never read.
Files are written atomically (a temporary file, then a rename), so concurrent processes never read a half-written
table. The folder is ``$SEARCH_CACHE_DIR`` or ``.cache/models`` in the repository (git-ignored); when it cannot be
written the tables are simply built in memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_dir() -> Path:
    """Where derived model tables are kept."""
    env = os.environ.get("SEARCH_CACHE_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / ".cache" / "models"


def nltk_path(resource: str) -> Path | None:
    """The file or folder of an NLTK resource on disk (None if it lives in a zip or is missing)."""
    from nltk.data import FileSystemPathPointer, find

    try:
        pointer = find(resource)
    except LookupError:
        return None
    return Path(pointer.path) if isinstance(pointer, FileSystemPathPointer) else None


def _files(sources: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for src in sources:
        out.extend(sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src])
    return out


def _key(name: str, version: int, sources: Sequence[Path]) -> str:
    import numpy

    digest = hashlib.blake2b(f"{name}\0{version}\0{numpy.__version__}".encode(), digest_size=12)
    for path in _files(sources):
        st = path.stat()
        digest.update(f"\0{path.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def load(name: str, version: int, sources: Sequence[Path | None], build: Callable[[], T]) -> T:
    """The table ``build()`` makes from ``sources``: read from the cache when its key matches, else built and saved."""
    if any(src is None or not src.exists() for src in sources):
        return build()
    try:
        key = _key(name, version, [src for src in sources if src is not None])
    except OSError as exc:
        log.info("model cache: cannot read the sources of %s (%s): building in memory", name, exc)
        return build()
    folder = cache_dir()
    path = folder / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged file is rebuilt, never trusted
        log.warning("model cache: %s unreadable (%s): rebuilding", path, exc)
    value = build()
    _save(folder, path, name, value)
    return value


def _save(folder: Path, path: Path, name: str, value: object) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; other local users (a web server) may read it
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{name}-*.pickle"):  # tables of older model files or code
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("model cache: cannot write %s (%s): tables stay in memory", path, exc)
