"""The one text analyzer: words found, lower-cased, English stop words dropped, Snowball-stemmed.

Pure functions of a text, with no search engine in them: the index (``search.index.analysis`` wraps them for
Whoosh), the query parser, highlighting, relevance feedback and signatures all analyse text through ``terms``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from nltk.stem.snowball import EnglishStemmer

from search.enrich import nltk_data

# Words (with inner apostrophes), dotted acronyms (U.S., U.K.), and numbers with separators.
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*"
# The pattern matched directly (NLTK's RegexpTokenizer with it wraps every match in a timeout guard that costs more
# than the match itself); the flags are RegexpTokenizer's.
TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE | re.MULTILINE | re.DOTALL)
_STEM_CACHE_MAX = 500_000
_stem_cache: dict[str, str] = {}
_APOSTROPHE = str.maketrans({"’": "'"})
_stemmer = EnglishStemmer()


@cache
def stop_words() -> frozenset[str]:
    """NLTK's English stop words."""
    nltk_data.require("stopwords")
    from nltk.corpus import stopwords

    return frozenset(stopwords.words("english"))


def snowball_stem(word: str) -> str:
    """Snowball (Porter 2) English stem; dotted acronyms are kept whole. Memoised: words repeat a lot."""
    stem = _stem_cache.get(word)
    if stem is None:
        stem = word.rstrip(".") if "." in word else _stemmer.stem(word)
        if len(_stem_cache) >= _STEM_CACHE_MAX:
            _stem_cache.clear()
        _stem_cache[word] = stem
    return stem


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Each word of a text: (start, end, the word with its apostrophes straightened, case kept)."""
    for m in TOKEN_RE.finditer(text):
        start, end = m.span()
        yield start, end, straighten(m.group(0))


def straighten(text: str) -> str:
    """Curly apostrophes made straight ("didn’t" is "didn't")."""
    return text.translate(_APOSTROPHE)


def normalise(token: str) -> str:
    """A token as the analyzer reads it before stemming: apostrophes straightened, lower-cased."""
    return token.translate(_APOSTROPHE).lower()


def term(word: str) -> str:
    """The term one normalised word gives: its stem, or "" for a stop word."""
    return "" if word in stop_words() else snowball_stem(word)


def terms(text: str) -> list[tuple[int, str]]:
    """(position, term) of every word of a text that is not a stop word: lower-cased and Snowball-stemmed.

    Positions count words; stop words are renumbered away, as Whoosh's StopFilter does: the first word kept
    keeps its position, each later one takes the next ("the cat sat" gives (1, "cat"), (2, "sat"))."""
    first, kept = _kept(text)
    return list(zip(range(first, first + len(kept)), _stems(kept), strict=True))


def exact_terms(text: str) -> list[tuple[int, str]]:
    """``terms`` without stemming: the words as written (lower-cased), for quoted search."""
    first, kept = _kept(text)
    return list(zip(range(first, first + len(kept)), kept, strict=True))


def words(text: str) -> list[str]:
    """The terms of a text in order, without their positions."""
    return _stems(_kept(text)[1])


def _kept(text: str) -> tuple[int, list[str]]:
    """The position of the first word that is not a stop word, and the normalised words from it on, stop words
    left out."""
    if "’" in text:  # one character for one: the same matches
        text = text.translate(_APOSTROPHE)
    # An ASCII text lower-cased keeps its length, so the same matches; any other is lower-cased word by word.
    found = TOKEN_RE.findall(text.lower()) if text.isascii() else [w.lower() for w in TOKEN_RE.findall(text)]
    stops = stop_words()
    for first, word in enumerate(found):
        if word not in stops:
            return first, [w for w in found[first:] if w not in stops]
    return 0, []


def _stems(kept: list[str]) -> list[str]:
    cache = _stem_cache  # snowball_stem's own memo, read without the call
    return [cache.get(w) or snowball_stem(w) for w in kept]


def __getattr__(name: str) -> object:
    """Indexes written before the Whoosh adapter moved to search.index.analysis pickled their schema's tokenizer
    under this module's name: found there, so those indexes still open (the index imports this module, never the
    other way round but for this)."""
    if name == "NltkTokenizer":
        from search.index.analysis import NltkTokenizer

        return NltkTokenizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
