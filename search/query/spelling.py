"""Spelling correction over the archive's own words: a noisy channel with the query's other words as context.

A typed word that matches nothing (or almost nothing) is replaced by the archive word that best explains it:
P(candidate) from how many articles hold it, P(typed | candidate) from the edits between them (a transposed,
doubled or dropped letter, or a key's neighbour, costs less than any other change), and P(other words |
candidate) from how often the candidate shares an article with the query's other words. Candidates within two
edits come from SymSpell (symspellpy) over the commit's vocabulary of words as written, which is read from the
unstemmed fields' lexicons once per commit, on the first query that needs it.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np

from search.enrich.analysis import snowball_stem, stop_words
from search.index.postings import IndexReader, doc_frequencies
from search.index.schema import EXACT_FIELDS
from search.query.cache import BoundedCache
from search.query.vocabulary import is_english

log = logging.getLogger(__name__)

MAX_EDITS = 2
MIN_LETTERS = 3  # shorter words are not corrected (too many neighbours)
MAX_LETTERS = 30
RARE = 10  # a word in at least this many articles (or RARE_SHARE of them, if more) is never questioned
RARE_SHARE = 0.0005
BETTER = 50  # a rare (but present) word is only questioned when a candidate is in this many times more articles
CLOSE = 1.0  # ... and within this edit cost of it (one plain edit, or two cheap ones)
MIN_COUNT = 1  # words in fewer articles stay out of the candidate vocabulary (they are often typos themselves)
CHANNEL = 5.0  # log-probability lost per unit of edit cost
ENGLISH = 3.0  # an English word the archive lacks counts as if this many articles held it
CONTEXT = 1.0  # weight of the query's other words
FORM = 0.5  # weight of how often a candidate is written as such, beside how many articles its stem matches
CONTEXT_WORDS = 3  # at most this many of the query's other words weigh a candidate
CONTEXT_MU = 20.0  # Dirichlet smoothing of P(other word | candidate)
NAME_FIELDS = ("people_words", "organizations_words", "places_words")

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _neighbours() -> dict[str, frozenset[str]]:
    """Keys next to each letter on a QWERTY keyboard (beside it, and on the rows above and below)."""
    where = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
    return {
        c: frozenset(o for o, (r2, i2) in where.items() if o != c and abs(r2 - r) <= 1 and abs(i2 - i) <= 1)
        for c, (r, i) in where.items()
    }


def edit_cost(typed: str, word: str) -> float:
    """A weighted Damerau-Levenshtein distance (optimal string alignment): what it takes to mistype word as typed.

    A doubled or dropped repeated letter costs 0.4, a transposition or a neighbouring key 0.6, any other change 1;
    a changed first letter costs 0.5 more (people seldom mistype it).
    """
    near = _neighbours()
    n, m = len(typed), len(word)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + _insert_cost(typed, i - 1)
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + _insert_cost(word, j - 1)
    for i in range(1, n + 1):
        a = typed[i - 1]
        for j in range(1, m + 1):
            b = word[j - 1]
            sub = 0.0 if a == b else 0.6 if b in near.get(a, ()) else 1.0
            best = min(
                d[i - 1][j] + _insert_cost(typed, i - 1),  # a letter typed that the word lacks
                d[i][j - 1] + _insert_cost(word, j - 1),  # a letter of the word left out
                d[i - 1][j - 1] + sub,
            )
            if i > 1 and j > 1 and a == word[j - 2] and typed[i - 2] == b and a != b:
                best = min(best, d[i - 2][j - 2] + 0.6)
            d[i][j] = best
    cost = d[n][m]
    if typed[:1] != word[:1]:
        cost += 0.5
    return cost


def _insert_cost(text: str, i: int) -> float:
    """Adding (or dropping) text[i]: cheap when it repeats a letter beside it."""
    c = text[i]
    if (i > 0 and text[i - 1] == c) or (i + 1 < len(text) and text[i + 1] == c):
        return 0.4
    return 1.0


# ---- the archive's vocabulary -----------------------------------------------------------------


class Vocabulary:
    """The words of one commit as written, with the articles holding each, and SymSpell over them (lazily)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self._symspell = None
        self._lock = threading.Lock()

    @classmethod
    def from_reader(cls, reader: IndexReader) -> Vocabulary:
        """Read the unstemmed title and body lexicons (their document frequencies); empty for an older index."""
        counts: dict[str, int] = {}
        for field in EXACT_FIELDS.values():
            for word, df in doc_frequencies(reader, field).items():
                if word.isalpha() and df > counts.get(word, 0):
                    counts[word] = df
        return cls(counts)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def candidates(self, word: str, max_edits: int = MAX_EDITS) -> list[str]:
        """Vocabulary words within max_edits (Damerau-Levenshtein) of word."""
        from symspellpy import Verbosity

        found = self.symspell().lookup(word, Verbosity.ALL, max_edit_distance=max_edits, transfer_casing=False)
        return [s.term for s in found if s.term != word]

    def symspell(self):  # symspellpy's SymSpell
        with self._lock:
            if self._symspell is None:
                from symspellpy import SymSpell

                sym = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7, count_threshold=MIN_COUNT)
                for word, count in self.counts.items():
                    if count >= MIN_COUNT and MIN_LETTERS - 1 <= len(word) <= MAX_LETTERS:
                        sym.create_dictionary_entry(word, count)
                self._symspell = sym
            return self._symspell


# ---- correcting a query -----------------------------------------------------------------------


@dataclass(frozen=True)
class WordFix:
    typed: str
    better: str | None  # None: nothing in the archive explains the word better than itself
    found: int  # articles matching the word as typed (its stem; 0: it matches nothing)
    sure: bool = False  # search for `better` instead (the archive never holds the word as typed)


class Speller:
    """Corrects the words of queries against one commit (its vocabulary and its postings)."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        df: Callable[[str], int],
        docs: Callable[[str], np.ndarray],
        size: int,
    ) -> None:
        """df(word): articles matching the typed word; docs(word): sorted docnums holding it; size: articles."""
        self.vocabulary = vocabulary
        self.df = df
        self.docs = docs
        self.size = max(1, size)
        self._memo: BoundedCache[tuple[str, tuple[str, ...]], WordFix] = BoundedCache("spelling fixes", 50_000)

    def fix(self, word: str, context: Iterable[str] = ()) -> WordFix:
        """What to do with one typed word, given the query's other words (memoised per commit)."""
        lower = word.lower()
        ctx = tuple(c.lower() for c in context if c.lower() != lower)[:CONTEXT_WORDS]
        key = (lower, ctx)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        found = self.df(lower)
        seen = self.vocabulary.counts.get(lower, 0)
        better = None
        if seen < max(RARE, RARE_SHARE * self.size) and _correctable(lower):
            better = self._best(lower, found, seen, ctx)
        out = WordFix(word, better, found, sure=better is not None and seen == 0)
        self._memo.put(key, out)
        return out

    def _best(self, word: str, found: int, seen: int, context: tuple[str, ...]) -> str | None:
        """The candidate that best explains the typed word, if it explains it better than the word itself."""
        stops = stop_words()
        english = not seen and is_english(word)
        stem = stem_of(word)
        cands = [
            c
            for c in self.vocabulary.candidates(word)
            if c != word and c not in stops and not (english and stem_of(c) == stem)  # fleets: not fleet
        ]
        if not cands:
            return None
        others = [d for d in (self.docs(o) for o in context if o not in stops) if len(d)]
        # The word as typed is a candidate too: a word the archive holds rarely, or an English word it lacks
        # (named, not replaced, unless a likely typo of a much commoner word explains it better).
        own: float | None = None
        if seen or english:
            mine = self.docs(word) if found else np.empty(0, dtype=np.int64)
            own = math.log((seen or max(found, ENGLISH)) + 1) + self._context(mine, others)
        best: tuple[float, str] | None = None
        for cand in cands:
            df = self.df(cand)
            # A word that other words of its stem make match (never written so) needs a commoner candidate;
            # a word written in a few articles needs a much commoner one.
            if found and df < (BETTER * found if seen else found):
                continue
            cost = edit_cost(word, cand)
            if found and cost > CLOSE:
                continue
            # P(candidate): articles matching its stem, shared among the stem's forms by how often each is written
            prior = math.log(df + 1) + FORM * (math.log(self.vocabulary.counts.get(cand, 0) + 1) - math.log(df + 1))
            score = prior - CHANNEL * cost + self._context(self.docs(cand), others)
            if best is None or (score, cand) > best:
                best = (score, cand)
        if best is None or (own is not None and best[0] <= own):
            return None
        return best[1]

    def _context(self, mine: np.ndarray, others: list[np.ndarray]) -> float:
        """log P(the query's other words | a word), each smoothed towards its share of all articles."""
        n = len(mine)
        score = 0.0
        for theirs in others:
            both = np.intersect1d(mine, theirs, assume_unique=True).size if n else 0
            score += math.log((both + CONTEXT_MU * len(theirs) / self.size) / (n + CONTEXT_MU))
        return CONTEXT * score


def _nearest(words: list[str], word: str) -> list[str]:
    """The other words, nearest to word first (the words beside a typo say most about what was meant)."""
    at = words.index(word)
    return [w for _, w in sorted((abs(i - at), w) for i, w in enumerate(words) if i != at)]


def _correctable(word: str) -> bool:
    return word.isalpha() and MIN_LETTERS <= len(word) <= MAX_LETTERS and word not in stop_words()


_QUOTED = re.compile(r'"[^"]*"(~\d+)?')
_FIELDED = re.compile(r"\w+:(\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|\S*)")
_WORD = re.compile(r"(?<![\w:*?~^-])[^\W\d_][\w'’]*(?![\w:*?~])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def plain_words(text: str) -> list[str]:
    """The words a query searches as written by the user outside quotes, field searches and wildcards."""
    rest = _FIELDED.sub(" ", _QUOTED.sub(" ", text))
    return [m.group(0) for m in _WORD.finditer(rest) if m.group(0) not in _OPERATORS]


def quoted_words(text: str) -> list[str]:
    """The words inside quotation marks (outside field searches)."""
    rest = _FIELDED.sub(" ", text)
    return [w for m in _QUOTED.finditer(rest) for w in re.findall(r"[^\W\d_][\w'’]*", m.group(0))]


def replace_words(text: str, fixes: dict[str, str]) -> str:
    """The query with each typed word (outside quotes and field searches) replaced by its correction."""
    if not fixes:
        return text
    protected = [(m.start(), m.end()) for pat in (_QUOTED, _FIELDED) for m in pat.finditer(text)]

    def repl(m: re.Match[str]) -> str:
        typed = m.group(0)
        if any(a <= m.start() < b for a, b in protected) or typed not in fixes:
            return typed
        return _same_case(typed, fixes[typed])

    return _WORD.sub(repl, text)


def _same_case(typed: str, word: str) -> str:
    """The replacement written as the typed word was: VOLKER -> VOLCKER, Volker -> Volcker, volker -> volcker."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def stem_of(word: str) -> str:
    """The stemmed term a typed word searches (lowercased)."""
    return snowball_stem(word.lower())


@dataclass(frozen=True)
class Checked:
    """A query's words checked: corrections to search for, a fuller suggestion, and words that match nothing."""

    corrected: str  # the query with the words that matched nothing replaced (the text itself when none were)
    fixed: tuple[tuple[str, str], ...]  # (as typed, replacement) for the words that matched nothing
    suggestion: str | None  # the query with rare words replaced too, when that differs from `corrected`
    unmatched: tuple[str, ...]  # typed words that match nothing and that nothing in the archive explains


def check(speller: Speller, text: str, exact_df: Callable[[str], int] | None = None) -> Checked:
    """Check the words of a (cleaned) query text; exact_df(word) counts articles with a quoted word as written."""
    stops = stop_words()
    typed = plain_words(text)
    shouting = not any(w != w.upper() for w in typed)  # a query all in capitals: its capitals say nothing
    content = [w for w in dict.fromkeys(typed) if w.lower() not in stops]
    applied: dict[str, str] = {}
    suggested: dict[str, str] = {}
    unmatched: list[str] = []
    for word in content:
        if not shouting and len(word) > 1 and word.isupper():  # an acronym (RLIN, SEQUEL): never a typo
            if not speller.df(word.lower()):
                unmatched.append(word)
            continue
        fix = speller.fix(word, _nearest(content, word))
        if fix.better and fix.better != word.lower():
            suggested[word] = _same_case(word, fix.better)
            if fix.sure:
                applied[word] = suggested[word]
        elif not fix.found and _correctable(word.lower()):
            unmatched.append(word)
    if exact_df is not None:
        for word in dict.fromkeys(quoted_words(text)):
            if word.lower() not in stops and not exact_df(word.lower()):
                unmatched.append(word)
    corrected = replace_words(text, applied)
    fuller = replace_words(text, suggested)
    return Checked(
        corrected=corrected,
        fixed=tuple(applied.items()),
        suggestion=fuller if fuller != corrected else None,
        unmatched=tuple(unmatched),
    )
