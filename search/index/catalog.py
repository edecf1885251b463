"""What the index already holds, read in bulk from columns: ids, source files and their hashes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh.index import FileIndex


@dataclass
class Catalog:
    """id -> (path, source hash, content hash) for every live document, kept current during a run."""

    docs: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    by_path: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, ix: FileIndex) -> Catalog:
        catalog = cls()
        with ix.reader() as reader:
            if reader.doc_count() == 0:
                return catalog
            cols = [_column(reader, name) for name in ("id", "path", "source_hash", "content_hash")]
            for docnum in reader.all_doc_ids():
                doc_id, path, source_hash, content = (col[docnum] if col is not None else "" for col in cols)
                catalog.record(doc_id, path, source_hash, content)
        return catalog

    def record(self, doc_id: str, path: str, source_hash: str, content: str) -> None:
        old = self.docs.get(doc_id)
        if old is not None:
            self.by_path[old[0]].discard(doc_id)
        self.docs[doc_id] = (path, source_hash, content)
        self.by_path[path].add(doc_id)

    def forget(self, doc_id: str) -> None:
        old = self.docs.pop(doc_id, None)
        if old is not None:
            self.by_path[old[0]].discard(doc_id)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.docs

    def ids_for_path(self, path: str) -> set[str]:
        return set(self.by_path.get(path, ()))

    def paths(self) -> set[str]:
        return {p for p, ids in self.by_path.items() if ids}

    def file_unchanged(self, path: str, fingerprint: str) -> bool:
        """True when the file's documents are all indexed from exactly these bytes."""
        ids = self.by_path.get(path)
        return bool(ids) and all(self.docs[i][1] == fingerprint for i in ids)

    def doc_unchanged(self, doc_id: str, content: str) -> bool:
        old = self.docs.get(doc_id)
        return old is not None and old[2] == content

    @staticmethod
    def signatures(ix: FileIndex) -> Iterator[tuple[bytes, str]]:
        """(near-duplicate signature, cluster id) of every committed document."""
        with ix.reader() as reader:
            sigs, clusters = _column(reader, "minhash"), _column(reader, "cluster")
            if sigs is None or clusters is None:
                return
            for docnum in reader.all_doc_ids():
                yield sigs[docnum], clusters[docnum]


def _column(reader, name: str):
    if not reader.has_column(name):
        return None
    return reader.column_reader(name)
