"""An indexing run: walk the sources once, plan against the catalog, fan enrichment out, write in order, commit.

Incremental by content hash; one process writes; a commit is atomic, and the run's last commit carries the
archive-wide entity map.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from search.enrich.duplicates import Clusters
from search.enrich.entities.map import map_generation, remove_maps_before
from search.enrich.pipeline import Enriched
from search.extract.errors import Note, Skipped
from search.extract.sources import Limits
from search.index.catalog import Catalog
from search.index.errors import IndexStorageError
from search.index.storage import describe_os_error, open_for_writing, run_lock
from search.index.writer import CommitReader, WriterSession
from search.ingest.copies import Copies
from search.ingest.entity_map import EntityTally
from search.ingest.fanout import ClusterError, Fanout, in_order, make_fanout
from search.ingest.plan import Plan, Sources
from search.ingest.summary import DateRange, IndexSummary
from search.ingest.tasks import DocsTask, FileTask, Prepared, Task, run_task, where

log = logging.getLogger(__name__)

COMMIT_EVERY = 5000  # documents between commits: a crash loses at most this much work, never a commit


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
        limits = limits or Limits.from_env()
        session = WriterSession(ix, index_dir, merge_full=commit_every // 2)
        writing = _Writing(session, Catalog.read(ix), commit_every, dates or DateRange.from_env())
        enrichment = _Enrichment(fanout, entities, limits, in_flight)
        try:
            _conduct(writing, enrichment, paths, prune=prune, progress=progress, resuming=interrupted)
        except OSError as exc:
            raise IndexStorageError(describe_os_error(index_dir, exc)) from None
        finally:
            writing.session.cancel()  # after an error mid-run: drop the uncommitted part, keep the last commit
    summary = writing.summary
    summary.peak_in_flight = fanout.peak_in_flight
    summary.seconds = time.perf_counter() - started
    return summary


def _conduct(
    writing: _Writing,
    enrichment: _Enrichment,
    paths: Sequence[str | Path],
    prune: bool,
    progress: bool,
    resuming: bool,
) -> None:
    """The run, from the walk of the sources to its last commit."""
    sources = Sources.walk(paths, enrichment.limits, writing.catalog)
    plan = Plan(sources, writing.catalog, enrichment.limits, writing.summary, writing.copies, writing.delete, resuming)
    with tqdm(total=sources.files, unit="file", disable=not progress, file=sys.stderr, desc="indexing") as bar:
        scans = 0
        for result in enrichment.results(plan.tasks(bar.update), bar.update):
            writing.write(result)
            if isinstance(result, Prepared) and result.enriched.doc.origin == "ocr":
                scans += 1  # OCR is what makes a file slow: the bar says how many were scans
                bar.set_postfix(ocr=scans)
    for docs in writing.copies.orphans():  # copies whose original failed: enrich them after all
        for result in run_task(DocsTask(tuple(docs)), enrichment.entities, enrichment.limits):
            writing.write(result)
    if prune:
        for doc_id in plan.gone():
            writing.delete(doc_id)
    writing.commit(final=True)
    writing.summary.copies = writing.copies.count


@dataclass(frozen=True)
class _Enrichment:
    """Where and how the run's tasks are enriched."""

    fanout: Fanout
    entities: bool
    limits: Limits
    in_flight: int | None  # tasks out at once (None: the fan-out's default)

    def results(self, tasks: Iterable[Task], tick: Callable[[], object]) -> Iterator[Prepared | Skipped | Note]:
        """Every task's results, in submission order, so the index (and its duplicate clusters) is the same
        whatever the number of workers or where they run; the workers run ahead of the writer by a bounded number
        of tasks. ``tick`` counts a file done."""
        args = (self.entities, self.limits)
        for task, pending in in_order(self.fanout, run_task, tasks, *args, ahead=self.in_flight):
            try:
                yield from pending.result()
            except ClusterError:  # the cluster itself failed: stop, keeping the last commit (a re-run finishes)
                raise
            except Exception as exc:  # a worker crash on one file must not stop the run
                log.exception("enrichment failed for %s", where(task))
                yield Skipped(where(task), f"enrichment failed: {type(exc).__name__}: {exc}")
            if isinstance(task, FileTask):
                tick()


class _Writing:
    """The run's writing side: each enriched article into the index with its cluster, counted, committed."""

    def __init__(self, session: WriterSession, catalog: Catalog, commit_every: int, dates: DateRange) -> None:
        self.session = session
        self.catalog = catalog
        self.commit_every = commit_every
        self.dates = dates  # an article dated outside is noted
        self.summary = IndexSummary()
        self.copies = Copies()
        self.tally = EntityTally(session.index_dir, fresh=session.holds_nothing())
        self._clusters: Clusters | None = None  # read from the index on the first article written

    def write(self, item: Prepared | Skipped | Note) -> None:
        if isinstance(item, (Skipped, Note)):
            self.summary.report(item)
            return
        result = item.enriched
        doc = result.doc
        note = self.dates.note(doc)
        if note is not None:
            self.summary.notes.append(note)
        for stage, seconds in result.timings.items():
            self.summary.stages[stage] += seconds
        t0 = time.perf_counter()
        fields = {**item.fields, "cluster": self._cluster_of(doc.id, result.signature)}
        self.tally.add_aliases(result.entities)
        replace = doc.id in self.catalog
        if replace:
            self.summary.updated += 1
        else:
            self.summary.added += 1
        self.session.add(fields, item.analysed, replace=replace)
        self.tally.count(fields, item.analysed)
        self.catalog.record(doc.id, doc.path, fields["source_hash"], doc.content_hash)
        self.summary.stages["write"] += time.perf_counter() - t0
        known = (result.entities, result.signature)
        for copy in self.copies.written(doc, known):  # an original: its copies need no enrichment of their own
            self.write(Prepared.of(Enriched(copy, result.entities, result.signature, {}), item.analysed))
        if self.session.pending >= self.commit_every:
            self.commit()

    def delete(self, doc_id: str) -> None:
        self.session.delete(doc_id)
        self.catalog.forget(doc_id)
        self.summary.deleted += 1

    def _cluster_of(self, doc_id: str, sig: bytes) -> str:
        if self._clusters is None:
            self._clusters = Clusters()
            for sig_, cluster in self.catalog.signatures(self.session.ix):
                self._clusters.add(sig_, cluster)
        return self._clusters.assign(sig, doc_id)

    def commit(self, final: bool = False) -> None:
        """Commit what is pending; the run's last commit carries the archive-wide entity map when it needs one.

        The map is written for the new generation before its table of contents: a reader sees a commit only
        with its map, and a crash before the table of contents leaves the last commit (and its map) as it was.
        Commits during the run carry none (rebuilding it costs seconds): until the run's last commit, readers
        use the map of the commit before the run and show names it lacks as they are.
        """
        t0 = time.perf_counter()
        stages = self.summary.stages
        map_seconds = stages.get("entity map", 0.0)
        with_map = final and self._map_needed()
        committed = self.session.commit(before_toc=self._write_entity_map if with_map else None, final=final)
        if committed and with_map:  # the commit is in: the maps of earlier commits are of no more use
            remove_maps_before(self.session.index_dir, self.session.generation())
        map_seconds = stages.get("entity map", 0.0) - map_seconds
        stages["commit"] += time.perf_counter() - t0 - map_seconds
        if final:
            self.summary.documents = self.session.documents()

    def _map_needed(self) -> bool:
        """Whether the run's last commit needs a new entity map: something changed, or the newest map is not
        the current commit's (a run killed after a commit made during the run, or an index from before maps
        were tied to commits): a run with no changes repairs it."""
        if self.summary.added or self.summary.updated or self.summary.deleted:
            return True
        return map_generation(self.session.index_dir) != self.session.generation()

    def _write_entity_map(self, reader: CommitReader, generation: int) -> None:
        """Between the last commit's segments and its table of contents: the map for ``generation``."""
        t0 = time.perf_counter()
        try:
            self.tally.rebuild(reader, generation, rewrote=bool(self.summary.updated or self.summary.deleted))
        finally:
            self.summary.stages["entity map"] += time.perf_counter() - t0
