"""Planning a run: one walk of the sources, checked against the catalog of what the index holds, into the
enrichment tasks of what is new or changed (exact copies wait for their original, vanished records go)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from search.documents import Document
from search.extract.errors import ExtractError, Note, Skipped
from search.extract.sources import Limits, SourceFile, extract_file, read_file
from search.extract.walk import discover
from search.index.catalog import Catalog
from search.ingest.copies import PARKED, Copies
from search.ingest.ids import RecordIds
from search.ingest.summary import IndexSummary
from search.ingest.tasks import DocsTask, FileTask, Known, Task

DOCS_PER_TASK = 32  # records sent to a worker at once


@dataclass(frozen=True)
class Sources:
    """One walk of the folders given: everything found, in order, and what the plan and the progress bar need."""

    items: list[SourceFile | Skipped | Note]
    found: set[str]  # every file found (a one-article file's id is its path)
    reread: set[str]  # files to read even if unchanged: a record there holds the id of a file that appeared since
    files: int  # files to read (the progress bar's total)

    @classmethod
    def walk(cls, paths: Sequence[str | Path], limits: Limits, catalog: Catalog) -> Sources:
        items: list[SourceFile | Skipped | Note] = []
        found: set[str] = set()
        reread: set[str] = set()
        for item in discover(paths, limits):
            items.append(item)
            if not isinstance(item, SourceFile):
                continue
            found.add(item.rel)
            held = catalog.docs.get(item.rel) if not item.is_records else None
            if held is not None and held[0] != item.rel:  # a new file whose path is a record's id: re-read that
                reread.add(held[0])
        return cls(items, found, reread, len(found))


class Plan:
    """The tasks of a run, made as the fan-out asks for them; what needs no enrichment is counted or deleted."""

    def __init__(
        self,
        sources: Sources,
        catalog: Catalog,
        limits: Limits,
        summary: IndexSummary,
        copies: Copies,
        delete: Callable[[str], None],
        resuming: bool = False,
    ) -> None:
        self.sources = sources
        self.catalog = catalog
        self.limits = limits
        self.summary = summary
        self.delete = delete  # an article that is gone
        self.resuming = resuming  # the run before stopped midway: a records file may be only partly committed
        self.copies = copies
        self.ids = RecordIds(catalog, sources.found)
        self.seen_paths: set[str] = set()

    def tasks(self, tick: Callable[[], object]) -> Iterator[Task]:
        """The tasks in the order of the sources; ``tick`` counts a file done without a task of its own."""
        for item in self.sources.items:
            if not isinstance(item, SourceFile):
                self.summary.report(item)
                continue
            self.seen_paths.add(item.rel)
            try:
                raw = read_file(item, self.limits)
            except ExtractError as exc:
                self.summary.skipped.append(Skipped(item.rel, str(exc)))
                tick()
                continue
            if (
                item.rel not in self.sources.reread
                and not (item.is_records and self.resuming)
                and self.catalog.file_unchanged(item.rel, item.fingerprint(raw))
            ):
                self.summary.unchanged += len(self.catalog.ids_for_path(item.rel))
                tick()
                continue
            if not item.is_records:
                yield FileTask(item, raw)
                continue
            yield from self._record_tasks(item, raw)
            tick()

    def _record_tasks(self, src: SourceFile, raw: bytes) -> Iterator[DocsTask]:
        """A records file is split in the writing process, so its records spread over the workers."""
        docs: list[Document] = []
        known: list[Known | None] = []
        present: set[str] = set()
        for item in extract_file(src, raw, self.limits):
            if isinstance(item, (Skipped, Note)):
                self.summary.report(item)
                continue
            item, note = self.ids.claim(item, src.rel)
            if note is not None:
                self.summary.notes.append(note)
            present.add(item.id)
            if self.catalog.doc_unchanged(item.id, item.content_hash):
                self.summary.unchanged += 1
                continue
            copy = self.copies.check(item)
            if copy is PARKED:
                continue
            docs.append(item)
            known.append(copy)  # type: ignore[arg-type]
            if len(docs) >= DOCS_PER_TASK:
                yield DocsTask(tuple(docs), tuple(known))
                docs, known = [], []
        if docs:
            yield DocsTask(tuple(docs), tuple(known))
        # Records that vanished from a changed file go with it.
        for gone in self.catalog.ids_for_path(src.rel) - present:
            self.delete(gone)

    def gone(self) -> list[str]:
        """Articles of files not found in this run (what ``--prune`` deletes), file by file in name order."""
        return [
            doc_id
            for path in sorted(self.catalog.paths() - self.seen_paths)
            for doc_id in self.catalog.ids_for_path(path)
        ]
