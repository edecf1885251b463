"""NLTK's averaged perceptron POS tagger, with its weights in one matrix: NLTK's exact tags, several times faster.

Building the matrix from NLTK's files takes seconds; it is built once and kept on disk (``model_cache``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.enrich import model_cache, nltk_data

_CACHE_MAX = 300_000  # entries in each per-word memo before it is emptied (memory stays bounded)
_TABLES_VERSION = 2  # bump when the derived tables change shape

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
