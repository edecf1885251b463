"""Article ids in a run: a record keeps its own id when no other article has it, else gets ``~2``, ``~3``..."""

from __future__ import annotations

from dataclasses import replace

from search.documents import Document
from search.extract.errors import Note
from search.index.catalog import Catalog


class RecordIds:
    """The ids given out so far in a run, and whose they are.

    ``found``: every file found in this run (a one-article file's id is its path, and it keeps it).
    """

    def __init__(self, catalog: Catalog, found: set[str]) -> None:
        self._catalog = catalog
        self._found = found
        self._claimed: dict[str, str] = {}  # record id given out in this run -> its file

    def claim(self, doc: Document, rel: str) -> tuple[Document, Note | None]:
        """The record under an id no other article has: its own when free, else its own with ``~2``, ``~3``...
        (and a note saying so). The same records in the same files get the same ids on every run."""
        owner = self._owner(doc.id, rel)
        if owner is None:
            self._claimed[doc.id] = rel
            return doc, None
        n = 2
        while self._owner(f"{doc.id}~{n}", rel) is not None:
            n += 1
        new_id = f"{doc.id}~{n}"
        self._claimed[new_id] = rel
        whose = "another record of this file" if owner == rel else owner
        note = Note(rel, f"record id {doc.id!r} is already the id of {whose}; indexed as {new_id!r}")
        return replace(doc, id=new_id), note

    def _owner(self, doc_id: str, rel: str) -> str | None:
        """The file that already holds ``doc_id`` (a record read earlier in this run, a file found in this run
        whose path it is, or an article indexed from a file still there), else None."""
        if doc_id in self._claimed:
            return self._claimed[doc_id]
        if doc_id in self._found and doc_id != rel:
            return doc_id
        old = self._catalog.docs.get(doc_id)
        if old is not None and old[0] != rel and old[0] in self._found:
            return old[0]
        return None
