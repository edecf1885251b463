"""The single index writer: incremental by content hash, enrichment in worker processes, atomic commits."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from tqdm import tqdm
from whoosh.fields import FieldType
from whoosh.formats import Positions
from whoosh.index import FileIndex, LockError
from whoosh.reading import IndexReader
from whoosh.writing import IndexWriter

from search.documents import Document
from search.enrich.analysis import positions_postings
from search.enrich.duplicates import Clusters
from search.enrich.entities import DocEntities
from search.enrich.entities.map import EntityMap, map_generation, remove_maps_before
from search.enrich.pipeline import Enriched, enrich
from search.extract.errors import ExtractError, Note, Skipped
from search.extract.sources import Limits, SourceFile, discover, extract_file, read_file
from search.index.catalog import Catalog
from search.index.errors import IndexLockedError, IndexStorageError
from search.index.merge import LinearMergePolicy
from search.index.schema import ENTITY_FIELDS, EXACT_FIELDS, build_schema
from search.index.segment import BulkSegmentWriter, Postings, analyse
from search.index.storage import describe_os_error, open_for_writing, run_lock
from search.ingest.fanout import ClusterError, Fanout, Pending, in_order, make_fanout

log = logging.getLogger(__name__)

ENTITY_TYPES = {"people": "person", "organizations": "organization", "places": "place"}
DOCS_PER_TASK = 32  # records sent to a worker at once
COMMIT_EVERY = 5000  # documents between commits: a crash loses at most this much work, never a commit
WRITER_LIMIT_MB = 256  # posting pool memory before Whoosh spills a sorted run to disk
SEEN_TEXTS_MAX = 200_000  # texts remembered for exact-copy detection (bounded so memory stays flat)
_PARKED = object()  # _copy_of: the copy waits for its original, still being enriched


@dataclass
class IndexSummary:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    copies: int = 0  # exact copies of another article in this run: enriched once, written twice
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # indexed, but changed: a body cut, a colliding id renamed
    seconds: float = 0.0
    documents: int = 0  # in the index after the run
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    peak_in_flight: int = 0  # most enrichment tasks out at once (the back-pressure bound, as observed)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "copies": self.copies,
            "skipped": [{"where": s.where, "reason": s.reason} for s in self.skipped],
            "notes": [{"where": n.where, "reason": n.reason} for n in self.notes],
            "seconds": round(self.seconds, 3),
            "documents": self.documents,
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "peak_in_flight": self.peak_in_flight,
        }


@dataclass(frozen=True)
class DateRange:
    """The publication dates an archive can plausibly hold; an article dated outside is indexed with a note."""

    earliest: date = date(1600, 1, 1)
    latest: date | None = None  # None: a year from today

    def holds(self, day: date) -> bool:
        return self.earliest <= day <= self._latest()

    def _latest(self) -> date:
        return self.latest or date.today() + timedelta(days=366)

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()}..{self._latest().isoformat()}"

    @classmethod
    def parse(cls, text: str) -> DateRange:
        """``YYYY-MM-DD..YYYY-MM-DD`` (either end may be left out); ValueError saying what is wrong."""
        lo, sep, hi = text.strip().partition("..")
        if not sep:
            raise ValueError(f"a date range is written FROM..TO (as 1600-01-01..2030-12-31), got {text!r}")
        try:
            earliest = date.fromisoformat(lo) if lo.strip() else cls.earliest
            latest = date.fromisoformat(hi) if hi.strip() else None
        except ValueError:
            raise ValueError(f"dates in a range are written YYYY-MM-DD, got {text!r}") from None
        if latest is not None and latest < earliest:
            raise ValueError(f"the range {text!r} ends before it starts")
        return cls(earliest, latest)

    @classmethod
    def from_env(cls) -> DateRange:
        """The range set by SEARCH_DATE_RANGE (FROM..TO), else 1600-01-01 to a year from today."""
        raw = os.environ.get("SEARCH_DATE_RANGE", "").strip()
        return cls.parse(raw) if raw else cls()


@dataclass(frozen=True)
class _FileTask:
    src: SourceFile
    raw: bytes


@dataclass(frozen=True)
class _DocsTask:
    docs: tuple[Document, ...]
    # Per document, what enrichment gave an exact copy of it earlier in the run (entities, signature), or None:
    # such a copy is only analysed in the worker (its id, dates and path differ), never enriched again.
    known: tuple[tuple[DocEntities, bytes] | None, ...] = ()


@dataclass(frozen=True)
class _Prepared:
    """An enriched article with its index fields (all but the cluster) and analysed text, built in a worker."""

    enriched: Enriched
    fields: dict[str, object]
    analysed: dict[str, tuple[object, Postings]]


def index_paths(
    paths: Sequence[str | Path],
    index_dir: str | Path,
    workers: int | None = None,
    prune: bool = False,
    progress: bool = False,
    commit_every: int = COMMIT_EVERY,
    entities: bool = True,
    limits: Limits | None = None,
    dates: DateRange | None = None,
    cluster: str | None = None,
    in_flight: int | None = None,
) -> IndexSummary:
    """Bring the index at ``index_dir`` up to date with the articles under ``paths``.

    Enrichment runs in ``workers`` local processes, or on the Dask cluster whose scheduler is at ``cluster``
    (``tcp://host:8786``); at most ``in_flight`` tasks (default: 16 per worker) are out at once.

    ``entities=False`` skips entity extraction (the costly NLP step): the articles are searchable, without
    people/organisation/place facets; they get entities when they change or when indexed afresh with entities.
    ``limits`` bound the size of a file read and of an article's text (default: from the environment).
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    ix = open_for_writing(index_dir)
    with run_lock(index_dir) as interrupted:  # refuse a second indexer at once, before any work, for the whole run
        fanout = make_fanout(workers or os.cpu_count() or 1, cluster, entities)
        run = _Run(ix, index_dir, fanout, commit_every, entities, limits or Limits.from_env())
        run.in_flight, run.resuming = in_flight, interrupted
        run.dates = dates or DateRange.from_env()
        try:
            run.go(paths, prune=prune, progress=progress)
        except OSError as exc:
            raise IndexStorageError(describe_os_error(index_dir, exc)) from None
        finally:
            run.close()
    run.summary.peak_in_flight = fanout.peak_in_flight
    run.summary.seconds = time.perf_counter() - started
    return run.summary


class _Run:
    """One indexing run: plans the work, fans enrichment out, writes and commits from this process."""

    def __init__(
        self, ix: FileIndex, index_dir: Path, fanout: Fanout, commit_every: int, entities: bool, limits: Limits
    ) -> None:
        self.ix = ix
        self.entities = entities
        self.limits = limits
        self.dates = DateRange()  # implausible dates are noted (index_paths sets it)
        self.index_dir = index_dir
        self.fanout = fanout
        self.in_flight: int | None = None  # tasks out at once (None: the fan-out's default)
        self.resuming = False  # the run before stopped midway: a records file may be only partly committed
        self.commit_every = commit_every
        self.summary = IndexSummary()
        self.catalog = Catalog.read(ix)
        # Entity terms per field and how many articles hold each, counted as they are written: on a run that
        # starts from an empty index and replaces or deletes nothing, these are the index's own document
        # frequencies, and the entity map needs no pass over the index's term lists at the end (seconds, serial).
        self._entity_df: Counter[tuple[str, bytes]] | None = Counter() if ix.doc_count_all() == 0 else None
        # Each written article's (type, value) pairs, on a fresh run: the context that links lone surnames.
        self._entity_articles: list[list[tuple[str, str]]] = []
        self._writer: IndexWriter | None = None
        self._pending = 0
        self._clusters: Clusters | None = None
        self._aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._seen_paths: set[str] = set()
        # Article ids: every file found in this run (a one-article file's id is its path, and it keeps it),
        # the record ids given out so far in this run (id -> its file), the files to read again even if
        # unchanged (a record there holds the id of a file that has appeared since).
        self._found: set[str] = set()
        self._claimed: dict[str, str] = {}
        self._reread: set[str] = set()
        # Exact copies (same title, body and dateline) are enriched once: the copy waits for the original.
        self._seen_texts: dict[bytes, str] = {}
        self._parked: dict[bytes, list[Document]] = defaultdict(list)
        self._done_texts: dict[bytes, tuple[DocEntities, bytes]] = {}

    # -- planning -------------------------------------------------------------------------------------
    def _tasks(self, sources: Sequence[SourceFile | Skipped | Note], bar: tqdm) -> Iterator[_FileTask | _DocsTask]:
        for item in sources:
            if isinstance(item, Skipped):
                self.summary.skipped.append(item)
                continue
            if isinstance(item, Note):
                self.summary.notes.append(item)
                continue
            self._seen_paths.add(item.rel)
            try:
                raw = read_file(item, self.limits)
            except ExtractError as exc:
                self.summary.skipped.append(Skipped(item.rel, str(exc)))
                bar.update()
                continue
            if (
                item.rel not in self._reread
                and not (item.is_records and self.resuming)
                and self.catalog.file_unchanged(item.rel, item.fingerprint(raw))
            ):
                self.summary.unchanged += len(self.catalog.ids_for_path(item.rel))
                bar.update()
                continue
            if not item.is_records:
                yield _FileTask(item, raw)
                continue
            yield from self._record_tasks(item, raw)
            bar.update()

    def _record_tasks(self, src: SourceFile, raw: bytes) -> Iterator[_DocsTask]:
        """A records file is split in the main process, so its records spread over the workers."""
        docs: list[Document] = []
        known: list[tuple[DocEntities, bytes] | None] = []
        present: set[str] = set()
        for item in extract_file(src, raw, self.limits):
            if isinstance(item, Skipped):
                self.summary.skipped.append(item)
                continue
            if isinstance(item, Note):
                self.summary.notes.append(item)
                continue
            item = self._claim(item, src.rel)
            present.add(item.id)
            if self.catalog.doc_unchanged(item.id, item.content_hash):
                self.summary.unchanged += 1
                continue
            copy = self._copy_of(item)
            if copy is _PARKED:
                continue
            docs.append(item)
            known.append(copy)
            if len(docs) >= DOCS_PER_TASK:
                yield _DocsTask(tuple(docs), tuple(known))
                docs, known = [], []
        if docs:
            yield _DocsTask(tuple(docs), tuple(known))
        # Records that vanished from a changed file go with it.
        for gone in self.catalog.ids_for_path(src.rel) - present:
            self._delete(gone)

    def _claim(self, doc: Document, rel: str) -> Document:
        """The record under an id no other article has: its own when free, else its own with ``~2``, ``~3``...
        (a note says so). The same records in the same files get the same ids on every run."""
        owner = self._owner(doc.id, rel)
        if owner is None:
            self._claimed[doc.id] = rel
            return doc
        n = 2
        while self._owner(f"{doc.id}~{n}", rel) is not None:
            n += 1
        new_id = f"{doc.id}~{n}"
        self._claimed[new_id] = rel
        whose = "another record of this file" if owner == rel else owner
        self.summary.notes.append(Note(rel, f"record id {doc.id!r} is already the id of {whose}; indexed as {new_id!r}"))
        return replace(doc, id=new_id)

    def _owner(self, doc_id: str, rel: str) -> str | None:
        """The file that already holds ``doc_id`` (a record read earlier in this run, a file found in this run
        whose path it is, or an article indexed from a file still there), else None."""
        if doc_id in self._claimed:
            return self._claimed[doc_id]
        if doc_id in self._found and doc_id != rel:
            return doc_id
        old = self.catalog.docs.get(doc_id)
        if old is not None and old[0] != rel and old[0] in self._found:
            return old[0]
        return None

    def _copy_of(self, doc: Document) -> tuple[DocEntities, bytes] | object | None:
        """None for a text not sent for enrichment before; for an exact copy of one, its original's
        (entities, signature) when the original is written, else _PARKED (the copy waits for it)."""
        key = _text_key(doc)
        if key not in self._seen_texts:
            if len(self._seen_texts) >= SEEN_TEXTS_MAX:
                self._seen_texts.clear()
                self._done_texts.clear()
            self._seen_texts[key] = doc.id
            return None
        self.summary.copies += 1
        done = self._done_texts.get(key)
        if done is not None:
            return done
        self._parked[key].append(doc)
        return _PARKED

    def _write_copy(self, doc: Document, entities: DocEntities, sig: bytes, analysed: dict) -> None:
        enriched = Enriched(doc, entities, sig, {})
        fields = _fields(enriched)
        self._write(_Prepared(enriched, fields, analysed))

    # -- running --------------------------------------------------------------------------------------
    def go(self, paths: Sequence[str | Path], prune: bool, progress: bool) -> None:
        sources = list(discover(paths, self.limits))
        self._found = {s.rel for s in sources if isinstance(s, SourceFile)}
        for src in sources:  # a new file whose path is the id of a record: that record's file must yield it
            held = self.catalog.docs.get(src.rel) if isinstance(src, SourceFile) and not src.is_records else None
            if held is not None and held[0] != src.rel:
                self._reread.add(held[0])
        files = sum(1 for s in sources if isinstance(s, SourceFile))
        with tqdm(total=files, unit="file", disable=not progress, file=sys.stderr, desc="indexing") as bar:
            scans = 0
            for result in self._results(self._tasks(sources, bar), bar):
                self._write(result)
                if isinstance(result, _Prepared) and result.enriched.doc.origin == "ocr":
                    scans += 1  # OCR is what makes a file slow: the bar says how many were scans
                    bar.set_postfix(ocr=scans)
        for docs in list(self._parked.values()):  # copies whose original failed: enrich them after all
            for result in _run_task(_DocsTask(tuple(docs)), self.entities, self.limits):
                self._write(result)
        self._parked.clear()
        if prune:
            for path in sorted(self.catalog.paths() - self._seen_paths):
                for doc_id in self.catalog.ids_for_path(path):
                    self._delete(doc_id)
        self._commit(final=True)

    def _results(self, tasks: Iterable[_FileTask | _DocsTask], bar: tqdm) -> Iterator[_Prepared | Skipped | Note]:
        # Results are written in submission order, so the index (and its duplicate clusters) is the same whatever
        # the number of workers or where they run; the workers run ahead of the writer by a bounded number of tasks.
        args = (self.entities, self.limits)
        for task, pending in in_order(self.fanout, _run_task, tasks, *args, ahead=self.in_flight):
            yield from self._collect(pending, task, bar)

    def _collect(
        self, pending: Pending, task: _FileTask | _DocsTask, bar: tqdm
    ) -> Iterator[_Prepared | Skipped | Note]:
        try:
            yield from pending.result()
        except ClusterError:  # the cluster itself failed: stop, keeping the last commit (a re-run finishes)
            raise
        except Exception as exc:  # a worker crash on one file must not stop the run
            where = task.src.rel if isinstance(task, _FileTask) else ", ".join(d.id for d in task.docs)
            log.exception("enrichment failed for %s", where)
            yield Skipped(where, f"enrichment failed: {type(exc).__name__}: {exc}")
        if isinstance(task, _FileTask):
            bar.update()

    # -- writing --------------------------------------------------------------------------------------
    def _writer_open(self) -> IndexWriter:
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

    def _write(self, prepared: _Prepared | Skipped | Note) -> None:
        if isinstance(prepared, Skipped):
            self.summary.skipped.append(prepared)
            return
        if isinstance(prepared, Note):
            self.summary.notes.append(prepared)
            return
        result = prepared.enriched
        self._check_date(result.doc)
        for stage, seconds in result.timings.items():
            self.summary.stages[stage] += seconds
        t0 = time.perf_counter()
        doc = result.doc
        fields = {**prepared.fields, "cluster": self._cluster_of(doc.id, result.signature)}
        for kind, values in (
            ("person", result.entities.people),
            ("organization", result.entities.organizations),
            ("place", result.entities.places),
        ):
            for value, aliases in values.items():
                self._aliases[(kind, value)].update(aliases)
        writer = self._writer_open()
        if doc.id in self.catalog:
            writer.delete_by_term("id", doc.id)  # what update_document does for the unique id field
            self.summary.updated += 1
        else:
            self.summary.added += 1
        if EXACT_FIELDS["body"] not in writer.schema:  # an index made before exact words: as it was made
            fields = {k: v for k, v in fields.items() if k not in EXACT_FIELDS.values()}
        writer.add_analysed(fields, prepared.analysed)
        if self._entity_df is not None:
            self._count_entities(fields, prepared.analysed)
        self.catalog.record(doc.id, doc.path, fields["source_hash"], doc.content_hash)
        self._pending += 1
        self.summary.stages["write"] += time.perf_counter() - t0
        if self._parked or self._done_texts:
            key = _text_key(doc)
            if self._seen_texts.get(key) == doc.id:  # an original: its copies need no enrichment of their own
                self._done_texts[key] = (result.entities, result.signature)
                for copy in self._parked.pop(key, ()):
                    self._write_copy(copy, result.entities, result.signature, prepared.analysed)
        if self._pending >= self.commit_every:
            self._commit()

    def _check_date(self, doc: Document) -> None:
        """An implausible date (9999-12-31, 0001-01-01: often a placeholder) is kept as the source gives it, so
        it can be found and corrected there, and reported with a note."""
        if doc.date is None or self.dates.holds(doc.date.start()):
            return
        self.summary.notes.append(
            Note(
                doc.id,
                f"date {doc.date} is outside the plausible range {self.dates}: indexed with that date as given;"
                " check the source (the range is set by SEARCH_DATE_RANGE or --date-range)",
            )
        )

    def _delete(self, doc_id: str) -> None:
        self._writer_open().delete_by_term("id", doc_id)
        self.catalog.forget(doc_id)
        self.summary.deleted += 1
        self._pending += 1

    def _cluster_of(self, doc_id: str, sig: bytes) -> str:
        if self._clusters is None:
            self._clusters = Clusters()
            for sig_, cluster in self.catalog.signatures(self.ix):
                self._clusters.add(sig_, cluster)
        return self._clusters.assign(sig, doc_id)

    def _commit(self, final: bool = False) -> None:
        """Flush the segment (Whoosh sorts the postings gathered since the last commit and writes them) and
        commit; at the end of the run the archive-wide entity map is rebuilt as part of the last commit.

        The map is written for the new generation before its table of contents: a reader sees a commit only
        with its map, and a crash before the table of contents leaves the last commit (and its map) as it was.
        Commits during the run carry none (rebuilding it costs seconds): until the run's last commit, readers
        use the map of the commit before the run and show names it lacks as they are.
        """
        t0 = time.perf_counter()
        map_seconds = self.summary.stages.get("entity map", 0.0)
        with_map = final and self._map_needed()
        if with_map and self._writer is None:  # everything went out in earlier commits: one more, with the map
            self._writer_open()
        if self._writer is not None and (self._pending or final):
            if with_map:
                self._writer.before_toc = self._write_entity_map
            # Segments of at least half a commit are never merged again (see search.index.merge): linear cost.
            self._writer.commit(mergetype=LinearMergePolicy(full=self.commit_every // 2))
            self._writer = None
            self._pending = 0
            _test_stop_point("after-commit")
            if with_map:  # the commit is in: the maps of earlier commits are of no more use
                remove_maps_before(self.index_dir, self.ix.latest_generation())
        map_seconds = self.summary.stages.get("entity map", 0.0) - map_seconds
        self.summary.stages["commit"] += time.perf_counter() - t0 - map_seconds
        if final:
            self.summary.documents = self.ix.doc_count()

    def _map_needed(self) -> bool:
        """Whether the run's last commit needs a new entity map: something changed, or the newest map is not
        the current commit's (a run killed after a commit made during the run, or an index from before maps
        were tied to commits): a run with no changes repairs it."""
        if self.summary.added or self.summary.updated or self.summary.deleted:
            return True
        return map_generation(self.index_dir) != self.ix.latest_generation()

    def _write_entity_map(self, segments: list, generation: int) -> None:
        """Writer hook, between the commit's segments and its table of contents: the map for ``generation``."""
        t0 = time.perf_counter()
        writer = self._writer
        assert writer is not None
        reader = FileIndex._reader(writer.storage, writer.schema, segments, generation)
        try:
            self._rebuild_entity_map(reader, generation)
        finally:
            reader.close()
        self.summary.stages["entity map"] += time.perf_counter() - t0
        _test_stop_point("before-toc")

    def _count_entities(self, fields: dict[str, object], analysed: dict[str, tuple[object, Postings]]) -> None:
        df = self._entity_df
        pairs: list[tuple[str, str]] = []
        for name in ENTITY_FIELDS:
            value = fields.get(name)
            if value is None:
                continue
            ready = analysed.get(name)
            postings = ready[1] if ready is not None and ready[0] == value else _schema_field(name).index(value)
            for term, *_ in postings:
                df[(name, term)] += 1
                pairs.append((ENTITY_TYPES[name], term.decode()))
        self._entity_articles.append(pairs)

    def _rebuild_entity_map(self, reader: IndexReader, generation: int) -> None:
        counts: Counter[tuple[str, str]] = Counter()
        if self._entity_df is not None and not (self.summary.updated or self.summary.deleted):
            # In the order the index's term lists give them (field by field, terms sorted by their bytes).
            order = {name: i for i, name in enumerate(ENTITY_FIELDS)}
            for (name, term), count in sorted(self._entity_df.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
                counts[(ENTITY_TYPES[name], term.decode())] = count
            EntityMap.rebuild(self.index_dir, counts, self._aliases, self._entity_articles, generation)
            return
        per_doc: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for fieldname in ENTITY_FIELDS:
            kind = ENTITY_TYPES[fieldname]
            for term, _info in reader.iter_field(fieldname):
                value = term.decode() if isinstance(term, bytes) else term
                docs = [d for d in reader.postings(fieldname, term).all_ids() if not reader.is_deleted(d)]
                if docs:  # the lexicon still counts deleted documents
                    counts[(kind, value)] = len(docs)
                for d in docs:
                    per_doc[d].append((kind, value))
        EntityMap.rebuild(self.index_dir, counts, self._aliases, [per_doc[d] for d in sorted(per_doc)], generation)

    def close(self) -> None:
        if self._writer is not None:  # an error mid-run: drop the uncommitted part, keep the last commit
            writer, self._writer = self._writer, None
            try:
                writer.cancel()
            except Exception as exc:  # e.g. a full disk again: the error being raised says more than this one
                log.info("could not cancel the index writer cleanly: %s", exc)
                _release_lock(writer)


def _add_new_fields(writer: IndexWriter) -> None:
    """Fields the schema gained since the index was made (stored-only ones, like ``origin``): added on write."""
    for name, field in build_schema().items():
        if name not in writer.schema:
            writer.add_field(name, field)


def _test_stop_point(name: str) -> None:
    """Crash tests only: SIGKILL this process at a named point of a commit when SEARCH_TEST_KILL_AT names it."""
    if os.environ.get("SEARCH_TEST_KILL_AT") == name:
        log.warning("SEARCH_TEST_KILL_AT=%s: killing the indexer here", name)
        os.kill(os.getpid(), signal.SIGKILL)


def _release_lock(writer: IndexWriter) -> None:
    """Let go of the write lock of a writer whose cancel() failed (the last commit stays as it was)."""
    lock = getattr(writer, "writelock", None)
    if lock is not None:
        try:
            lock.release()
        except Exception:
            log.debug("write lock already released", exc_info=True)


def _text_key(doc: Document) -> bytes:
    """What makes two articles exact copies for enrichment: the same title, body and dateline."""
    return hashlib.blake2b(f"{doc.title}\0{doc.body}\0{doc.dateline}".encode(), digest_size=16).digest()


def _run_task(
    task: _FileTask | _DocsTask, entities: bool = True, limits: Limits | None = None
) -> list[_Prepared | Skipped | Note]:
    """Worker side: extract (for a file), enrich and analyse the text fields; never raises for one bad article."""
    t0 = time.perf_counter()
    items = extract_file(task.src, task.raw, limits) if isinstance(task, _FileTask) else list(task.docs)
    extract_seconds = time.perf_counter() - t0
    out: list[_Prepared | Skipped | Note] = []
    known = task.known if isinstance(task, _DocsTask) else ()
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
        fields = _fields(enriched)
        analysed = _analyse(fields)
        enriched.timings["analyse"] = time.perf_counter() - t1
        out.append(_Prepared(enriched, fields, analysed))
    return out


def _analyse(fields: dict[str, object]) -> dict[str, tuple[object, Postings]]:
    """The postings of every indexed field: text fields with the news analyzer in one loop of our own (the same
    postings as Whoosh's, a third of the cost), the rest by Whoosh (``segment.analyse``), remembered per value for
    the fields whose values repeat (date, dateline, source, entity values)."""
    positional = _positional_fields()
    repeating = _repeating_fields()
    memo = _POSTINGS_MEMO
    out: dict[str, tuple[object, Postings]] = {}
    rest: dict[str, object] = {}
    for name, value in fields.items():
        field = positional.get(name)
        if field is not None and isinstance(value, str):
            fmt = field.format
            postings = positions_postings(field.analyzer, value, fmt.encode, fmt.field_boost)
            if postings is not None:
                out[name] = (value, postings)
                continue
        if name in repeating and value is not None:
            key = (name, value)
            hit = memo.get(key)
            if hit is None:
                hit = analyse({name: value})[name]
                if len(memo) >= _POSTINGS_MEMO_MAX:
                    memo.clear()
                memo[key] = hit
            out[name] = hit
            continue
        rest[name] = value
    out.update(analyse(rest))
    return out


_POSTINGS_MEMO: dict[tuple[str, object], tuple[object, Postings]] = {}
_POSTINGS_MEMO_MAX = 100_000


@cache
def _repeating_fields() -> frozenset[str]:
    """Indexed fields analysed by Whoosh whose values repeat across articles: every one but the unique id."""
    positional = _positional_fields()
    return frozenset(
        name
        for name, field in build_schema().items()
        if field.indexed and name not in positional and not getattr(field, "unique", False)
    )


@cache
def _schema_field(name: str) -> FieldType:
    return build_schema()[name]


@cache
def _positional_fields() -> dict[str, FieldType]:
    """The schema's indexed fields whose format is Whoosh's Positions (or one that only re-encodes positions)."""
    return {
        name: field
        for name, field in build_schema().items()
        if field.indexed
        and isinstance(field.format, Positions)
        and type(field.format).word_values is Positions.word_values
    }


def _fields(result: Enriched) -> dict[str, object]:
    """The Whoosh fields of one enriched article, but its near-duplicate cluster (the writer assigns that)."""
    doc, ents = result.doc, result.entities
    groups = {"people": ents.people, "organizations": ents.organizations, "places": ents.places}
    fields: dict[str, object] = {
        "id": doc.id,
        "path": doc.path or doc.id,
        "source_hash": doc.extras.get("source_hash") or doc.content_hash,
        "content_hash": doc.content_hash,
        "title": doc.title,
        "body": doc.body,
        **{exact: getattr(doc, plain) for plain, exact in EXACT_FIELDS.items()},
        "date_text": str(doc.date) if doc.date else "",
        "dated": "y" if doc.date else "n",
        "author": doc.author,
        "source": doc.source,
        "dateline": doc.dateline,
        "url": doc.url,
        "entities_json": json.dumps({k: {v: list(a) for v, a in g.items()} for k, g in groups.items()}),
        "minhash": result.signature,
        "length": len(doc.body.split()),
    }
    if doc.origin:
        fields["origin"] = doc.origin
    if doc.date:
        start = doc.date.start()
        fields["date"] = datetime(start.year, start.month, start.day)
    for name, group in groups.items():
        fields[name] = ",".join(v.replace(",", " ") for v in group)
        fields[f"{name}_words"] = " ".join([*group, *(a for aliases in group.values() for a in aliases)])
    return fields
