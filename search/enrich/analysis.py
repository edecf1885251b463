"""The one text analyzer, used by the index schema and by the query parser alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from nltk.stem.snowball import EnglishStemmer
from nltk.tokenize import RegexpTokenizer
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

from search.enrich import nltk_data

# Words (with inner apostrophes), dotted acronyms (U.S., U.K.), and numbers with separators.
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*"
_word_tokenizer = RegexpTokenizer(TOKEN_PATTERN)
# The same pattern and flags as _word_tokenizer, matched directly: NLTK's span_tokenize wraps every match in a
# timeout guard that costs more than the match itself (a third of all indexing time in the profile).
_TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE | re.MULTILINE | re.DOTALL)
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


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer backed by NLTK's RegexpTokenizer, with positions and character spans."""

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
            spans: Iterator[tuple[int, int]] = iter([(0, len(value))])
        else:
            spans = (m.span() for m in _TOKEN_RE.finditer(value))
        for pos, (start, end) in enumerate(spans):
            t.text = value[start:end].translate(_APOSTROPHE)
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
    """Tokenise with NLTK, lowercase, drop English stop words, Snowball-stem."""
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


def words(text: str) -> list[str]:
    """The analysed terms of a text, in order (for signatures and tests)."""
    return [t.text for t in _shared_analyzer()(text)]


@cache
def _shared_analyzer() -> Analyzer:
    return news_analyzer()


# (term bytes, frequency, weight, encoded positions) per unique term, as Whoosh's FieldType.index() yields them.
Posting = tuple[bytes, int, float, bytes]


def positions_postings(
    analyzer: Analyzer, value: str, encode: Callable[[list[int]], bytes], field_boost: float = 1.0
) -> list[Posting] | None:
    """What a TEXT field with ``analyzer`` and a Positions format (``encode``: its position-list encoder) indexes
    for ``value``, in one loop.

    Whoosh's path (a generator per filter, a Token object per word, a defaultdict per field) is a tenth of the
    indexer's CPU; this gives the same terms, frequencies, weights and encoded positions for the analyzer that
    ``news_analyzer`` and ``exact_analyzer`` build (stop words renumbered away, as Whoosh's StopFilter does) and
    for a plain
    regex-tokenizer, lowercase and charset-folding chain (the schema's names analyzer). Returns None for any
    other analyzer, so the caller falls back to Whoosh's own path."""
    parts = _news_parts(analyzer)
    if parts is not None:
        poses = _news_positions(value, *parts)
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


def _news_positions(value: str, stops: frozenset[str], stem: Callable[[str], str]) -> dict[str, list[int]]:
    cache = _stem_cache if stem is snowball_stem else {}  # snowball_stem's own memo, read without the call
    text = value.translate(_APOSTROPHE) if "’" in value else value  # one char for one: same matches
    if text.isascii():  # lowercasing keeps the length, so the same matches; otherwise word by word
        text = text.lower()
    poses: dict[str, list[int]] = {}
    pos = -1
    for i, word in enumerate(_TOKEN_RE.findall(text)):
        word = word.lower()
        if word in stops:
            continue
        # StopFilter's renumbering: the first word kept keeps its position, each later one takes the next.
        pos = i if pos < 0 else pos + 1
        term = cache.get(word)
        if term is None:
            term = stem(word)
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


def _news_parts(analyzer: Analyzer) -> tuple[frozenset[str], Callable[[str], str]] | None:
    """The stop list and stem function of an analyzer shaped as news_analyzer (or exact_analyzer, whose "stem" is
    the word itself) builds it, else None."""
    items = getattr(analyzer, "items", None)
    kinds = [type(x) for x in items or ()]
    if kinds not in (
        [NltkTokenizer, LowercaseFilter, StopFilter, StemFilter],
        [NltkTokenizer, LowercaseFilter, StopFilter],
    ):
        return None
    stop = items[2]
    if not (stop.renumber and stop.min <= 1 and stop.max is None):
        return None
    if len(items) == 3:
        return stop.stops, _as_written
    stemmer = items[3]
    if stemmer.ignore or stemmer.lang:
        return None
    return stop.stops, stemmer._stem


def _as_written(word: str) -> str:
    return word
