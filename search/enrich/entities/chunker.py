"""NLTK's binary named-entity chunker (and the POS tagger it needs), loaded once per process and run fast.

``nltk.ne_chunk(..., binary=True)`` reloads its 4 MB model on every call; here the tagger and the
chunker's maxent weights are loaded once.  The chunker's decision function is re-implemented over a
precomputed ``(feature, value) -> per-label weight`` table: the same features, the same weights and
the same argmax as NLTK's ``NEChunkParserTagger``, so its output is identical (the tests check it),
at several times the speed.

Building those tables from NLTK's files takes seconds of CPU (JSON and tab parsing, 200,000 features); they
are built once and kept on disk (``model_cache``), so a process loads them in a fraction of a second.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from search.enrich import model_cache, nltk_data
from search.enrich.entities.tagger import FastTagger

_LOCK = threading.Lock()

_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|[0-9]*\.[0-9]+$")
_PUNCT = re.compile(r"\W+$")
_WORD = re.compile(r"\w+$")
_CACHE_MAX = 300_000  # entries in each per-word memo before it is emptied (memory stays bounded)
_TABLES_VERSION = 2  # bump when the derived tables change shape


def _shape(word: str) -> str:
    """NLTK's ``named_entity.shape``: number, punct, upcase, downcase, mixedcase or other."""
    if _NUMBER.match(word):
        return "number"
    if _PUNCT.match(word):
        return "punct"
    if _WORD.match(word):
        if word.istitle():
            return "upcase"
        if word.islower():
            return "downcase"
        return "mixedcase"
    return "other"


def _simplify_pos(tag: str) -> str:
    return "V" if tag.startswith("V") else tag.split("-")[0]


def _chunker_tables() -> dict[str, object]:
    """The binary chunker's maxent weights as per-feature tables: feature name -> value -> per-label sums."""
    from nltk.chunk.named_entity import Maxent_NE_Chunker
    from nltk.corpus import words

    classifier = Maxent_NE_Chunker("binary")._tagger._classifier
    encoding = classifier._encoding
    weights = classifier._weights
    labels = tuple(encoding._labels)
    if len(labels) != 3:
        raise RuntimeError(f"expected the binary chunker's 3 labels, found {labels}")
    index = {label: i for i, label in enumerate(labels)}
    table: dict[tuple[str, object], list[float]] = {}
    for (fname, fval, label), fid in encoding._mapping.items():
        row = table.get((fname, fval))
        if row is None:
            row = table[(fname, fval)] = [0.0, 0.0, 0.0]
        row[index[label]] += float(weights[fid])
    bias = [0.0, 0.0, 0.0]
    for label, fid in (encoding._alwayson or {}).items():
        bias[index[label]] += float(weights[fid])
    return {
        "labels": labels,
        "table": {key: tuple(row) for key, row in table.items()},
        "bias": tuple(bias),
        "wordlist": frozenset(words.words("en-basic")),
    }


class FastNEChunker:
    """The binary ACE chunker of NLTK with a table-driven classifier (same output as NLTK's)."""

    def __init__(self) -> None:
        nltk_data.require("maxent_ne_chunker_tab")
        nltk_data.require("words")
        sources = [
            model_cache.nltk_path("chunkers/maxent_ne_chunker_tab/english_ace_binary/"),
            model_cache.nltk_path("corpora/words/en-basic"),
        ]
        t = model_cache.load("ne-chunker-binary", _TABLES_VERSION, sources, _chunker_tables)
        self.labels: tuple[str, ...] = t["labels"]
        self._table: dict[tuple[str, object], tuple[float, float, float]] = t["table"]
        self._bias: tuple[float, float, float] = t["bias"]
        self._wordlist: frozenset[str] = t["wordlist"]
        by_name: dict[str, dict[object, tuple[float, float, float]]] = {}
        for (fname, fval), row in self._table.items():
            by_name.setdefault(fname, {})[fval] = row
        self._by_name = by_name
        self._shape_cache: dict[str, str] = {}
        self._word_cache: dict[tuple[str, str], tuple[float, float, float]] = {}

    @property
    def _nltk(self):  # NLTK's own chunker, for the equivalence test only (a few seconds to load)
        from nltk.chunk.named_entity import Maxent_NE_Chunker

        return Maxent_NE_Chunker("binary")

    def shape(self, word: str) -> str:
        s = self._shape_cache.get(word)
        if s is None:
            s = _shape(word)
            if len(self._shape_cache) < 200_000:
                self._shape_cache[word] = s
        return s

    def _word_scores(self, word: str, low: str, pos: str) -> tuple[float, float, float]:
        """Bias plus the features of the word alone (cached: most words recur)."""
        s0, s1, s2 = self._bias
        for key in (
            ("bias", True),
            ("shape", self.shape(word)),
            ("wordlen", len(word)),
            ("prefix3", low[:3]),
            ("suffix3", low[-3:]),
            ("pos", pos),
            ("word", word),
            ("en-wordlist", word in self._wordlist),
        ):
            row = self._table.get(key)
            if row is not None:
                s0 += row[0]
                s1 += row[1]
                s2 += row[2]
        if len(self._word_cache) > _CACHE_MAX:
            self._word_cache.clear()
        self._word_cache[(word, pos)] = (s0, s1, s2)
        return s0, s1, s2

    def iob(self, tagged: Sequence[tuple[str, str]], windows: Sequence[tuple[int, int]] | None = None) -> list[str]:
        """IOB labels (``B-NE``, ``I-NE``, ``O``) for one POS-tagged sentence.

        With ``windows``, only tokens inside them are classified and the rest are ``O`` (the chunker
        practically never starts a chunk on a lowercase word two or more tokens away from a capital)."""
        labels = self.labels
        n = len(tagged)
        history: list[str] = ["O"] * n
        if windows is None:
            todo: Sequence[int] = range(n)
        else:
            marks = bytearray(n)
            for a, b in windows:
                marks[max(a, 0) : max(min(b, n), 0)] = b"\x01" * (max(min(b, n), 0) - max(a, 0))
            todo = [i for i in range(n) if marks[i]]
            if not todo:
                return history
        words = [w for w, _ in tagged]
        lower = [w.lower() for w in words]
        spos = [_simplify_pos(t) if t else "" for _, t in tagged]
        by_name = self._by_name
        t_prevpos = by_name.get("prevpos", {})
        t_nextpos = by_name.get("nextpos", {})
        t_prevword = by_name.get("prevword", {})
        t_nextword = by_name.get("nextword", {})
        t_wordnext = by_name.get("word+nextpos", {})
        t_prevtag = by_name.get("prevtag", {})
        t_posprev = by_name.get("pos+prevtag", {})
        t_shapeprev = by_name.get("shape+prevtag", {})
        word_cache = self._word_cache
        for i in todo:
            word = words[i]
            pos = spos[i]
            if i == 0:
                prevword = prevpos = prevshape = prevtag = None
            elif i == 1:
                prevword, prevpos = lower[0], spos[0]
                prevtag = history[0][0]  # NLTK's quirk: only the first letter at index 1
                prevshape = None
            else:
                prevword, prevpos = lower[i - 1], spos[i - 1]
                prevtag = history[i - 1]
                prevshape = self.shape(prevword)
            if i + 1 < n:
                nextword = lower[i + 1]
                t = tagged[i + 1][1]
                nextpos = t.lower() if t else ""
            else:
                nextword = nextpos = None
            static = word_cache.get((word, pos))
            if static is None:
                static = self._word_scores(word, lower[i], pos)
            s0, s1, s2 = static
            # Summed in NLTK's feature order (as the tests and the entity benchmark were checked with).
            for row in (
                t_prevtag.get(prevtag),
                t_prevpos.get(prevpos),
                t_nextpos.get(nextpos),
                t_prevword.get(prevword),
                t_nextword.get(nextword),
                t_wordnext.get(f"{lower[i]}+{nextpos}"),
                t_posprev.get(f"{pos}+{prevtag}"),
                t_shapeprev.get(f"{prevshape}+{prevtag}"),
            ):
                if row is not None:
                    s0 += row[0]
                    s1 += row[1]
                    s2 += row[2]
            best = 0
            if s1 > s0:
                best = 1
            if s2 > (s1 if best else s0):
                best = 2
            history[i] = labels[best]
        return history

    def spans(
        self, tagged: Sequence[tuple[str, str]], windows: Sequence[tuple[int, int]] | None = None
    ) -> list[tuple[int, int]]:
        """Token ranges ``[start, end)`` of the NE chunks, grouped as NLTK's tree would group them."""
        out: list[tuple[int, int]] = []
        start = -1
        for i, label in enumerate(self.iob(tagged, windows)):
            if label == "O":
                if start >= 0:
                    out.append((start, i))
                    start = -1
            elif label.startswith("B-") or start < 0:
                if start >= 0:
                    out.append((start, i))
                start = i
        if start >= 0:
            out.append((start, len(tagged)))
        return out


_MODELS: tuple[FastTagger, FastNEChunker] | None = None


def models() -> tuple[FastTagger, FastNEChunker]:
    """The process-wide tagger and chunker (loaded on first use: read from the table cache, or built in seconds)."""
    global _MODELS
    loaded = _MODELS
    if loaded is None:  # the lock only while loading: every later call (two per sentence) is a global read
        with _LOCK:
            if _MODELS is None:
                _MODELS = (FastTagger(), FastNEChunker())
            loaded = _MODELS
    return loaded


def tag(tokens: Sequence[str], windows: Sequence[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
    """POS-tag one tokenised sentence with NLTK's averaged perceptron tagger (optionally only windows)."""
    return models()[0].tag(tokens if isinstance(tokens, list) else list(tokens), windows)


def ne_spans(
    tagged: Sequence[tuple[str, str]], windows: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Binary NE chunk spans of one POS-tagged sentence (optionally only inside windows)."""
    return models()[1].spans(tagged, windows)


def capital_windows(words: Sequence[str], margin: int) -> list[tuple[int, int]]:
    """Merged ranges of ``margin`` tokens around each capitalised token (where entities can be)."""
    out: list[tuple[int, int]] = []
    n = len(words)
    for i, w in enumerate(words):
        if w[:1].isupper():
            a, b = max(0, i - margin), min(n, i + margin + 1)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
    return out
