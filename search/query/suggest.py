"""Did-you-mean: replace words that look misspelt with close, much more frequent index words."""

from __future__ import annotations

import logging
import re
import string

from rapidfuzz.distance import Levenshtein

from search.enrich.analysis import snowball_stem, stop_words
from search.index.postings import IndexReader, near_terms
from search.query.vocabulary import with_prefix

log = logging.getLogger(__name__)

NAME_FIELDS = ("people_words", "organizations_words", "places_words")
MAX_WORD = 30  # longer "words" are not typos of anything
RARE = 2  # a word found in fewer documents than this may be misspelt
BETTER = 10  # ... when a close word is found in at least this many times more documents
_LETTERS = string.ascii_lowercase


def _df(reader: IndexReader, stem: str) -> int:
    return reader.doc_frequency("body", stem) + reader.doc_frequency("title", stem)


def _name_df(reader: IndexReader, word: str) -> int:
    return max((reader.doc_frequency(f, word) for f in NAME_FIELDS if f in reader.schema), default=0)


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


def _surface(stem: str, typed: str) -> str:
    """A readable word for an indexed stem: an English word that stems to it, closest to what was typed."""
    found = [w for w in with_prefix(stem, 200) if snowball_stem(w) == stem]
    if not found:
        return stem
    return min(found, key=lambda w: (Levenshtein.distance(w, typed), len(w)))


def correct(reader: IndexReader, word: str) -> str | None:
    """A better word for one typed word, or None when it looks fine."""
    lower = word.lower()
    if lower in stop_words() or not 3 <= len(lower) <= MAX_WORD or not lower.isalpha():
        return None
    own = max(_df(reader, snowball_stem(lower)), _name_df(reader, lower))
    if own >= RARE:
        return None
    need = max(1, own * BETTER)
    best: tuple[int, int, str] | None = None  # (distance, -df, word)
    for cand in _edits1(lower):
        df = max(_df(reader, snowball_stem(cand)), _name_df(reader, cand))
        if df >= need and (best is None or (1, -df, cand) < best):
            best = (1, -df, cand)
    if best is not None:
        return best[2]
    for field in ("body", *NAME_FIELDS):
        if field not in reader.schema:
            continue
        typed = snowball_stem(lower) if field == "body" else lower
        try:
            cands = near_terms(reader, field, typed, limit=5, maxdist=2, prefix=1)
        except Exception:
            continue
        for cand in cands:
            df = _df(reader, cand) if field == "body" else _name_df(reader, cand)
            if df >= need:
                key = (Levenshtein.distance(cand, typed), -df, cand if field != "body" else _surface(cand, lower))
                if best is None or key < best:
                    best = key
    return best[2] if best else None


def suggest(reader: IndexReader, text: str, words: list[str]) -> str | None:
    """The query with misspelt words replaced, or None when nothing needs changing."""
    out = text
    changed = False
    for word in dict.fromkeys(words):
        better = correct(reader, word)
        if better and better != word.lower():
            out = re.sub(rf"(?<![\w:]){re.escape(word)}(?!\w)", better, out)
            changed = True
    return out if changed else None
