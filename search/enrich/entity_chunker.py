"""NLTK's POS tagger and binary named-entity chunker, loaded once per process and run fast.

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

import numpy as np

from search.enrich import model_cache, nltk_data

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


_START = ("-START-", "-START2-")
_END = ("-END-", "-END2-")
_PREV_WORD = "i-1 tag+i word "


def _tagger_tables() -> dict[str, object]:
    """NLTK's perceptron weights as one matrix (a zero row last), and the rows of the features that depend on
    the previous tags, found by their parts instead of by formatted strings."""
    from nltk.tag import PerceptronTagger

    model = PerceptronTagger()
    # Descending tag order, so that argmax (first maximum) breaks ties like NLTK's max((score, tag)).
    classes = tuple(sorted(model.model.classes, reverse=True))
    col = {c: i for i, c in enumerate(classes)}
    rows: dict[str, int] = {}
    matrix = np.zeros((len(model.model.weights) + 1, len(classes)))
    for feat, weights in model.model.weights.items():
        r = rows[feat] = len(rows)
        for label, w in weights.items():
            matrix[r, col[label]] = w
    prev_word: dict[tuple[str, str], int] = {}  # (previous tag, word) -> row of "i-1 tag+i word"
    prev_tag: dict[str, int] = {}  # previous tag -> row of "i-1 tag"
    prev2_tag: dict[str, int] = {}  # tag two back -> row of "i-2 tag"
    tag_pair: dict[tuple[str, str], int] = {}  # (previous tag, tag two back) -> row of "i tag+i-2 tag"
    for feat, r in rows.items():
        if feat.startswith(_PREV_WORD):
            prev, _, word = feat[len(_PREV_WORD) :].partition(" ")
            prev_word[(prev, word)] = r
        elif feat.startswith("i-1 tag "):
            prev_tag[feat[8:]] = r
        elif feat.startswith("i-2 tag "):
            prev2_tag[feat[8:]] = r
        elif feat.startswith("i tag+i-2 tag "):
            prev, _, prev2 = feat[14:].partition(" ")
            tag_pair[(prev, prev2)] = r
    return {
        "classes": classes,
        "rows": rows,
        "matrix": matrix,
        "prev_word": prev_word,
        "prev_tag": prev_tag,
        "prev2_tag": prev2_tag,
        "tag_pair": tag_pair,
        "tagdict": dict(model.tagdict),
    }


def _normalize(word: str) -> str:
    """NLTK's ``PerceptronTagger.normalize``."""
    if "-" in word and word[0] != "-":
        return "!HYPHEN"
    if word.isdigit() and len(word) == 4:
        return "!YEAR"
    if word and word[0].isdigit():
        return "!DIGITS"
    return word.lower()


class FastTagger:
    """NLTK's averaged perceptron POS tagger with its weights in one matrix: the same features, summed in the same
    order, and the same argmax (ties to the alphabetically last tag, as NLTK does), scored by one numpy sum per
    word. Each feature's row is found through per-word memos instead of a formatted string per feature."""

    def __init__(self) -> None:
        nltk_data.require("averaged_perceptron_tagger_eng")
        sources = [model_cache.nltk_path("taggers/averaged_perceptron_tagger_eng/")]
        t = model_cache.load("perceptron-tagger-eng", _TABLES_VERSION, sources, _tagger_tables)
        self.classes: tuple[str, ...] = t["classes"]
        self._rows: dict[str, int] = t["rows"]
        self._matrix = t["matrix"]
        self._zero = len(self._rows)
        self._prev_word: dict[tuple[str, str], int] = t["prev_word"]
        self._prev_tag: dict[str, int] = t["prev_tag"]
        self._prev2_tag: dict[str, int] = t["prev2_tag"]
        self._tag_pair: dict[tuple[str, str], int] = t["tag_pair"]
        self._tagdict: dict[str, str] = t["tagdict"]
        self._norm: dict[str, str] = {}
        self._context_rows: dict[str, tuple[int, ...]] = {}  # normalised word -> its rows in each context role
        self._own_rows: dict[str, tuple[int, int]] = {}  # word -> rows of its suffix and first letter
        self._bias = self._rows.get("bias", self._zero)

    @property
    def _nltk(self):  # NLTK's own tagger, for the equivalence test only
        from nltk.tag import PerceptronTagger

        return PerceptronTagger()

    def _context(self, word: str) -> tuple[int, ...]:
        """Rows of a normalised word as: the word, the word before, the suffix before, two before, the word
        after, the suffix after, two after."""
        get, zero = self._rows.get, self._zero
        suffix = word[-3:]
        out = (
            get("i word " + word, zero),
            get("i-1 word " + word, zero),
            get("i-1 suffix " + suffix, zero),
            get("i-2 word " + word, zero),
            get("i+1 word " + word, zero),
            get("i+1 suffix " + suffix, zero),
            get("i+2 word " + word, zero),
        )
        if len(self._context_rows) > _CACHE_MAX:
            self._context_rows.clear()
        self._context_rows[word] = out
        return out

    def _own(self, word: str) -> tuple[int, int]:
        get, zero = self._rows.get, self._zero
        out = (get("i suffix " + word[-3:], zero), get("i pref1 " + (word[0] if word else ""), zero))
        if len(self._own_rows) > _CACHE_MAX:
            self._own_rows.clear()
        self._own_rows[word] = out
        return out

    def _normalized(self, tokens: list[str]) -> list[str]:
        norm = self._norm
        if len(norm) > _CACHE_MAX:
            norm.clear()
        out = []
        for w in tokens:
            v = norm.get(w)
            if v is None:
                v = norm[w] = _normalize(w)
            out.append(v)
        return out

    def tag(self, tokens: list[str], windows: Sequence[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
        """(word, Penn tag) pairs, as ``PerceptronTagger.tag`` gives them.

        With ``windows``, only tokens inside them are tagged (the others get ""), each window starting
        from the dictionary tag of the word before it."""
        n = len(tokens)
        tagdict = self._tagdict
        if windows is None:
            todo: Sequence[int] = range(n)
        else:
            marks = bytearray(n)
            for a, b in windows:
                lo, hi = max(a, 0), max(min(b, n), 0)
                if hi > lo:
                    marks[lo:hi] = b"\x01" * (hi - lo)
            todo = [i for i in range(n) if marks[i]]
        tags = [""] * n
        if not todo:
            return list(zip(tokens, tags, strict=True))
        # The rows of each word's features that do not depend on the tags before it, found through per-word memos.
        scored = [i for i in todo if tokens[i] not in tagdict]
        static: list[tuple[tuple[int, ...], int, str, tuple[int, ...]]] = []
        if scored:
            context = [*_START, *self._normalized(tokens), *_END]
            crows, orows, bias = self._context_rows, self._own_rows, self._bias
            for i in scored:
                word = tokens[i]
                own = orows.get(word) or self._own(word)
                j = i + 2
                cw = context[j]
                here = crows.get(cw) or self._context(cw)
                before = crows.get(context[j - 1]) or self._context(context[j - 1])
                before2 = crows.get(context[j - 2]) or self._context(context[j - 2])
                after = crows.get(context[j + 1]) or self._context(context[j + 1])
                after2 = crows.get(context[j + 2]) or self._context(context[j + 2])
                static.append(
                    (
                        (bias, own[0], own[1]),
                        here[0],
                        cw,
                        (before[1], before[2], before2[3], after[4], after[5], after2[6]),
                    )
                )
        matrix, classes, zero = self._matrix, self.classes, self._zero
        add = np.add.reduce  # over axis 0: the rows summed in order, as ndarray.sum does (and faster)
        prev_tag, prev2_tag, tag_pair, prev_word = self._prev_tag, self._prev2_tag, self._tag_pair, self._prev_word
        inside = marks if windows is not None else None
        k = 0
        for i in todo:
            tag = tagdict.get(tokens[i])
            if tag is None:
                prev = self._tag_before(tokens, tags, inside, i - 1)
                prev2 = self._tag_before(tokens, tags, inside, i - 2)
                head, iword, cw, tail = static[k]
                k += 1
                # NLTK's feature order, so the float sums (and argmax ties) are exactly those of NLTK.
                feats = (
                    *head,
                    prev_tag.get(prev, zero),
                    prev2_tag.get(prev2, zero),
                    tag_pair.get((prev, prev2), zero),
                    iword,
                    prev_word.get((prev, cw), zero),
                    *tail,
                )
                idx = [r for r in feats if r != zero]
                tag = classes[int(add(matrix.take(idx, axis=0), 0).argmax())] if idx else classes[0]
            tags[i] = tag
        return list(zip(tokens, tags, strict=True))

    def _tag_before(self, tokens: list[str], tags: list[str], inside: bytearray | None, i: int) -> str:
        """The tag the tagger had at token i when it reached i+1 or i+2: a start symbol, the tag it gave, or
        (outside the windows) the word's dictionary tag or NN."""
        if i < 0:
            return _START[-1 - i]
        if inside is None or inside[i]:
            return tags[i]
        return self._tagdict.get(tokens[i]) or "NN"


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
