"""Open or create the on-disk Whoosh index, turning OS trouble into clear errors."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, FileIndex

from search.index.errors import IndexLockedError, IndexStorageError
from search.index.schema import build_schema

INDEX_NAME = "MAIN"
RUN_LOCK = f"{INDEX_NAME}_RUNLOCK"


def open_for_writing(index_dir: Path) -> FileIndex:
    """Open the index, creating the folder and an empty index when there is none."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(index_dir), INDEX_NAME):
            return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
        return whoosh_index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)
    except OSError as exc:
        raise IndexStorageError(describe_os_error(index_dir, exc)) from None


def open_for_reading(index_dir: Path) -> FileIndex:
    """Open an existing index read-only; IndexStorageError if there is none or it cannot be read."""
    if not index_dir.is_dir():
        raise IndexStorageError(f"no index at {index_dir}: the folder does not exist (run `python -m search index`)")
    if not os.access(index_dir, os.R_OK | os.X_OK):
        raise IndexStorageError(describe_os_error(index_dir, PermissionError(errno.EACCES, "permission denied")))
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME, readonly=True)
    except EmptyIndexError:
        raise IndexStorageError(f"no index at {index_dir}: the folder holds no index yet") from None
    except OSError as exc:
        raise IndexStorageError(describe_os_error(index_dir, exc)) from None


@contextmanager
def run_lock(index_dir: Path) -> Iterator[bool]:
    """Hold the index for one whole indexing run; IndexLockedError at once if another run holds it. Yields True
    when the run before did not finish (the lock file is marked while a run is going), so this one must not trust
    a file-level "unchanged" for a records file whose records were only partly committed.

    Whoosh's own write lock is only held while a writer is open, so between two commits of one run a second
    indexer could slip in. This lock spans the run. It is a POSIX record lock: owned by this process alone (not
    inherited by forked enrichment workers) and dropped by the kernel when the process dies, so a lock left by
    a killed indexer never blocks the next run.
    """
    try:
        fd = os.open(index_dir / RUN_LOCK, os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexStorageError(describe_os_error(index_dir, exc)) from None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise IndexStorageError(describe_os_error(index_dir, exc)) from None
            raise IndexLockedError(
                f"index at {index_dir} is locked: another indexer is writing to it. "
                "Wait for it to finish, then run again."
            ) from None
        interrupted = os.fstat(fd).st_size > 0
        try:
            os.ftruncate(fd, 0)
            os.write(fd, b"indexing\n")
        except OSError as exc:  # a full disk shows here first: say so, as the writer would
            raise IndexStorageError(describe_os_error(index_dir, exc)) from None
        yield interrupted
        os.ftruncate(fd, 0)  # finished: the next run may trust what this one committed
    finally:
        os.close(fd)  # closing the descriptor drops the lock


def index_size(index_dir: Path) -> int:
    """Bytes on disk of everything in the index folder."""
    return sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())


def describe_os_error(index_dir: Path, exc: OSError) -> str:
    """A plain-language reason for an OS error on the index folder."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied (is the folder read-only?)",
        errno.EROFS: "the file system is read-only",
        errno.ENOENT: "the folder does not exist",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EFBIG: "a file grew past the size limit set for this process (ulimit -f)",
    }
    return f"index at {index_dir}: {reasons.get(exc.errno, exc.strerror or str(exc))}"
