"""The single index writer as a session: add and delete articles, commit atomically (the indexing run above,
``search.ingest``, decides what to add, delete and when to commit)."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from whoosh.index import FileIndex, LockError
from whoosh.reading import IndexReader

from search.index.errors import IndexLockedError
from search.index.merge import LinearMergePolicy
from search.index.schema import EXACT_FIELDS, build_schema
from search.index.segment import BulkSegmentWriter, Postings

log = logging.getLogger(__name__)

WRITER_LIMIT_MB = 256  # posting pool memory before Whoosh spills a sorted run to disk
CommitReader = IndexReader  # what a commit hook reads the new commit with (see live_documents)
CommitHook = Callable[[CommitReader, int], None]


class WriterSession:
    """Adds, deletes and commits on one index; Whoosh's writer (and its lock) is taken on the first change.

    ``merge_full``: segments of at least this many articles are never merged again (see search.index.merge).
    """

    def __init__(self, ix: FileIndex, index_dir: Path, merge_full: int) -> None:
        self.ix = ix
        self.index_dir = index_dir
        self.merge_full = merge_full
        self.pending = 0  # changes since the last commit
        self._writer: BulkSegmentWriter | None = None

    def holds_nothing(self) -> bool:
        """Whether the index has never held an article (deleted ones count until merged away)."""
        return self.ix.doc_count_all() == 0

    def generation(self) -> int:
        """The latest commit's number."""
        return self.ix.latest_generation()

    def documents(self) -> int:
        """Articles in the latest commit."""
        return self.ix.doc_count()

    def add(self, fields: Mapping[str, object], analysed: Mapping[str, tuple[object, Postings]], replace: bool) -> None:
        """Add one article (``replace``: its id is in the index, the old one goes)."""
        writer = self._open()
        if replace:
            writer.delete_by_term("id", fields["id"])  # what update_document does for the unique id field
        if EXACT_FIELDS["body"] not in writer.schema:  # an index made before exact words: as it was made
            fields = {k: v for k, v in fields.items() if k not in EXACT_FIELDS.values()}
        writer.add_analysed(fields, analysed)
        self.pending += 1

    def delete(self, doc_id: str) -> None:
        self._open().delete_by_term("id", doc_id)
        self.pending += 1

    def commit(self, before_toc: CommitHook | None = None, final: bool = False) -> bool:
        """Flush the segment (Whoosh sorts the postings gathered since the last commit and writes them) and commit
        when there are changes (or ``final``, with an open writer); True when a commit was made.

        ``before_toc(reader, generation)`` runs once the commit's segments are written and before its table of
        contents, with a reader of the new commit: what it writes beside the index is part of that commit (a
        crash before the table of contents leaves the last commit as it was). Given, a commit is always made.
        """
        if before_toc is not None:
            self._open()
        writer = self._writer
        if writer is None or not (self.pending or final):
            return False
        if before_toc is not None:
            writer.before_toc = lambda segments, generation: self._before_toc(before_toc, segments, generation)
        writer.commit(mergetype=LinearMergePolicy(full=self.merge_full))
        self._writer = None
        self.pending = 0
        _test_stop_point("after-commit")
        return True

    def _before_toc(self, hook: CommitHook, segments: list, generation: int) -> None:
        writer = self._writer
        assert writer is not None
        reader = FileIndex._reader(writer.storage, writer.schema, segments, generation)
        try:
            hook(reader, generation)
        finally:
            reader.close()
        _test_stop_point("before-toc")

    def cancel(self) -> None:
        """Drop what is not committed (after an error mid-run); the last commit stays as it was."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        try:
            writer.cancel()
        except Exception as exc:  # e.g. a full disk again: the error being raised says more than this one
            log.info("could not cancel the index writer cleanly: %s", exc)
            _release_lock(writer)

    def _open(self) -> BulkSegmentWriter:
        if self._writer is None:
            try:
                self._writer = BulkSegmentWriter(self.ix, limitmb=WRITER_LIMIT_MB)
                _add_new_fields(self._writer)
            except LockError:
                raise IndexLockedError(
                    f"index at {self.index_dir} is locked: another indexer is writing to it. "
                    "Wait for it to finish, then run again."
                ) from None
        return self._writer


def live_documents(reader: CommitReader, fieldname: str) -> Iterator[tuple[str, list[int]]]:
    """Each term of a field with the live documents holding it (the term list still counts deleted ones),
    field terms in the order of their bytes."""
    for term, _info in reader.iter_field(fieldname):
        value = term.decode() if isinstance(term, bytes) else term
        yield value, [d for d in reader.postings(fieldname, term).all_ids() if not reader.is_deleted(d)]


def _add_new_fields(writer: BulkSegmentWriter) -> None:
    """Fields the schema gained since the index was made (stored-only ones, like ``origin``): added on write."""
    for name, field in build_schema().items():
        if name not in writer.schema:
            writer.add_field(name, field)


def _test_stop_point(name: str) -> None:
    """Crash tests only: SIGKILL this process at a named point of a commit when SEARCH_TEST_KILL_AT names it."""
    if os.environ.get("SEARCH_TEST_KILL_AT") == name:
        log.warning("SEARCH_TEST_KILL_AT=%s: killing the indexer here", name)
        os.kill(os.getpid(), signal.SIGKILL)


def _release_lock(writer: BulkSegmentWriter) -> None:
    """Let go of the write lock of a writer whose cancel() failed (the last commit stays as it was)."""
    lock = getattr(writer, "writelock", None)
    if lock is not None:
        try:
            lock.release()
        except Exception:
            log.debug("write lock already released", exc_info=True)
