"""Per-commit numpy columns built from postings and sortable columns, so facets never read stored docs.

Each segment's part is read once and kept (by segment id) across commits; a commit's columns are its segments'
parts laid end to end over global docnums.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from search.index.postings import IndexReader, as_text, field_postings, segment_key, term_docs
from search.index.schema import ENTITY_FIELDS

log = logging.getLogger(__name__)
UNDATED = np.iinfo(np.int32).min  # day number of an undated article
# How precise each article's date is (Columns.precision): undated, a year only, a month only, a day.
PRECISIONS = ("undated", "year", "month", "day")
STORED_KEYWORDS = ("author",)  # exact values read from stored fields (the index keeps no terms of them)
_USECS_PER_DAY = 86_400_000_000
_MAX_USECS = 3_652_059 * _USECS_PER_DAY  # datetime.max
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class KeywordColumn:
    """One keyword field as (doc, value id) pairs over global docnums, plus each value's postings."""

    values: list[str]
    pair_docs: np.ndarray  # int32, one entry per (document, value)
    pair_values: np.ndarray  # int32 value ids
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {v: i for i, v in enumerate(self.values)}

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Documents per value among the docnums set in a boolean mask."""
        chosen = self.pair_values[mask[self.pair_docs]]
        return np.bincount(chosen, minlength=len(self.values))

    def docs_with(self, values: set[str], size: int) -> np.ndarray:
        """Boolean mask of documents holding any of the values."""
        ids = [self.index[v] for v in values if v in self.index]
        out = np.zeros(size, dtype=bool)
        if ids:
            out[self.pair_docs[np.isin(self.pair_values, ids)]] = True
        return out


@dataclass
class Columns:
    """Everything per document that search needs in bulk, indexed by global docnum."""

    size: int
    live: np.ndarray  # bool: not deleted
    days: np.ndarray  # int32 proleptic ordinal of the date's start, UNDATED when none
    clusters: np.ndarray  # int64 cluster number; singletons get their own negative number
    cluster_names: list[str]
    keywords: dict[str, KeywordColumn]
    precision: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # index into PRECISIONS

    @cached_property
    def dated(self) -> np.ndarray:
        """Documents with a date: made once per commit (every search page's histogram reads it)."""
        return self.days != UNDATED

    @cached_property
    def months(self) -> np.ndarray:
        """Calendar month of each document's date as months since January 1970 (meaningless where undated)."""
        return self._epoch_days().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    @cached_property
    def years(self) -> np.ndarray:
        """Year of each document's date as years since 1970 (meaningless where undated)."""
        return self._epoch_days().astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)

    def _epoch_days(self) -> np.ndarray:
        return np.where(self.days == UNDATED, _EPOCH_ORDINAL, self.days).astype(np.int64) - _EPOCH_ORDINAL

    @cached_property
    def groups(self) -> np.ndarray:
        """Dense group number per document (0 .. n_groups - 1): one per cluster, singletons their own."""
        return np.unique(self.clusters, return_inverse=True)[1].reshape(-1).astype(np.int64)

    @cached_property
    def n_groups(self) -> int:
        return int(self.groups.max()) + 1 if self.groups.size else 0

    @cached_property
    def shared(self) -> np.ndarray:
        """Documents in a near-duplicate cluster of two or more (the only ones story counts must fold)."""
        if not self.groups.size:
            return np.zeros(0, dtype=bool)
        return np.bincount(self.groups, minlength=self.n_groups)[self.groups] > 1

    def cluster_number(self, name: str) -> int | None:
        try:
            return self.cluster_names.index(name)
        except ValueError:
            return None


def build_columns(reader: IndexReader, leaf_cache: dict[tuple, dict]) -> Columns:
    """Assemble global columns from per-segment parts, reusing parts of segments seen before."""
    leaves = reader.leaf_readers()
    size = reader.doc_count_all()
    parts = []
    for leaf, offset in leaves:
        key = (segment_key(leaf), leaf.doc_count_all(), leaf.doc_count())
        if key not in leaf_cache:
            leaf_cache[key] = _leaf_part(leaf)
        parts.append((leaf_cache[key], offset))
    # Drop parts of segments that no longer exist.
    wanted = {(segment_key(leaf), leaf.doc_count_all(), leaf.doc_count()) for leaf, _ in leaves}
    for stale in set(leaf_cache) - wanted:
        del leaf_cache[stale]

    live = np.zeros(size, dtype=bool)
    days = np.full(size, UNDATED, dtype=np.int32)
    precision = np.zeros(size, dtype=np.int8)
    cluster_text: list[np.ndarray] = []
    for part, offset in parts:
        n = len(part["live"])
        live[offset : offset + n] = part["live"]
        days[offset : offset + n] = part["days"]
        precision[offset : offset + n] = part["precision"]
        cluster_text.append(part["clusters"])
    precision[days == UNDATED] = 0
    names = np.concatenate(cluster_text) if cluster_text else np.array([], dtype=object)
    cluster_names = sorted({c for c in names if c})
    number = {c: i for i, c in enumerate(cluster_names)}
    clusters = np.array([number[c] if c else -(d + 1) for d, c in enumerate(names)], dtype=np.int64).reshape(-1)
    if clusters.size != size:
        clusters = -(np.arange(size, dtype=np.int64) + 1)

    keywords = {}
    for fname in (*ENTITY_FIELDS, "source", *STORED_KEYWORDS):
        values = sorted({v for part, _ in parts for v in part["keywords"][fname]})
        ids = {v: i for i, v in enumerate(values)}
        docs, vals = [], []
        for part, offset in parts:
            local_values = part["keywords"][fname]
            remap = np.array([ids[v] for v in local_values], dtype=np.int32)
            pd, pv = part["pairs"][fname]
            docs.append(pd + offset)
            vals.append(remap[pv] if len(remap) else pv)
        keywords[fname] = KeywordColumn(
            values,
            np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
            np.concatenate(vals).astype(np.int32) if vals else np.zeros(0, np.int32),
        )
    return Columns(size, live, days, clusters, cluster_names, keywords, precision)


def _segment_key(leaf: IndexReader) -> tuple:
    seg = getattr(leaf, "_segment", None)
    return (seg.segment_id() if seg is not None else id(leaf),)


def _leaf_part(leaf: IndexReader) -> dict:
    """Columns of one segment (local docnums)."""
    n = leaf.doc_count_all()
    live = np.ones(n, dtype=bool)
    if leaf.has_deletions():
        for d in leaf.deleted_docs_set:  # whoosh-reloaded: a set property, no deleted_docs() method
            live[d] = False
    days = np.full(n, UNDATED, dtype=np.int32)
    if leaf.has_column("date"):
        # Undated documents hold the column's default, which may be out of int64 range.
        for d, raw in enumerate(leaf.column_reader("date", translate=False)):
            if isinstance(raw, int) and 0 <= raw < _MAX_USECS:  # 0: 0001-01-01
                days[d] = raw // _USECS_PER_DAY + 1  # datetime.min is ordinal 1
    for d in term_docs(leaf, "dated", "n"):
        days[d] = UNDATED
    if leaf.has_column("cluster"):
        clusters = np.array([as_text(c) for c in leaf.column_reader("cluster")], dtype=object)
    else:
        clusters = np.array([""] * n, dtype=object)
    keywords, pairs = {}, {}
    for fname in (*ENTITY_FIELDS, "source"):
        values, docs, vals = [], [], []
        if fname in leaf.schema:
            for i, (term, ids) in enumerate(field_postings(leaf, fname)):
                values.append(term)
                docs.append(ids)
                vals.append(np.full(len(ids), i, dtype=np.int32))
        keywords[fname] = values
        pairs[fname] = (
            np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
            np.concatenate(vals) if vals else np.zeros(0, np.int32),
        )
    precision = _stored_keywords(leaf, keywords, pairs)
    return {
        "live": live,
        "days": days,
        "precision": precision,
        "clusters": clusters,
        "keywords": keywords,
        "pairs": pairs,
    }


def _stored_keywords(leaf: IndexReader, keywords: dict, pairs: dict) -> np.ndarray:
    """Authors (one value per byline) and date precision, from one pass over the segment's stored fields.

    The index keeps neither as terms: the author field is tokenised for search and the date's precision is
    stored text. Read once per segment (parts are cached by segment), so a commit pays only for new segments.
    """
    n = leaf.doc_count_all()
    precision = np.zeros(n, dtype=np.int8)
    ids: dict[str, int] = {}
    docs: list[int] = []
    vals: list[int] = []
    for d in range(n):
        try:
            fields = leaf.stored_fields(d)
        except Exception:  # a deleted or unreadable article: no author, no precision
            continue
        text = str(fields.get("date_text") or "")
        precision[d] = 3 if len(text) >= 10 else 2 if len(text) == 7 else 1 if len(text) == 4 else 3
        author = " ".join(str(fields.get("author") or "").split())
        if author:
            docs.append(d)
            vals.append(ids.setdefault(author, len(ids)))
    keywords["author"] = list(ids)
    pairs["author"] = (np.array(docs, dtype=np.int32), np.array(vals, dtype=np.int32))
    return precision
