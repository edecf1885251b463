"""The enrichment tasks of a run and the worker side that runs them: pure, so they run in any process."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from search.documents import Document
from search.enrich.entities import DocEntities
from search.enrich.pipeline import Enriched, enrich
from search.extract.errors import Note, Skipped
from search.extract.sources import Limits, SourceFile, extract_file
from search.index.prepare import Analysed, analyse_fields
from search.index.schema import document_fields

log = logging.getLogger(__name__)

Known = tuple[DocEntities, bytes]  # what enrichment gave an exact copy of an article: its entities and signature


@dataclass(frozen=True)
class FileTask:
    """One file to extract and enrich in a worker."""

    src: SourceFile
    raw: bytes


@dataclass(frozen=True)
class DocsTask:
    """Records of a records file (split in the writing process, so they spread over the workers)."""

    docs: tuple[Document, ...]
    # Per document, what enrichment gave an exact copy of it earlier in the run, or None: such a copy is only
    # analysed in the worker (its id, dates and path differ), never enriched again.
    known: tuple[Known | None, ...] = ()


Task = FileTask | DocsTask


@dataclass(frozen=True)
class Prepared:
    """An enriched article with its index fields (all but the cluster) and analysed text, built in a worker."""

    enriched: Enriched
    fields: dict[str, object]
    analysed: Analysed

    @classmethod
    def of(cls, enriched: Enriched, analysed: Analysed | None = None) -> Prepared:
        """The article's fields; its postings analysed here unless given (an exact copy reuses its original's)."""
        fields = document_fields(enriched)
        return cls(enriched, fields, analyse_fields(fields) if analysed is None else analysed)


def where(task: Task) -> str:
    """What a task holds, as a report names it."""
    return task.src.rel if isinstance(task, FileTask) else ", ".join(d.id for d in task.docs)


def run_task(task: Task, entities: bool = True, limits: Limits | None = None) -> list[Prepared | Skipped | Note]:
    """Worker side: extract (for a file), enrich and analyse the text fields; never raises for one bad article."""
    t0 = time.perf_counter()
    items = extract_file(task.src, task.raw, limits) if isinstance(task, FileTask) else list(task.docs)
    extract_seconds = time.perf_counter() - t0
    out: list[Prepared | Skipped | Note] = []
    known = task.known if isinstance(task, DocsTask) else ()
    for n, item in enumerate(items):
        if isinstance(item, (Skipped, Note)):
            out.append(item)
            continue
        try:
            copied = known[n] if n < len(known) else None
            enriched = enrich(item, entities=entities) if copied is None else Enriched(item, *copied, {})
        except Exception as exc:  # a bug on one article is reported, the rest goes on
            log.exception("enrichment failed for %s", item.id)
            out.append(Skipped(item.id, f"enrichment failed: {type(exc).__name__}: {exc}"))
            continue
        if extract_seconds:
            enriched.timings["extract"] = extract_seconds
            extract_seconds = 0.0
        t1 = time.perf_counter()
        prepared = Prepared.of(enriched)
        enriched.timings["analyse"] = time.perf_counter() - t1
        out.append(prepared)
    return out
