"""The news analyzer as Whoosh sees it: a thin adapter over ``search.enrich.analysis``.

The schema's text fields and the query parser use the Whoosh chain built here, made of the enrich module's
tokens, stop words and stemmer; the writer's own loop (``positions_postings``) indexes the enrich module's
``terms`` directly, which give the same postings (tests/test_index_fast_analysis.py holds the two together).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)

from search.enrich.analysis import exact_terms, snowball_stem, stop_words, straighten, terms, tokens


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer over the analyzer's words (``search.enrich.analysis.tokens``), with positions and spans.

    (Named for the NLTK tokenizer it once wrapped: indexes pickle their schema, so the name stays.)"""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            found: Iterator[tuple[int, int, str]] = iter([(0, len(value), straighten(value))])
        else:
            found = tokens(value)
        for pos, (start, end, text) in enumerate(found):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def news_analyzer() -> Analyzer:
    """Tokenise, lowercase, drop English stop words, Snowball-stem: ``search.enrich.analysis.terms`` for Whoosh."""
    return (
        NltkTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=stop_words(), minsize=1)
        | StemFilter(stemfn=snowball_stem, cachesize=0)  # snowball_stem keeps its own (faster) cache
    )


def exact_analyzer() -> Analyzer:
    """The words as written, for quoted search: tokenised and lowercased as news_analyzer does, the same stop
    words dropped (so positions match the stemmed field's), never stemmed; accents are kept."""
    return NltkTokenizer() | LowercaseFilter() | StopFilter(stoplist=stop_words(), minsize=1)


# (term bytes, frequency, weight, encoded positions) per unique term, as Whoosh's FieldType.index() yields them.
Posting = tuple[bytes, int, float, bytes]


def positions_postings(
    analyzer: Analyzer, value: str, encode: Callable[[list[int]], bytes], field_boost: float = 1.0
) -> list[Posting] | None:
    """What a TEXT field with ``analyzer`` and a Positions format (``encode``: its position-list encoder) indexes
    for ``value``, in one loop.

    Whoosh's path (a generator per filter, a Token object per word, a defaultdict per field) is a tenth of the
    indexer's CPU; this gives the same terms, frequencies, weights and encoded positions for the analyzers
    ``news_analyzer`` and ``exact_analyzer`` build (from ``terms`` and ``exact_terms``) and for a plain
    regex-tokenizer, lowercase and charset-folding chain (the schema's names analyzer). Returns None for any
    other analyzer, so the caller falls back to Whoosh's own path."""
    analyse = _text_terms(analyzer)
    if analyse is not None:
        poses = _grouped(analyse(value))
    else:
        simple = _simple_parts(analyzer)
        if simple is None:
            return None
        poses = _simple_positions(value, *simple)
    out: list[Posting] = []
    single = _SINGLE.setdefault(getattr(encode, "__func__", encode), {})
    for term, plist in poses.items():
        n = len(plist)
        if n == 1:
            p = plist[0]
            encoded = single.get(p)
            if encoded is None:
                encoded = single[p] = encode(plist)
        else:
            encoded = encode(plist)
        out.append((term.encode("utf-8"), n, float(n) * field_boost, encoded))
    return out


# Encoded one-position lists, per encoder and position (most terms occur once in a field).
_SINGLE: dict[object, dict[int, bytes]] = {}


@cache
def _news() -> Analyzer:
    return news_analyzer()


@cache
def _exact() -> Analyzer:
    return exact_analyzer()


def _text_terms(analyzer: Analyzer) -> Callable[[str], list[tuple[int, str]]] | None:
    """``terms`` for an analyzer equal to news_analyzer(), ``exact_terms`` for one equal to exact_analyzer()."""
    if not isinstance(getattr(analyzer, "items", None), list) or type(analyzer.items[0]) is not NltkTokenizer:
        return None
    if analyzer == _news():
        return terms
    if analyzer == _exact():
        return exact_terms
    return None


def _grouped(pairs: list[tuple[int, str]]) -> dict[str, list[int]]:
    """Positions per term, terms in order of their first occurrence."""
    poses: dict[str, list[int]] = {}
    for pos, term in pairs:
        got = poses.get(term)
        if got is None:
            poses[term] = [pos]
        else:
            got.append(pos)
    return poses


def _simple_positions(value: str, pattern: re.Pattern[str], charmap: object) -> dict[str, list[int]]:
    poses: dict[str, list[int]] = {}
    for i, m in enumerate(pattern.finditer(value)):
        term = m.group(0).lower()
        if charmap is not None:
            term = term.translate(charmap)
        got = poses.get(term)
        if got is None:
            poses[term] = [i]
        else:
            got.append(i)
    return poses


def _simple_parts(analyzer: Analyzer) -> tuple[re.Pattern[str], object] | None:
    """The pattern and character map of a RegexTokenizer | LowercaseFilter [| CharsetFilter] chain, else None."""
    items = getattr(analyzer, "items", None)
    kinds = [type(x) for x in items or ()]
    if kinds not in ([RegexTokenizer, LowercaseFilter], [RegexTokenizer, LowercaseFilter, CharsetFilter]):
        return None
    if items[0].gaps:
        return None
    return items[0].expression, (items[2].charmap if len(items) == 3 else None)
