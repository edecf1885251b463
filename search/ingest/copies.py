"""Exact copies within a run (the same title, body and dateline under another id) are enriched once: a copy
waits for its original and takes its entities and signature."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from search.documents import Document
from search.ingest.tasks import Known

SEEN_TEXTS_MAX = 200_000  # texts remembered for exact-copy detection (bounded so memory stays flat)
PARKED = object()  # Copies.check: the copy waits for its original, still being enriched


class Copies:
    """The texts sent for enrichment in this run, the copies waiting for them, what their originals gave."""

    def __init__(self) -> None:
        self.count = 0  # copies found
        self._seen: dict[bytes, str] = {}  # text -> id of the article sent for enrichment with it
        self._parked: dict[bytes, list[Document]] = defaultdict(list)
        self._done: dict[bytes, Known] = {}

    def check(self, doc: Document) -> Known | object | None:
        """None for a text not sent for enrichment before; for an exact copy of one, its original's
        (entities, signature) when the original is written, else PARKED (the copy waits for it)."""
        key = text_key(doc)
        if key not in self._seen:
            if len(self._seen) >= SEEN_TEXTS_MAX:
                self._seen.clear()
                self._done.clear()
            self._seen[key] = doc.id
            return None
        self.count += 1
        done = self._done.get(key)
        if done is not None:
            return done
        self._parked[key].append(doc)
        return PARKED

    def written(self, doc: Document, known: Known) -> list[Document]:
        """An article is written: when it is an original, the copies that waited for it (to write now)."""
        if not (self._parked or self._done):
            return []
        key = text_key(doc)
        if self._seen.get(key) != doc.id:
            return []
        self._done[key] = known
        return self._parked.pop(key, [])

    def orphans(self) -> list[list[Document]]:
        """Copies whose original failed, per text (to enrich after all); forgotten here."""
        left = list(self._parked.values())
        self._parked.clear()
        return left


def text_key(doc: Document) -> bytes:
    """What makes two articles exact copies for enrichment: the same title, body and dateline."""
    return hashlib.blake2b(f"{doc.title}\0{doc.body}\0{doc.dateline}".encode(), digest_size=16).digest()
