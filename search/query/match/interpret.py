"""A query text read against one commit: parsed once per commit, expanded over its vocabulary, and widened.

What parsing asks of the index (whether it holds a word, what a prefix or fuzzy word stands for, which
sources exist) is answered here, so parse.py knows no index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from whoosh import query as wq

from search.index.analysis import news_analyzer
from search.query.archive import Archive, Snapshot
from search.query.match.expand import Expansion, vocabulary
from search.query.match.expand import expand as expand_node
from search.query.match.parse import ParsedQuery, long_query, make_parser, parse, tidy

log = logging.getLogger(__name__)
_analyzer = news_analyzer()


def parsed_query(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery:
    """Parse q, reusing the parse of the same text on this commit (Whoosh's parser costs milliseconds)."""
    return snap.cache.parsed.get_or_make(q or "", lambda: _parse_fresh(archive, snap, q))


def _parse_fresh(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery:
    lexicon, expand = _parse_helpers(archive, snap)
    parsed = parse(q or "", snap.searcher.schema, _analyzer, lexicon, expand)
    if "source:" not in parsed.text:
        return parsed
    return replace(
        parsed,
        query=_sources_any_case(snap, parsed.query),
        must=tuple(_sources_any_case(snap, c) for c in parsed.must),
    )


def _parse_helpers(archive: Archive, snap: Snapshot) -> tuple[Callable, Callable]:
    """What parsing asks of the index: whether it holds a word, and the bounded expansions of a pattern."""
    reader = snap.searcher.reader()

    def lexicon(field: str, term: str) -> bool:
        return reader.doc_frequency(field, term) > 0

    def expand(node: wq.Query, limit: int) -> Expansion | None:
        field = node.fieldname
        vocab = snap.cache.vocabularies.get_or_make(field, lambda: vocabulary(reader, field, archive.vocab_cache))
        return expand_node(vocab, node, limit)

    return lexicon, expand


def _sources_any_case(snap: Snapshot, q: wq.Query) -> wq.Query:
    """source:reuters finds "Reuters": sources are exact values, matched here without regard to case."""
    values = snap.columns.keywords["source"].values

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "source":
            wanted = str(node.text).lower()
            same = [v for v in values if v.lower() == wanted]
            if same and same != [node.text]:
                return wq.Or([wq.Term("source", v, boost=node.boost) for v in same])
            return node
        return node if node.is_leaf() else node.apply(fix)

    try:
        return fix(q)
    except Exception as exc:
        log.debug("source case folding failed for %r: %s", q, exc)
        return q


def widenable(parsed: ParsedQuery) -> bool:
    """Whether a query is plain words (two or more) that could be searched with one of them left out."""
    return len(parsed.words) >= 2 and not any(op in parsed.text for op in (" OR ", " NOT ", '"', ":", "("))


def widen(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery | None:
    """The same words with a minimum-should-match of all but one."""
    try:
        or_query = make_parser(snap.searcher.schema, long=True).parse(q)
        or_query = tidy(or_query, *_parse_helpers(archive, snap))
    except Exception:
        return None
    parsed = long_query(or_query, q, [], [])
    if len(parsed.should) < 2:
        return None
    return replace(parsed, min_should=len(parsed.should) - 1, words=())
