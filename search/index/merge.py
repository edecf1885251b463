"""Which segments a commit folds together: small ones and ones mostly deleted, never the full segments again.

Whoosh's default policy (MERGE_SMALL) merges every segment up to the point where the running total of documents
falls below a Fibonacci number. On a bulk run that commits every 5,000 articles this stays quiet for 20 commits,
then rewrites all 105,000 articles at once in the single writing process: indexing cost per article grew by
two thirds from 1x to 5x Reuters. This policy is linear: a segment of at least ``full`` documents is never merged
again unless deletions hollow it out, so each article is rewritten a bounded number of times whatever the size
of the archive. Small segments (those of small update runs) are merged together before there are more than
``small_max`` of them, so the number of segments stays about the archive's size over ``full``.
"""

from __future__ import annotations

from collections.abc import Sequence

from whoosh.reading import SegmentReader

SMALL_SEGMENTS_MAX = 4  # small segments an index may hold; the commit that would add one more merges them
DELETED_SHARE_MAX = 0.3  # a segment with this share of deleted documents is rewritten without them


class LinearMergePolicy:
    """A Whoosh ``mergetype`` for ``SegmentWriter.commit``: returns the segments kept as they are."""

    def __init__(self, full: int, small_max: int = SMALL_SEGMENTS_MAX, deleted_max: float = DELETED_SHARE_MAX):
        self.full = max(1, full)
        self.small_max = small_max
        self.deleted_max = deleted_max

    def __call__(self, writer, segments: Sequence) -> list:
        """Add the segments to merge to the writer's new segment; return those kept. A segment with no live
        document is neither kept nor read: Whoosh deletes the files of segments left out of the new commit."""
        kept = []
        # The commit's own new segment comes on top of these: merge before it would make one too many.
        merge_small = sum(0 < s.doc_count() < self.full for s in segments) >= self.small_max
        for seg in segments:
            live, total = seg.doc_count(), seg.doc_count_all()
            if live == 0:
                continue
            if (total - live) / total >= self.deleted_max or (merge_small and live < self.full):
                reader = SegmentReader(writer.storage, writer.schema, seg)
                writer.add_reader(reader)
                reader.close()
            else:
                kept.append(seg)
        return kept
