"""An open archive: the Whoosh index, one reused searcher, and caches kept per commit."""

from __future__ import annotations

import functools
import logging
import threading
import time
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from search.enrich.entities.authority import AUTHORITY_FILE
from search.enrich.entities.map import map_path
from search.index.columns import STORED_KEYWORDS, Columns, build_columns
from search.index.errors import IndexStorageError
from search.index.reader import FileIndex, Searcher, generation, is_current, open_commit, segment_sizes
from search.index.schema import ENTITY_FIELDS
from search.index.storage import open_for_reading
from search.query.arrays import sorted_unique
from search.query.cache import BoundedCache
from search.query.entities import EntityNames
from search.query.errors import IndexUnavailable
from search.query.match.bm25 import TermTable
from search.query.match.expand import forget_segments
from search.query.match.weighting import weighting

if TYPE_CHECKING:
    from search.query.match.expand import FieldVocabulary
    from search.query.match.parse import ParsedQuery
    from search.query.spelling import Speller
    from search.query.types import ArchiveStats

log = logging.getLogger(__name__)


def fold(text: str) -> str:
    """Text without case or accents ("Müller" and "MULLER" both "muller"), for matching part of a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Facetable:
    """One facet's canonical display values, and for each keyword column a map value id -> name id."""

    names: list[str]
    maps: dict[str, np.ndarray]  # column field -> canonical id per indexed value (-1: not in this facet)
    by_name: dict[str, int]
    rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # alphabetical rank
    pair_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pair_names: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # Where each document's run of pairs starts (pairs are sorted by document), one past the end last.
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    def pairs(self, columns: Columns) -> None:
        """(document, canonical id) once per document and value, over every column mapping into this facet."""
        docs, ids = [], []
        for column_field, mapping in self.maps.items():
            if not len(mapping) or not (mapping >= 0).any():
                continue
            col = columns.keywords[column_field]
            mapped = mapping[col.pair_values]
            keep = mapped >= 0
            docs.append(col.pair_docs[keep].astype(np.int64))
            ids.append(mapped[keep])
        if docs and self.names:
            key = sorted_unique(np.concatenate(docs) * len(self.names) + np.concatenate(ids))
            self.pair_docs = (key // len(self.names)).astype(np.int32)
            self.pair_names = (key % len(self.names)).astype(np.int32)
        self.offsets = np.searchsorted(self.pair_docs, np.arange(columns.size + 1)).astype(np.int64)

    @functools.cached_property
    def folded(self) -> list[str]:
        """Each name case- and accent-folded, for a search inside the facet that matches any part of a value."""
        return [fold(n) for n in self.names]

    def finish(self) -> None:
        order = sorted(range(len(self.names)), key=lambda i: (self.names[i].lower(), self.names[i]))
        self.rank = np.empty(len(self.names), dtype=np.int64)
        self.rank[order] = np.arange(len(self.names))


def _nbytes(mask: np.ndarray) -> int:
    return int(mask.nbytes)


FILTER_MASK_BYTES = 256 * 2**20  # filter masks kept per snapshot, in all (one byte per document each)


@dataclass
class CommitCache:
    """What one snapshot derives and keeps, each kind in its own bounded entry.

    It lives on the Snapshot, which is replaced as a whole by a new commit or an edit of the entity map or
    authority file: nothing is ever served for another commit or other names than it was made on.
    """

    results: BoundedCache[Hashable, Any] = field(default_factory=lambda: BoundedCache("search results", 0))
    parsed: BoundedCache[str, ParsedQuery] = field(default_factory=lambda: BoundedCache("parsed queries", 2048))
    suggestions: BoundedCache[tuple, str] = field(default_factory=lambda: BoundedCache("did-you-mean", 2048))
    filters: BoundedCache[tuple, np.ndarray] = field(
        default_factory=lambda: BoundedCache("filter masks", 512, _nbytes, FILTER_MASK_BYTES)
    )
    matching: BoundedCache[tuple, Any] = field(
        default_factory=lambda: BoundedCache("phrase matches and term figures", 4096)
    )
    vocabularies: BoundedCache[str, FieldVocabulary] = field(
        default_factory=lambda: BoundedCache("field vocabularies", 64)
    )
    speller: Speller | bool | None = None  # this commit's words (False: an index without them), on first need
    stats: ArchiveStats | None = None  # counts and top entities, made on first request

    @classmethod
    def sized(cls, results: int, speller: Speller | bool | None = None) -> CommitCache:
        """A fresh cache keeping `results` whole search results (0: none)."""
        return cls(results=BoundedCache("search results", results), speller=speller)


@dataclass
class Snapshot:
    """One commit's searcher and what was derived from it; replaced as a whole on a new commit."""

    searcher: Searcher
    columns: Columns
    entity_names: EntityNames
    facetable: dict[str, Facetable]
    generation: int
    terms: TermTable
    cache: CommitCache = field(default_factory=CommitCache)

    def docnum(self, doc_id: str) -> int | None:
        """The document number of an article id on this commit, or None."""
        try:
            return self.searcher.document_number(id=doc_id)
        except Exception:
            return None


FOLDER_SETTLED_NS = 2_000_000_000  # an index folder unchanged this long has a trustworthy modification time


class Archive:
    """The index plus a searcher reopened only when there is a newer commit."""

    def __init__(self, index_dir: Path, ix: FileIndex, result_cache: int = 0) -> None:
        self.index_dir = index_dir
        self.ix = ix
        self.result_cache = result_cache  # results kept per snapshot (0: none)
        self._lock = threading.Lock()
        # Whoosh's readers are not safe for concurrent use by threads (shared file positions and
        # caches: a gthread worker once read a garbled stored document). The core's functions hold
        # this lock; with the GIL it costs little throughput.
        self.read_lock = threading.RLock()
        self._leaf_cache: dict[tuple, dict] = {}
        self.vocab_cache: dict[tuple, Any] = {}  # each segment's vocabulary per field (search.query.match.expand)
        self._snapshot: Snapshot | None = None
        self._names: EntityNames | None = None
        self._names_stamp: tuple = ()
        self._map_file: Path | None = None  # the entity map the names were loaded from (chosen by generation)
        self._seen_folder: tuple | None = None  # _folder_stamp() when the snapshot was last known current

    def snapshot(self) -> Snapshot:
        """The current commit's snapshot, refreshed when the index has changed on disk."""
        snap = self._snapshot
        folder = self._folder_stamp()
        if snap is not None:
            if folder == self._seen_folder and folder is not None:  # nothing created or removed since: no listing
                return snap
            try:
                if snap.searcher.up_to_date() and self._map_stamp() == self._names_stamp:
                    self._seen_folder = folder
                    return snap
            except Exception as exc:  # the files of an old generation may be gone
                log.info("index changed under the searcher: %s", exc)
        with self._lock:
            snap = self._snapshot
            if snap is not None and is_current(snap.searcher):
                if self._map_stamp() != self._names_stamp:
                    # The archivist edited the authority file: new facet names, same commit.
                    names = self._entity_names(snap.generation)
                    snap = replace(
                        snap,
                        entity_names=names,
                        facetable=_facetable(snap.columns, names),
                        cache=CommitCache.sized(self.result_cache, snap.cache.speller),
                    )
                    self._snapshot = snap
                self._seen_folder = folder
                return snap
            # A fresh searcher (open_commit); unchanged segments keep their cached columns (keyed by segment id).
            try:
                self.ix, searcher = open_commit(self.ix, weighting())
                self._snapshot = self._build(searcher)
            except Exception as exc:  # the index was removed or damaged under a running service
                raise IndexUnavailable(f"the index at {self.index_dir} cannot be read: {exc}") from None
            self._seen_folder = folder  # taken before the build: a commit during it is seen next time
            return self._snapshot

    def _build(self, searcher: Searcher) -> Snapshot:
        reader = searcher.reader()
        columns = build_columns(reader, self._leaf_cache)
        forget_segments(self.vocab_cache, segment_sizes(reader))
        number = generation(searcher)
        names = self._entity_names(number)
        facetable = _facetable(columns, names)
        return Snapshot(
            searcher,
            columns,
            names,
            facetable,
            number,
            TermTable(reader),
            CommitCache.sized(self.result_cache),
        )

    def _entity_names(self, generation: int) -> EntityNames:
        """The entity map of a commit (the one made for it, else the newest before it), reloaded only when that
        is another file or its files changed (its lookups are memoised across commits that share it)."""
        path = map_path(self.index_dir, generation if generation >= 0 else None)
        stamp = self._map_stamp(path)
        if self._names is None or path != self._map_file or stamp != self._names_stamp:
            self._names = EntityNames(self.index_dir, generation if generation >= 0 else None)
            self._map_file = path
            self._names_stamp = stamp
        return self._names

    def _folder_stamp(self) -> tuple | None:
        """The index folder's modification time and the entity map's stamp: a commit writes a new table of
        contents and an authority edit rewrites its file, so while this stays the same the snapshot is current
        (one stat per request instead of Whoosh listing the folder)."""
        try:
            mtime = self.index_dir.stat().st_mtime_ns
        except OSError:
            return None
        if time.time_ns() - mtime < FOLDER_SETTLED_NS:  # a file system with coarse times may not show a change
            return None  # made within the same tick: check the Whoosh way until the folder has settled
        return (mtime, self._map_stamp())

    def _map_stamp(self, map_file: Path | None = None) -> tuple:
        """Times and sizes of the entity map in use and the authority file: two stat calls per request, no
        directory scan (a new commit's map comes with the commit)."""
        stamp = []
        for path in (map_file or self._map_file, self.index_dir / AUTHORITY_FILE):
            if path is None:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            stamp.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(stamp)

    def close(self) -> None:
        if self._snapshot is not None:
            self._snapshot.searcher.close()
            self._snapshot = None


def _facetable(columns: Columns, names: EntityNames) -> dict[str, Facetable]:
    """Map every indexed entity value to its canonical value in its (possibly retyped) facet."""
    out = {f: Facetable([], {}, {}) for f in ENTITY_FIELDS}
    for column_field in ENTITY_FIELDS:
        col = columns.keywords[column_field]
        for fac in out.values():
            fac.maps[column_field] = np.full(len(col.values), -1, dtype=np.int64)
        for i, value in enumerate(col.values):
            canon = names.canonical(column_field, value)
            if canon is None:
                continue
            fac = out[names.field_of(column_field, value)]
            if canon not in fac.by_name:
                fac.by_name[canon] = len(fac.names)
                fac.names.append(canon)
            fac.maps[column_field][i] = fac.by_name[canon]
    for name in ("source", *STORED_KEYWORDS):  # exact values, each its own facet value
        values = list(columns.keywords[name].values)
        names = [v for v in values if v.strip()]
        by_name = {v: i for i, v in enumerate(names)}
        mapping = np.array([by_name.get(v, -1) for v in values], dtype=np.int64)
        out[name] = Facetable(names, {name: mapping}, by_name)
    for fac in out.values():
        fac.finish()
    for name in out:
        out[name].pairs(columns)
    return out


def open_index(index_dir: str | Path, result_cache: int = 0) -> Archive:
    """Open an index for searching; IndexUnavailable with a plain reason when it cannot be read.

    result_cache: how many search results to keep for repeated requests (per commit and entity map; 0: none).
    """
    path = Path(index_dir)
    try:
        ix = open_for_reading(path)
    except IndexStorageError as exc:
        raise IndexUnavailable(str(exc)) from None
    except Exception as exc:  # a damaged table of contents or segment
        raise IndexUnavailable(f"the index at {path} cannot be read: {exc}") from None
    archive = Archive(path, ix, result_cache)
    try:
        archive.snapshot()
    except Exception as exc:
        raise IndexUnavailable(f"the index at {path} cannot be read: {exc}") from None
    return archive
