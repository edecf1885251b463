"""The port through which the query core reads an index's postings; only search/index/ knows the codec's blocks.

Per commit (``Postings``): a term's documents and weights as numpy arrays over global docnums, each field's
lengths, a word's positions in chosen documents, term frequencies. Per segment: every term of a field with its
documents, a field's document frequencies, the key that caches per-segment parts across commits. Whoosh's
matchers walk postings one at a time in Python; here the compact codec's blocks are decoded whole (any other
codec is read through the public matcher interface, more slowly, with the same results).
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np
from whoosh.reading import IndexReader, TermNotFound

from search.index.codec import CompactTermsReader

log = logging.getLogger(__name__)

__all__ = [
    "IndexReader",
    "Postings",
    "as_text",
    "doc_frequencies",
    "field_postings",
    "leaf_doc_frequencies",
    "near_terms",
    "segment_key",
    "term_docs",
]

CACHE_TERMS = 20_000  # (field, term) posting arrays a commit keeps, least recently used dropped first


class Postings:
    """Postings (global docnum, weight) and field lengths of one commit, read lazily and cached."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self.count = max(1, reader.doc_count())
        self._leaves = reader.leaf_readers()
        self._lengths: dict[str, np.ndarray] = {}
        self._avg: dict[str, float] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in the field (float32, 0 where it has none)."""
        if field not in self._lengths:
            out = np.zeros(self.size, dtype=np.float32)
            for leaf, offset in self._leaves:
                n = leaf.doc_count_all()
                out[offset : offset + n] = [leaf.doc_field_length(d, field, 0) or 0 for d in range(n)]
            self._lengths[field] = out
            self._avg[field] = float(np.nansum(out)) / self.count or 1.0
        return self._lengths[field]

    def avg(self, field: str) -> float:
        """The field's average length over live documents (1.0 for an empty field)."""
        self.lengths(field)
        return self._avg[field]

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums (int64, ascending) holding the term in the field, and its weight (float32) in each."""
        key = (field, term)
        with self._lock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
                return hit
        ids, weights = [], []
        for leaf, offset in self._leaves:
            i, w = _leaf_postings(leaf, field, term)
            if len(i):
                ids.append(i + offset)
                weights.append(w)
        value = (
            (np.concatenate(ids), np.concatenate(weights)) if ids else (np.zeros(0, np.int64), np.zeros(0, np.float32))
        )
        with self._lock:
            self._postings[key] = value
            if len(self._postings) > CACHE_TERMS:
                self._postings.popitem(last=False)
        return value

    def frequency(self, field: str, term: str) -> float:
        """How often the term occurs in the field over all documents."""
        return self.reader.frequency(field, term)

    def positions(self, field: str, word: str, docnums: np.ndarray) -> dict[int, list[int]]:
        """The word's positions in each of the documents (sorted global docnums) holding it, reading only the
        blocks those documents are in."""
        out: dict[int, list[int]] = {}
        for leaf, offset in self._leaves:
            lo, hi = np.searchsorted(docnums, [offset, offset + leaf.doc_count_all()])
            if lo == hi:
                continue
            try:
                m = leaf.postings(field, word)
            except (TermNotFound, KeyError):
                continue
            for d, found in _positions_at(m, (docnums[lo:hi] - offset).tolist()).items():
                out[d + offset] = found
        return out


def segment_key(leaf: IndexReader) -> tuple:
    """What identifies a segment across commits (its id), for caches of per-segment parts."""
    seg = getattr(leaf, "_segment", None)
    return (seg.segment_id() if seg is not None else id(leaf),)


def _leaf_postings(leaf: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        m = leaf.postings(field, term)
    except (TermNotFound, KeyError):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return _matcher_arrays(m)


def term_docs(leaf: IndexReader, field: str, term: str) -> np.ndarray:
    """Local docnums (int32) of one segment holding the term (none when it is absent)."""
    try:
        return _leaf_postings(leaf, field, term)[0].astype(np.int32)
    except Exception:  # term absent from this segment
        return np.zeros(0, dtype=np.int32)


def _leaf_matcher(m):
    while hasattr(m, "child") and not hasattr(m, "_read_ids"):  # deletions wrap the leaf matcher
        m = m.child
    return m


def _matcher_arrays(m) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) of a leaf matcher, read block by block where the codec allows."""
    m = _leaf_matcher(m)
    ids: list = []
    weights: list = []
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):  # Whoosh 3 codec: whole blocks at once
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(m._ids[m._i :])
            weights.extend(m._weights[m._i :])
            m._i = m._blocklength
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def _positions_at(m, targets: list[int]) -> dict[int, list[int]]:
    """Positions of the term in each of the sorted local docnums that hold it, reading only their blocks."""
    out: dict[int, list[int]] = {}
    inner = _leaf_matcher(m)
    fmt = getattr(inner, "format", None)
    if fmt is not None and all(hasattr(inner, a) for a in ("_maxid", "_next_block", "_read_ids", "_read_values")):
        for t in targets:  # Whoosh 3 codec: skip whole blocks by their last id, decode one value per hit
            while inner.is_active() and inner._maxid < t:
                inner._next_block()
            if not inner.is_active():
                break
            if inner._ids is None:
                inner._read_ids()
            ids = inner._ids
            i = bisect_left(ids, t)
            if i < len(ids) and ids[i] == t:
                if inner._values is None:
                    inner._read_values()
                out[t] = fmt.decode_as("positions", inner._values[i])
        return out
    for t in targets:  # any other codec: the public matcher interface
        if not m.is_active():
            break
        m.skip_to(t)
        if m.is_active() and m.id() == t:
            out[t] = m.value_as("positions")
    return out


def as_text(value: object) -> str:
    """A term or column value as text (bytes decoded as UTF-8)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def field_postings(leaf: IndexReader, fname: str) -> list[tuple[str, np.ndarray]]:
    """Every term of a segment's field with its local docnums (int32), in one sequential pass over the terms."""
    terms = getattr(leaf, "_terms", None)
    if terms is None or not hasattr(terms, "_codec") or not hasattr(terms, "_postfile"):
        return [(t, term_docs(leaf, fname, t)) for t in _terms(leaf, fname)]
    field = leaf.schema[fname]
    out = []
    try:
        for text, info in leaf.iter_field(fname):
            tbytes = text if isinstance(text, bytes) else field.to_bytes(text)
            m = terms._codec.postings_reader(terms._postfile, info, field.format, term=(fname, tbytes), scorer=None)
            out.append((as_text(text), _matcher_arrays(m)[0].astype(np.int32)))
    except Exception as exc:  # an unexpected codec: the slower, public way
        log.debug("sequential postings failed for %s: %s", fname, exc)
        return [(t, term_docs(leaf, fname, t)) for t in _terms(leaf, fname)]
    return out


def _terms(leaf: IndexReader, fname: str) -> list[str]:
    return [as_text(t) for t in leaf.lexicon(fname)]


def leaf_doc_frequencies(leaf: IndexReader, fieldname: str) -> Iterator[tuple[str, int]]:
    """(term, documents holding it) for every term of a segment's field, in term order."""
    terms = getattr(leaf, "_terms", None)
    if isinstance(terms, CompactTermsReader):
        pairs = terms.doc_frequencies(fieldname)
    else:
        pairs = ((t, info.doc_frequency()) for t, info in leaf.iter_field(fieldname))
    for tbytes, df in pairs:
        yield (tbytes.decode("utf-8") if isinstance(tbytes, bytes) else str(tbytes)), df


def near_terms(reader: IndexReader, fieldname: str, text: str, limit: int, maxdist: int, prefix: int) -> list[str]:
    """Up to limit terms of the field within maxdist edits of text that share its first prefix letters, best first
    (Whoosh's reader corrector: fewest edits, then most frequent)."""
    return list(reader.corrector(fieldname).suggest(text, limit=limit, maxdist=maxdist, prefix=prefix))


def doc_frequencies(reader: IndexReader, fieldname: str) -> dict[str, int]:
    """Every term of a field with the number of articles holding it, over all segments of a reader (about a tenth
    of the cost of Whoosh's iter_field on the compact codec)."""
    out: dict[str, int] = {}
    if fieldname not in reader.schema:
        return out
    for leaf, _ in reader.leaf_readers():
        for text, df in leaf_doc_frequencies(leaf, fieldname):
            out[text] = out.get(text, 0) + df
    return out
