"""Snippets and whole-document highlighting: text with the spans of every matched form (search.query.types
MarkedText); the web layer makes HTML of them.

Bounded on very long articles: snippets analyse at most SNIPPET_SCAN_CHARS (stopping early once
enough fragments are found), and the document view marks hits in the first DOCUMENT_MARK_CHARS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from search.enrich.analysis import TOKEN_RE, normalise, term
from search.query.types import MarkedText

SNIPPET_SCAN_CHARS = 2_000_000
CANDIDATE_BUDGET = 20_000  # tokens checked at most per snippet
DOCUMENT_MARK_CHARS = 3_000_000
FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 3
_WORDLIKE = re.compile(r"[\w'’]+")
_WORD_JOINERS = "_'’"  # with letters and digits, what the candidates' look-behind refuses before a match


@dataclass(frozen=True)
class MatchTerms:
    """What to mark: analysed (stemmed) terms of title/body, lowercase name words, and quoted words as written."""

    stems: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.stems or self.names or self.exact)

    @cached_property
    def _heads(self) -> list[str]:
        """What a matching token starts with: a stem is a prefix of its forms but for a last y/i or e."""
        heads = {s[:-1] if len(s) > 3 else s for s in self.stems if s}
        heads |= {n[:-1] if len(n) > 3 else n for n in self.names | self.exact if n}
        return sorted(heads, key=len, reverse=True)

    @cached_property
    def candidates(self) -> re.Pattern[str]:
        """Where a matching token may start (not inside a word)."""
        alternation = "|".join(re.escape(h) for h in self._heads)
        return re.compile(rf"(?<![\w'’])(?:{alternation})", re.IGNORECASE)

    @cached_property
    def lower_candidates(self) -> re.Pattern[str] | None:
        """The heads alone, for lowercased text, without the costly look-behind (checked per match instead);
        None when a head holds other than word characters and apostrophes (a match could then hide a start)."""
        if not all(_WORDLIKE.fullmatch(h) and h == h.lower() for h in self._heads):
            return None
        return re.compile("|".join(re.escape(h) for h in self._heads))


_stem = lru_cache(maxsize=200_000)(term)


@lru_cache(maxsize=50_000)
def _fold(lower: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))


def _matches(token: str, terms: MatchTerms) -> bool:
    lower = normalise(token)
    if terms.stems and _stem(lower) in terms.stems:
        return True
    if lower in terms.exact:
        return True
    return bool(terms.names) and (lower in terms.names or _fold(lower) in terms.names)


def find_hits(text: str, terms: MatchTerms, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of matched tokens in text[start:end]."""
    if not terms:
        return []
    return list(_scan(text, terms, start, end if end is not None else len(text)))


def _scan(text: str, terms: MatchTerms, start: int, end: int, budget: int | None = None) -> Iterator[tuple[int, int]]:
    """Spans of matched tokens, checking only tokens that start like a query term (at most budget)."""
    for n, at in enumerate(_candidate_starts(text, terms, start, end)):
        if budget is not None and n >= budget:
            return
        tok = TOKEN_RE.match(text, at, end)
        if tok is not None and _matches(tok.group(0), terms):
            yield tok.span()


def _candidate_starts(text: str, terms: MatchTerms, start: int, end: int) -> Iterator[int]:
    """Where ``terms.candidates`` matches: found in the lowercased text by the heads alone (a third of the
    cost of the look-behind and case-blind pattern), dropping matches inside a word as the look-behind would."""
    pattern = terms.lower_candidates
    lower = text.lower() if pattern is not None else ""
    if pattern is None or len(lower) != len(text):  # lowercasing changed lengths (rare letters): spans would shift
        for m in terms.candidates.finditer(text, start, end):
            yield m.start()
        return
    for m in pattern.finditer(lower, start, end):
        at = m.start()
        if at:
            before = text[at - 1]
            if before.isalnum() or before in _WORD_JOINERS:
                continue
        yield at


def _first_hits(text: str, terms: MatchTerms, limit: int, enough: int) -> list[tuple[int, int]]:
    """Spans of the first matches, analysing no further than limit or than enough hits."""
    spans: list[tuple[int, int]] = []
    if not terms:
        return spans
    while 0 < limit < len(text) and text[limit - 1].isalnum():
        limit -= 1
    for span in _scan(text, terms, 0, limit, CANDIDATE_BUDGET):
        spans.append(span)
        if len(spans) >= enough:
            break
    return spans


def snippet(text: str, terms: MatchTerms, fragments: int = MAX_FRAGMENTS, size: int = FRAGMENT_CHARS) -> MarkedText:
    """The best one to three fragments with matches marked; the opening lines when nothing matches."""
    return snippet_at(text, terms, fragments, size)[0]


def snippet_at(
    text: str, terms: MatchTerms, fragments: int = MAX_FRAGMENTS, size: int = FRAGMENT_CHARS
) -> tuple[MarkedText, int]:
    """The snippet, and where in the text its first marked hit is (to tell the page of a paged text).

    The fragments are joined by " … " (and open or close with "…" where the text goes on), every run of
    whitespace made one space."""
    if not text:
        return MarkedText(), 0
    spans = _first_hits(text, terms, min(len(text), SNIPPET_SCAN_CHARS), 30 * fragments)
    if not spans:
        return _opening(text, size * 2), 0
    windows = _windows(text, spans, size)
    best = sorted(windows, key=lambda w: (-w[2], w[0]))[:fragments]
    best.sort()
    # Plain pieces and matches, alternating: whitespace runs never cross a match (a word), so squashing each
    # plain piece squashes the whole.
    plain: list[str] = ["… " if best[0][0] > 0 else ""]
    matched: list[str] = []
    for n, (a, b, _, inside) in enumerate(best):
        if n:
            plain[-1] += " … "
        pos = a
        for s, e in inside:
            plain[-1] += text[pos:s]
            matched.append(text[s:e])
            plain.append("")
            pos = e
        plain[-1] += text[pos:b]
    if best[-1][1] < len(text):
        plain[-1] += " …"
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    at = 0
    for piece, word in zip(plain, [*matched, ""], strict=True):
        piece = squash_whitespace(piece)
        at += len(piece)
        out.append(piece)
        if word:
            marks.append((at, at + len(word)))
            at += len(word)
            out.append(word)
    first = best[0][3][0][0] if best[0][3] else best[0][0]
    return MarkedText("".join(out), tuple(marks)), first


def _windows(text: str, spans: list[tuple[int, int]], size: int) -> list[tuple[int, int, float, list]]:
    """Candidate fragments around groups of hits, scored by distinct matched words then hit count."""
    out = []
    i = 0
    n = len(spans)
    while i < n:
        start = spans[i][0]
        j = i
        while j + 1 < n and spans[j + 1][1] - start <= size:
            j += 1
        group = spans[i : j + 1]
        mid = (group[0][0] + group[-1][1]) // 2
        a = max(0, mid - size // 2)
        b = min(len(text), a + size)
        a = max(0, b - size)
        a, b = _word_bounds(text, a, b, group)
        distinct = len({text[s:e].lower() for s, e in group})
        out.append((a, b, distinct + 0.1 * len(group), [s for s in group if s[0] >= a and s[1] <= b]))
        i = j + 1
    return out


def _word_bounds(text: str, a: int, b: int, group: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen or narrow a window so that it starts and ends between words and keeps its hits."""
    a = min(a, group[0][0])
    b = max(b, group[-1][1])
    if a > 0:
        sp = text.rfind(" ", max(0, a - 30), a + 1)
        if sp != -1 and sp < group[0][0]:
            a = sp + 1
    if b < len(text):
        sp = text.find(" ", b - 1, b + 30)
        if sp != -1:
            b = sp
    return a, b


def _opening(text: str, size: int) -> MarkedText:
    head = text[: size + 40]
    if len(text) > size:
        cut = head.rfind(" ", 0, size)
        head = head[: cut if cut > size // 2 else size] + " …"
    return MarkedText(squash_whitespace(head))


def highlight_document(text: str, terms: MatchTerms) -> MarkedText:
    """The whole text with every hit marked (in its first DOCUMENT_MARK_CHARS)."""
    if not terms:
        return MarkedText(text)
    limit = min(len(text), DOCUMENT_MARK_CHARS)
    while limit < len(text) and limit > 0 and text[limit - 1].isalnum():
        limit -= 1
    return MarkedText(text, tuple(find_hits(text, terms, 0, limit)))


def squash_whitespace(text: str) -> str:
    """Every run of whitespace as one space, as ``re.sub(r"\\s+", " ", text)`` gives (a quarter of its cost)."""
    out = " ".join(text.split())
    if not out:
        return " " if text else ""
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out
