"""Bounded expansion of prefixes, wildcards, term ranges and fuzzy words over one commit's vocabulary.

Whoosh expands such a query into every indexed word it matches and then scores each one: ``body:[a TO z]``
stood for the whole vocabulary (seconds a page), a fuzzy word for a hundred terms. Here each expansion keeps
at most ``MAX_TERMS`` words (the ones most articles hold), a query at most ``MAX_QUERY_TERMS`` in all, and a
wildcard or regular expression is tried on at most ``MAX_SCAN`` words; the caller tells the user when an
expansion was cut. The
vocabulary of each field is read once per segment (kept across commits, like the columns) as sorted words
with their document counts, so a prefix or a range is a binary search and a fuzzy word a C-speed distance
scan (rapidfuzz) over the words sharing its first letters.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as wq

from search.index.postings import IndexReader, leaf_doc_frequencies, segment_key

MAX_TERMS = 64  # words one expansion stands for: the most frequent
MAX_QUERY_TERMS = 256  # words all the expansions of one query stand for together
MAX_SCAN = 50_000  # words a wildcard or regular expression is tried on


@dataclass(frozen=True)
class FieldVocabulary:
    """The indexed words of one field, sorted, with how many articles hold each (deleted ones included)."""

    terms: list[str]
    df: np.ndarray

    def span(self, lo: str | None, hi: str | None, lo_excl: bool = False, hi_excl: bool = False) -> range:
        """Positions of the words between lo and hi (either end open when None)."""
        start = 0 if lo is None else (bisect_right if lo_excl else bisect_left)(self.terms, lo)
        end = len(self.terms) if hi is None else (bisect_left if hi_excl else bisect_right)(self.terms, hi)
        return range(start, max(start, end))

    def prefixed(self, prefix: str) -> range:
        """Positions of the words that start with prefix."""
        if not prefix:
            return range(len(self.terms))
        start = bisect_left(self.terms, prefix)
        end = bisect_left(self.terms, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo=start)
        return range(start, end)


@dataclass(frozen=True)
class Expansion:
    """The words an expanding query stands for (most frequent first) and how many it matched in all."""

    terms: tuple[str, ...]
    matched: int  # words that match (at least this many when scanned is False)
    scanned: bool = True  # False: the pattern was tried on only MAX_SCAN words

    @property
    def cut(self) -> bool:
        return len(self.terms) < self.matched or not self.scanned


def vocabulary(reader: IndexReader, field: str, cache: dict) -> FieldVocabulary:
    """The field's vocabulary over every segment of the reader; each segment's part is kept in cache."""
    parts = []
    for leaf, _offset in reader.leaf_readers():
        key = ("vocab", field, *segment_key(leaf), leaf.doc_count_all())
        part = cache.get(key)
        if part is None:
            part = cache[key] = _leaf_vocabulary(leaf, field)
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    merged: dict[str, int] = {}
    for part in parts:
        for term, df in zip(part.terms, part.df.tolist(), strict=True):
            merged[term] = merged.get(term, 0) + df
    terms = sorted(merged)
    return FieldVocabulary(terms, np.fromiter((merged[t] for t in terms), dtype=np.int64, count=len(terms)))


def forget_segments(cache: dict, live: Iterable[tuple]) -> None:
    """Drop vocabulary parts of segments that are gone (live: the (segment id, size) pairs still in use)."""
    keep = set(live)
    for key in [k for k in cache if k[0] == "vocab" and (k[2], k[3]) not in keep]:
        del cache[key]


def _leaf_vocabulary(leaf: IndexReader, field: str) -> FieldVocabulary:
    terms: list[str] = []
    dfs: list[int] = []
    if field in leaf.schema:
        for text, df in leaf_doc_frequencies(leaf, field):
            terms.append(text)
            dfs.append(df)
    return FieldVocabulary(terms, np.asarray(dfs, dtype=np.int64))


def expand(vocab: FieldVocabulary, node: wq.Query, limit: int = MAX_TERMS) -> Expansion | None:
    """The words a prefix, wildcard, regular expression, term range or fuzzy word matches, at most limit of
    them; None for any other query (left as it is)."""
    if isinstance(node, wq.FuzzyTerm):
        return _fuzzy(vocab, str(node.text), int(node.maxdist), int(node.prefixlength), limit)
    if isinstance(node, wq.Prefix):
        return _top(vocab, vocab.prefixed(str(node.text)), limit)
    if isinstance(node, (wq.Wildcard, wq.Regex)):
        return _pattern(vocab, node, limit)
    if isinstance(node, wq.TermRange):
        start = None if node.start is None else str(node.start)
        end = None if node.end is None else str(node.end)
        return _top(vocab, vocab.span(start, end, node.startexcl, node.endexcl), limit)
    return None


def _top(vocab: FieldVocabulary, span: range | np.ndarray, limit: int, scanned: bool = True) -> Expansion:
    idx = np.arange(span.start, span.stop) if isinstance(span, range) else np.asarray(span, dtype=np.int64)
    if idx.size > limit:
        # The most frequent words, ties in word order (a stable sort of the word positions by count).
        idx = idx[np.argsort(-vocab.df[idx], kind="stable")[:limit]]
    else:
        idx = idx[np.argsort(-vocab.df[idx], kind="stable")]
    return Expansion(tuple(vocab.terms[i] for i in idx.tolist()), len(span), scanned)


def _pattern(vocab: FieldVocabulary, node: wq.PatternQuery, limit: int) -> Expansion:
    try:
        exp = re.compile(node._get_pattern())
        prefix = node._find_prefix(node.text)
    except (re.error, TypeError, ValueError):
        return Expansion((), 0)
    span = vocab.prefixed(prefix)
    scanned = len(span) <= MAX_SCAN
    span = span[:MAX_SCAN]
    terms = vocab.terms
    hits = np.fromiter((i for i in span if exp.match(terms[i])), dtype=np.int64)
    return _top(vocab, hits, limit, scanned)


def _fuzzy(vocab: FieldVocabulary, text: str, maxdist: int, prefix: int, limit: int) -> Expansion:
    """Words within maxdist edits (insert, delete, substitute, swap two neighbours) sharing the first letters.

    Every such word is tried (rapidfuzz compares a hundred thousand words in milliseconds)."""
    span = vocab.prefixed(text[:prefix])
    scanned = True
    if not len(span):
        return Expansion((), 0)
    found = process.extract(
        text, vocab.terms[span.start : span.stop], scorer=OSA.distance, score_cutoff=maxdist, limit=None
    )
    hits = np.asarray(sorted(span.start + i for _t, _d, i in found), dtype=np.int64)
    return _top(vocab, hits, limit, scanned)


def shown(node: wq.Query, default_fields: tuple[str, ...]) -> str:
    """How the user wrote an expanding query (for a note): comp*, body:[a TO z], lavrov~2."""
    field = "" if node.fieldname in default_fields else f"{node.fieldname}:"
    if isinstance(node, wq.FuzzyTerm):
        return f"{field}{node.text}~{node.maxdist}"
    if isinstance(node, wq.Prefix):
        return f"{field}{node.text}*"
    if isinstance(node, wq.TermRange):
        left = "{" if node.startexcl else "["
        right = "}" if node.endexcl else "]"
        return f"{field}{left}{node.start or ''} TO {node.end or ''}{right}"
    return f"{field}{getattr(node, 'text', '')}"
