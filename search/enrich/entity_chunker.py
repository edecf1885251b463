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
        if n != 3:
            raise RuntimeError(f"expected the binary chunker's 3 labels, found {self.labels}")
        self._bias = tuple(bias)
        self._wordlist = frozenset(words.words("en-basic"))
        self._shape_cache: dict[str, str] = {}
        self._word_cache: dict[tuple[str, str], tuple[float, float, float]] = {}
        self._nltk = nltk_chunker  # kept for the equivalence test

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
        if len(self._word_cache) > 300_000:
            self._word_cache.clear()
        self._word_cache[(word, pos)] = (s0, s1, s2)
        return s0, s1, s2

    def iob(self, tagged: Sequence[tuple[str, str]], windows: Sequence[tuple[int, int]] | None = None) -> list[str]:
        """IOB labels (``B-NE``, ``I-NE``, ``O``) for one POS-tagged sentence.

        With ``windows``, only tokens inside them are classified and the rest are ``O`` (the chunker
        practically never starts a chunk on a lowercase word two or more tokens away from a capital)."""
        table = self._table
        labels = self.labels
        n = len(tagged)
        words = [w for w, _ in tagged]
        lower = [w.lower() for w in words]
        spos = [_simplify_pos(t) if t else "" for _, t in tagged]
        npos = [t.lower() if t else "" for _, t in tagged]
        history: list[str] = ["O"] * n
        inside = [True] * n
        if windows is not None:
            inside = [False] * n
            for a, b in windows:
                for k in range(max(a, 0), min(b, n)):
                    inside[k] = True
        for i in range(n):
            if not inside[i]:
                continue
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
            wkey = (word, pos)
            static = self._word_cache.get(wkey)
            if static is None:
                static = self._word_scores(word, lower[i], pos)
            s0, s1, s2 = static
            for key in (
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


class FastTagger:
    """NLTK's averaged perceptron POS tagger with its weights in one matrix: the same features and argmax
    (ties to the alphabetically last tag, as NLTK does), scored by one numpy sum per word."""

    def __init__(self) -> None:
        nltk_data.require("averaged_perceptron_tagger_eng")
        import numpy as np
        from nltk.tag import PerceptronTagger

        self._np = np
        self._nltk = PerceptronTagger()
        model = self._nltk.model
        # Descending tag order, so that argmax (first maximum) breaks ties like NLTK's max((score, tag)).
        self.classes = sorted(model.classes, reverse=True)
        col = {c: i for i, c in enumerate(self.classes)}
        self._feature_row: dict[str, int] = {}
        rows = []
        for feat, weights in model.weights.items():
            row = np.zeros(len(self.classes))
            for label, w in weights.items():
                row[col[label]] = w
            self._feature_row[feat] = len(rows)
            rows.append(row)
        self._matrix = np.vstack(rows) if rows else np.zeros((0, len(self.classes)))
        self._tagdict = self._nltk.tagdict
        self._normalize = self._nltk.normalize

    def tag(self, tokens: list[str], windows: Sequence[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
        """(word, Penn tag) pairs, as ``PerceptronTagger.tag`` gives them.

        With ``windows``, only tokens inside them are tagged (the others get ""), each window starting
        from the dictionary tag of the word before it."""
        rows = self._feature_row
        matrix = self._matrix
        classes = self.classes
        context = ["-START-", "-START2-", *(self._normalize(w) for w in tokens), "-END-", "-END2-"]
        prev, prev2 = "-START-", "-START2-"
        out = []
        inside = None
        if windows is not None:
            inside = [False] * len(tokens)
            for a, b in windows:
                for k in range(max(a, 0), min(b, len(tokens))):
                    inside[k] = True
        for i, word in enumerate(tokens):
            if inside is not None and not inside[i]:
                out.append((word, ""))
                prev2, prev = prev, self._tagdict.get(word) or "NN"
                continue
            tag = self._tagdict.get(word)
            if not tag:
                j = i + 2
                cw = context[j]
                feats = (
                    "bias",
                    "i suffix " + word[-3:],
                    "i pref1 " + (word[0] if word else ""),
                    "i-1 tag " + prev,
                    "i-2 tag " + prev2,
                    f"i tag+i-2 tag {prev} {prev2}",
                    "i word " + cw,
                    f"i-1 tag+i word {prev} {cw}",
                    "i-1 word " + context[j - 1],
                    "i-1 suffix " + context[j - 1][-3:],
                    "i-2 word " + context[j - 2],
                    "i+1 word " + context[j + 1],
                    "i+1 suffix " + context[j + 1][-3:],
                    "i+2 word " + context[j + 2],
                )
                idx = [r for r in (rows.get(f) for f in feats) if r is not None]
                tag = classes[int(matrix[idx].sum(axis=0).argmax())] if idx else classes[0]
            out.append((word, tag))
            prev2, prev = prev, tag
        return out


@cache
def _models() -> tuple[FastTagger, FastNEChunker]:
    return FastTagger(), FastNEChunker()


def models() -> tuple[FastTagger, FastNEChunker]:
    """The process-wide tagger and chunker (loaded on first use, a few seconds)."""
    with _LOCK:
        return _models()


def tag(tokens: Sequence[str], windows: Sequence[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
    """POS-tag one tokenised sentence with NLTK's averaged perceptron tagger (optionally only windows)."""
    tagger, _ = models()
    return tagger.tag(list(tokens), windows)


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
