"""Read-only replicas of a committed index: copy a commit's immutable files first and its table of contents last.

A commit is a table of contents (``_MAIN_<generation>.toc``) naming immutable segment files, plus the files the
project keeps beside it (the entity map, the authority file). A replica folder is brought to the source's latest
commit by copying what it lacks, each file under a hidden temporary name renamed into place, the table of contents
last: a service reading the replica (which opens the newest table of contents it finds) never sees a half-copied
commit. Files no longer needed are removed one round later, not at once, so a reader that has just read the
previous table of contents still finds its segments.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.filedb.filestore import RamStorage

from search.index.errors import IndexStorageError
from search.index.storage import INDEX_NAME, describe_os_error

log = logging.getLogger(__name__)

MANIFEST = "REPLICA.json"  # the replica's own record of the files its last round kept
TOC_RE = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
ATTEMPTS = 5  # rounds tried when the source commits (and drops files) while a round copies


@dataclass
class ReplicaRound:
    """What one round did."""

    generation: int
    copied: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    bytes_copied: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.copied or self.removed)


class _SourceMoved(Exception):
    """A file of the commit being copied vanished: the source committed again meanwhile."""


def latest_generation(folder: Path) -> int:
    """The newest table of contents' generation in ``folder`` (-1: none)."""
    gens = [int(m.group(1)) for name in os.listdir(folder) if (m := TOC_RE.match(name))]
    return max(gens, default=-1)


def commit_files(source: Path) -> tuple[int, bytes, list[str]]:
    """The source's latest commit: its generation, its table of contents (bytes, read once) and every other file
    it needs (segment files from the table of contents, then the files kept beside the index)."""
    gen = latest_generation(source)
    if gen < 0:
        raise IndexStorageError(f"no index at {source}: the folder holds no committed index")
    toc_name = f"_{INDEX_NAME}_{gen}.toc"
    try:
        toc_bytes = (source / toc_name).read_bytes()
    except FileNotFoundError:
        raise _SourceMoved(toc_name) from None
    from whoosh.index import TOC

    ram = RamStorage()
    with ram.create_file(toc_name) as out:
        out.write(toc_bytes)
    toc = TOC.read(ram, INDEX_NAME, gen)
    listing = sorted(os.listdir(source))
    needed: list[str] = []
    for segment in toc.segments:
        prefix = f"{segment.segment_id()}."
        names = [n for n in listing if n.startswith(prefix)]
        if not names:
            raise _SourceMoved(segment.segment_id())
        needed += names
    needed += [n for n in listing if _is_beside_index(n)]
    return gen, toc_bytes, needed


def _is_beside_index(name: str) -> bool:
    """A file the project keeps beside the Whoosh index (entity map, authority file): not Whoosh's own, not a lock,
    not a temporary file, not a replica's manifest."""
    return not (
        name.startswith((INDEX_NAME, f"_{INDEX_NAME}", "."))
        or name.endswith(".tmp")
        or "LOCK" in name
        or name == MANIFEST
    )


def replicate(source: Path, dest: Path) -> ReplicaRound:
    """Bring ``dest`` to the latest commit of the index at ``source`` (one round); IndexStorageError on trouble."""
    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise IndexStorageError(f"no index at {source}: the folder does not exist")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for _ in range(ATTEMPTS):
            try:
                return _round(source, dest)
            except _SourceMoved as moved:
                log.info("the source committed while copying (%s gone); trying again", moved)
                time.sleep(0.05)
    except OSError as exc:
        raise IndexStorageError(describe_os_error(dest, exc)) from None
    raise IndexStorageError(f"index at {source} changed {ATTEMPTS} times while being copied; try again")


def _round(source: Path, dest: Path) -> ReplicaRound:
    gen, toc_bytes, needed = commit_files(source)
    toc_name = f"_{INDEX_NAME}_{gen}.toc"
    result = ReplicaRound(gen)
    for name in needed:  # immutable segment files first (kept if already here), the files beside them if changed
        src, dst = source / name, dest / name
        try:
            st = src.stat()
            if dst.exists():
                have = dst.stat()
                if have.st_size == st.st_size and (name.startswith(INDEX_NAME) or have.st_mtime_ns == st.st_mtime_ns):
                    continue
            _copy_atomic(src, dst)
        except FileNotFoundError:
            if name.startswith(INDEX_NAME):
                raise _SourceMoved(name) from None
            continue  # a file beside the index that the source just removed
        result.copied.append(name)
        result.bytes_copied += st.st_size
    if not (dest / toc_name).exists():
        _write_atomic(dest / toc_name, toc_bytes)  # last: from here on, readers see the new commit
        result.copied.append(toc_name)
        result.bytes_copied += len(toc_bytes)
    keep = {toc_name, *needed, *_previous_round(dest)}
    for name in sorted(os.listdir(dest)):
        if name in keep or name == MANIFEST or name.startswith("."):
            continue
        (dest / name).unlink(missing_ok=True)  # open readers keep their file (POSIX); new readers never ask for it
        result.removed.append(name)
    _write_atomic(dest / MANIFEST, json.dumps({"generation": gen, "files": [toc_name, *needed]}).encode())
    return result


def _previous_round(dest: Path) -> list[str]:
    try:
        return list(json.loads((dest / MANIFEST).read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _copy_atomic(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.replicating.tmp")
    shutil.copy2(src, tmp)  # keeps the modification time: the next round sees the file unchanged
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dst)


def _write_atomic(dst: Path, data: bytes) -> None:
    tmp = dst.with_name(f".{dst.name}.replicating.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dst)
