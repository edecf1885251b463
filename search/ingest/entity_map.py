"""The archive-wide entity map, rebuilt for the run's last commit from what the run wrote (or the index holds)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path

from search.documents import ENTITY_FIELDS, ENTITY_KINDS, EntityKind
from search.enrich.entities import DocEntities
from search.enrich.entities.map import EntityMap
from search.index.prepare import Analysed, entity_terms
from search.index.writer import CommitReader, live_documents


class EntityTally:
    """Entity values and aliases of the articles written in a run.

    On a run that starts from an empty index (``fresh``) the terms of each entity field are counted as they are
    written: while the run replaces or deletes nothing, these are the index's own document frequencies, and the
    map needs no pass over the index's term lists at the end (seconds, serial).
    """

    def __init__(self, index_dir: Path, fresh: bool) -> None:
        self.index_dir = index_dir
        self.aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._df: Counter[tuple[str, bytes]] | None = Counter() if fresh else None
        # Each written article's (type, value) pairs, on a fresh run: the context that links lone surnames.
        self._articles: list[list[tuple[str, str]]] = []

    def add_aliases(self, entities: DocEntities) -> None:
        for kind in ENTITY_KINDS:
            for value, aliases in entities.of_type(kind.value).items():
                self.aliases[(kind.value, value)].update(aliases)

    def count(self, fields: Mapping[str, object], analysed: Analysed) -> None:
        """Count a written article's entity terms (on a fresh run)."""
        if self._df is None:
            return
        pairs: list[tuple[str, str]] = []
        for name, term in entity_terms(fields, analysed):
            self._df[(name, term)] += 1
            pairs.append((EntityKind.of_field(name).value, term.decode()))
        self._articles.append(pairs)

    def rebuild(self, reader: CommitReader, generation: int, rewrote: bool) -> None:
        """Write the map for ``generation`` (``reader`` reads that commit); ``rewrote``: the run replaced or
        deleted articles, so only the index's own term lists give the counts."""
        counts: Counter[tuple[str, str]] = Counter()
        if self._df is not None and not rewrote:
            # In the order the index's term lists give them (field by field, terms sorted by their bytes).
            order = {name: i for i, name in enumerate(ENTITY_FIELDS)}
            for (name, term), count in sorted(self._df.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
                counts[(EntityKind.of_field(name).value, term.decode())] = count
            EntityMap.rebuild(self.index_dir, counts, self.aliases, self._articles, generation)
            return
        per_doc: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for fieldname in ENTITY_FIELDS:
            kind = EntityKind.of_field(fieldname).value
            for value, docs in live_documents(reader, fieldname):
                if docs:  # the lexicon still counts deleted documents
                    counts[(kind, value)] = len(docs)
                for d in docs:
                    per_doc[d].append((kind, value))
        EntityMap.rebuild(self.index_dir, counts, self.aliases, [per_doc[d] for d in sorted(per_doc)], generation)
