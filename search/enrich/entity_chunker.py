"""NLTK's POS tagger and binary named-entity chunker, loaded once per process and run fast.

``nltk.ne_chunk(..., binary=True)`` reloads its 4 MB model on every call; here the tagger and the
chunker's maxent weights are loaded once.  The chunker's decision function is re-implemented over a
precomputed ``(feature, value) -> per-label weight`` table: the same features, the same weights and
the same argmax as NLTK's ``NEChunkParserTagger``, so its output is identical (the tests check it),
at several times the speed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache

from search.enrich import nltk_data

_LOCK = threading.Lock()

_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|[0-9]*\.[0-9]+$")
_PUNCT = re.compile(r"\W+$")
_WORD = re.compile(r"\w+$")


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


class FastNEChunker:
    """The binary ACE chunker of NLTK with a table-driven classifier (same output as NLTK's)."""

    def __init__(self) -> None:
        nltk_data.require("maxent_ne_chunker_tab")
        nltk_data.require("words")
        from nltk.chunk.named_entity import Maxent_NE_Chunker
        from nltk.corpus import words

        nltk_chunker = Maxent_NE_Chunker("binary")
        classifier = nltk_chunker._tagger._classifier
        encoding = classifier._encoding
        weights = classifier._weights
        self.labels: tuple[str, ...] = tuple(encoding._labels)
        index = {label: i for i, label in enumerate(self.labels)}
        n = len(self.labels)
        table: dict[tuple[str, object], list[float]] = {}
        for (fname, fval, label), fid in encoding._mapping.items():
            row = table.get((fname, fval))
            if row is None:
                row = table[(fname, fval)] = [0.0] * n
            row[index[label]] += float(weights[fid])
        self._table = {key: tuple(row) for key, row in table.items()}
        bias = [0.0] * n
        for label, fid in (encoding._alwayson or {}).items():
            bias[index[label]] += float(weights[fid])
        self._bias = tuple(bias)
        self._wordlist = frozenset(words.words("en-basic"))
        self._shape_cache: dict[str, str] = {}
        self._nltk = nltk_chunker  # kept for the equivalence test

    def shape(self, word: str) -> str:
        s = self._shape_cache.get(word)
        if s is None:
            s = _shape(word)
            if len(self._shape_cache) < 200_000:
                self._shape_cache[word] = s
        return s

    def iob(self, tagged: Sequence[tuple[str, str]]) -> list[str]:
        """IOB labels (``B-NE``, ``I-NE``, ``O``) for one POS-tagged sentence."""
        table = self._table
        labels = self.labels
        n = len(tagged)
        words = [w for w, _ in tagged]
        lower = [w.lower() for w in words]
        spos = [_simplify_pos(t) for _, t in tagged]
        npos = [t.lower() for _, t in tagged]
        history: list[str] = []
        for i in range(n):
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
            nextword = lower[i + 1] if i + 1 < n else None
            nextpos = npos[i + 1] if i + 1 < n else None
            scores = list(self._bias)
            for key in (
                ("bias", True),
                ("shape", self.shape(word)),
                ("wordlen", len(word)),
                ("prefix3", word[:3].lower()),
                ("suffix3", word[-3:].lower()),
                ("pos", pos),
                ("word", word),
                ("en-wordlist", word in self._wordlist),
                ("prevtag", prevtag),
                ("prevpos", prevpos),
                ("nextpos", nextpos),
                ("prevword", prevword),
                ("nextword", nextword),
                ("word+nextpos", f"{lower[i]}+{nextpos}"),
                ("pos+prevtag", f"{pos}+{prevtag}"),
                ("shape+prevtag", f"{prevshape}+{prevtag}"),
            ):
                row = table.get(key)
                if row is not None:
                    for j, w in enumerate(row):
                        scores[j] += w
            best = 0
            for j in range(1, len(scores)):
                if scores[j] > scores[best]:
                    best = j
            history.append(labels[best])
        return history

    def spans(self, tagged: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
        """Token ranges ``[start, end)`` of the NE chunks, grouped as NLTK's tree would group them."""
        out: list[tuple[int, int]] = []
        start = -1
        for i, label in enumerate(self.iob(tagged)):
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


@cache
def _models() -> tuple[object, FastNEChunker]:
    nltk_data.require("averaged_perceptron_tagger_eng")
    from nltk.tag import PerceptronTagger

    return PerceptronTagger(), FastNEChunker()


def models() -> tuple[object, FastNEChunker]:
    """The process-wide tagger and chunker (loaded on first use, a few seconds)."""
    with _LOCK:
        return _models()


def tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """POS-tag one tokenised sentence with NLTK's averaged perceptron tagger."""
    tagger, _ = models()
    return tagger.tag(list(tokens))  # type: ignore[attr-defined]


def ne_spans(tagged: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Binary NE chunk spans of one POS-tagged sentence."""
    return models()[1].spans(tagged)
