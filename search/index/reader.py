"""Opening an index commit for reading: a searcher over the newest commit, and what identifies that commit.

The query core holds a commit as an opaque searcher (its own caches are keyed by what this module reports) and
reads postings through search.index.postings and per-document columns through search.index.columns.
"""

from __future__ import annotations

from whoosh.index import FileIndex
from whoosh.scoring import WeightingModel
from whoosh.searching import Searcher

from search.index.postings import IndexReader, segment_key

__all__ = ["FileIndex", "Searcher", "generation", "is_current", "open_commit", "segment_sizes"]


def open_commit(ix: FileIndex, weighting: WeightingModel) -> tuple[FileIndex, Searcher]:
    """The index refreshed to its newest commit, and a new searcher over that commit scoring with weighting.

    A new searcher, not Searcher.refresh(): that closes readers which requests in flight may still use.
    """
    ix = ix.refresh()
    return ix, ix.searcher(weighting=weighting)


def is_current(searcher: Searcher) -> bool:
    """Whether the searcher still reads the newest commit (False too when its files cannot be checked)."""
    try:
        return searcher.up_to_date()
    except Exception:
        return False


def generation(searcher: Searcher) -> int:
    """The commit's generation number (-1 when the reader has none)."""
    found = getattr(searcher.reader(), "generation", lambda: -1)()
    return found if found is not None else -1


def segment_sizes(reader: IndexReader) -> list[tuple]:
    """(segment id, documents) of each of the reader's segments: what keys per-segment caches."""
    return [(*segment_key(leaf), leaf.doc_count_all()) for leaf, _offset in reader.leaf_readers()]
