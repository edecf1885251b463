"""The analysed terms a hit can contain, read from the leaves of a parsed Whoosh query (for highlighting)."""

from __future__ import annotations

import logging

from whoosh import query as wq

from search.index.schema import EXACT_FIELDS
from search.query.archive import Snapshot
from search.query.highlight import MatchTerms
from search.query.match.parse import DEFAULT_FIELDS, ParsedQuery

log = logging.getLogger(__name__)

_EXACT = frozenset(EXACT_FIELDS.values())


def match_terms(snap: Snapshot, parsed: ParsedQuery) -> MatchTerms:
    """The analysed terms a hit can contain: leaves of the query outside NOT, wildcards expanded."""
    stems: set[str] = set()
    names: set[str] = set()
    exact: set[str] = set()
    reader = snap.searcher.reader()

    def walk(q: wq.Query) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            walk(q.a)
            return
        if q.is_leaf():
            field = getattr(q, "fieldname", None)
            if field is None:
                return
            target = (
                stems
                if field in DEFAULT_FIELDS
                else exact
                if field in _EXACT
                else names
                if field.endswith("_words")
                else None
            )
            if target is None:
                return
            if isinstance(q, wq.Phrase):
                target.update(q.words)
            elif isinstance(q, wq.Term) and not isinstance(q, wq.MultiTerm):
                target.add(str(q.text))
            else:
                try:
                    for i, (_, text) in enumerate(q.existing_terms(reader, expand=True)):
                        target.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
                        if i > 500:
                            break
                except Exception as exc:
                    log.debug("cannot expand %r: %s", q, exc)
            return
        for sub in q.children():
            walk(sub)

    if not parsed.null:
        walk(parsed.query)
    return MatchTerms(frozenset(stems), frozenset(names), frozenset(exact))
