"""Candidate spans of one sentence: NLTK's chunks joined with the proper-noun runs around them, all-caps lines
recased from the article's own casing, results tables, datelines and the names the lexicon knows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.enrich.entities import chunker
from search.enrich.entities.gazetteer import Lexicon, common
from search.enrich.entities.lexicon import CONNECTORS, JUNK_WORDS, MONTHS, ORG, PARTICLES, PERSON, PLACE
from search.enrich.entities.text import Token, is_acronym, is_cap, tokenize

_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\-]+(?:\s+[A-Z][A-Z.'\-]+){0,3})\s*(?::|,|\s[-—–]|\s\(|\s+\d{4}-\d\d-\d\d)")
_SENT_CACHE_MAX = 50_000


@dataclass
class Span:
    """A candidate mention while it is being mended and typed."""

    part: str
    tokens: list[Token]
    words: list[str]  # tokens as cased for typing (truecased in all-caps lines)
    prev: str  # the word before (lowercase), "" at sentence start
    prev2: str
    next: str  # the word after (lowercase)
    next2: str
    sent_initial: bool
    titled: bool = False  # a person title or role stood right before it
    table: bool = False  # found in a results/standings table line
    dateline: bool = False
    chunked: bool = True  # NLTK's chunker found (part of) it, rather than only the proper-noun tags
    scores: dict[str, float] = field(default_factory=lambda: {PERSON: 0.0, ORG: 0.0, PLACE: 0.0})

    @classmethod
    def around(
        cls, part: str, tokens: list[Token], words: list[str], sent_words: list[str], lo: int, hi: int, **flags: bool
    ) -> Span:
        """A span over sentence words [lo, hi), with the two words either side as its context."""
        return cls(
            part,
            tokens,
            words,
            _lower(sent_words, lo - 1),
            _lower(sent_words, lo - 2),
            _lower(sent_words, hi),
            _lower(sent_words, hi + 1),
            lo == 0,
            **flags,
        )

    @property
    def text(self) -> str:
        return _join(self.words, self.tokens)


@dataclass(slots=True)
class Cut:
    """A candidate while the rules mend it: the sentence, the range [lo, hi) of its words, and what was learnt."""

    part: str
    words: list[str]  # the sentence's words, as cased for typing
    tokens: list[Token]
    lo: int
    hi: int
    lex: Lexicon
    firms: frozenset[tuple[str, str]]
    titled: bool = False  # a person title or role stood in or right before it

    @property
    def n(self) -> int:
        return len(self.words)

    def span_words(self) -> list[str]:
        return self.words[self.lo : self.hi]

    def text_low(self) -> str:
        return " ".join(self.words[self.lo : self.hi]).lower()

    def span(self) -> Span:
        """The cut as a span, with its context."""
        lo, hi = self.lo, self.hi
        return Span.around(self.part, self.tokens[lo:hi], self.words[lo:hi], self.words, lo, hi, titled=self.titled)

    def word_span(self, i: int) -> Span:
        """The sentence's word ``i`` alone as a span."""
        return Span.around(self.part, [self.tokens[i]], [self.words[i]], self.words, i, i + 1)


def _join(words: list[str], tokens: list[Token]) -> str:
    out = words[0]
    for i in range(1, len(words)):
        gap = tokens[i].start - tokens[i - 1].end
        out += (" " if gap > 0 else "") + words[i]
    return out


# --------------------------------------------------------------------------------------------- spans
_sentence_cache: dict[tuple[str, ...], list[tuple[int, int, bool]]] = {}
_PROPER = frozenset({"NNP", "NNPS"})
HAS_CAPITAL = re.compile(r"[A-Z]")


def regions(words: list[str], tokens: list[Token]) -> list[tuple[int, int, bool]]:
    """Candidate token ranges of one sentence: NLTK's NE chunks joined with the proper-noun runs around
    them (NLTK often finds ``External`` of ``External Affairs Minister S Jaishankar`` and nothing else);
    the flag says whether the chunker found part of it.  Cached: near-duplicates repeat paragraphs."""
    key = tuple(words)
    hit = _sentence_cache.get(key)
    if hit is not None:
        return hit
    tagged = chunker.tag(words, chunker.capital_windows(words, 3))
    n = len(words)
    chunked = [False] * n
    for lo, hi in chunker.ne_spans(tagged, chunker.capital_windows(words, 2)):
        for i in range(lo, hi):
            chunked[i] = True
    proper = [
        tagged[i][1] in _PROPER and words[i][:1].isupper() and tokens[i].kind in ("word", "acro", "abbr", "initial")
        for i in range(n)
    ]
    out: list[tuple[int, int, bool]] = []
    i = 0
    while i < n:
        if chunked[i] or proper[i]:
            j = i
            any_chunk = False
            while j < n and (chunked[j] or proper[j]):
                any_chunk = any_chunk or chunked[j]
                j += 1
                # Name particles between two capitalised names: "Lex van Drooge", "Santiago de Cuba".
                if (
                    j + 1 < n
                    and words[j].lower() in PARTICLES
                    and words[j + 1][:1].isupper()
                    and (chunked[j + 1] or proper[j + 1])
                ):
                    j += 1
            out.append((i, j, any_chunk))
            i = j
        else:
            i += 1
    if len(_sentence_cache) >= _SENT_CACHE_MAX:
        _sentence_cache.clear()
    _sentence_cache[key] = out
    return out


def truecase(tokens: list[Token], casing: dict[str, str], lex: Lexicon) -> list[str]:
    """Recase an all-caps line (headline, dateline) from the body's own casing and the dictionary."""
    out: list[str] = []
    phrase_end = -1
    for i, t in enumerate(tokens):
        w = t.text
        if i < phrase_end:
            out.append(w.capitalize())
            continue
        for size in (3, 2):  # multiword places first: "SAN DIEGO", "KANSAS CITY"
            if i + size <= len(tokens) and " ".join(x.text for x in tokens[i : i + size]).lower() in lex.places:
                phrase_end = i + size
                break
        if i < phrase_end:
            out.append(w.capitalize())
            continue
        if not w.isupper() or not any(c.isalpha() for c in w):
            out.append(w)
            continue
        low = w.lower()
        if t.kind == "word" and w.endswith("."):  # an abbreviated name word glued to its period ("ALEX.")
            stem = low[:-1]
            out.append(casing.get(stem, stem.capitalize()) + ".")
        elif low in casing:
            out.append(casing[low])
        elif low in lex.known_orgs and is_acronym(w):
            out.append(w)
        elif low in lex.places or (
            (low in lex.first_names or low in lex.ieer_people) and not common(low, lex)
        ):  # "ROSE" in a headline is the verb, not a name
            out.append(w.capitalize() if "-" not in w else "-".join(p.capitalize() for p in w.split("-")))
        elif common(low, lex) or low in JUNK_WORDS:
            out.append(low)
        elif "." in w and (low.replace(".", "") in lex.places or low.replace(".", "") in lex.known_orgs):
            out.append(w)
        else:
            # Not in the article's own text nor in the lexicon: a headline word, not a name we can stand by.
            out.append(low)
    return out


def recase(token: Token, word: str, casing: dict[str, str], lex: Lexicon) -> str:
    """An all-caps word in mixed-case text (``MOSCOW``) in its usual casing, when the article or lexicon knows it."""
    if len(word) < 4 or not word.isupper() or not word.isalpha():
        return word
    low = word.lower()
    usual = casing.get(low)
    if usual and not usual.isupper():
        return usual
    if low in lex.places:
        return word.capitalize()
    return word


_HAS_ALPHA: dict[str, bool] = {}  # token text -> has a letter (memo: token texts repeat across articles)
_HAS_ALPHA_MAX = 200_000


def _has_alpha(text: str) -> bool:
    hit = _HAS_ALPHA.get(text)
    if hit is None:
        if len(_HAS_ALPHA) >= _HAS_ALPHA_MAX:
            _HAS_ALPHA.clear()
        hit = _HAS_ALPHA[text] = any(c.isalpha() for c in text)
    return hit


def all_caps(tokens: list[Token]) -> bool:
    alpha = [w for t in tokens if len(w := t.text) > 1 and (_HAS_ALPHA.get(w) or _has_alpha(w))]
    if len(alpha) < 2:
        return bool(alpha) and alpha[0].isupper() and len(alpha[0]) > 3
    return sum(w.isupper() for w in alpha) / len(alpha) >= 0.7


def is_table(tokens: list[Token]) -> bool:
    nums = sum(t.kind == "num" for t in tokens)
    if nums < 2 or nums / len(tokens) < 0.25:
        return False
    lower = [t.text for t in tokens if t.kind == "word" and t.text.islower()]
    return len(lower) <= 1


def needs_chunking(words: list[str], lex: Lexicon) -> bool:
    """False for sentences with no capitalised word but a common sentence-initial one (most of them)."""
    for w in words[1:]:
        if w[:1].isupper():
            return True
    return bool(words) and words[0][:1].isupper() and not common(words[0], lex) and words[0].lower() not in JUNK_WORDS


def _lower(words: list[str], i: int) -> str:
    return words[i].lower() if 0 <= i < len(words) else ""


def table_spans(part: str, tokens: list[Token], words: list[str], lex: Lexicon) -> list[Span]:
    """Capitalised runs between the numbers of a results or standings line (clubs, teams, players)."""
    out = []
    i = 0
    while i < len(tokens):
        if tokens[i].kind in ("word", "acro", "abbr", "initial") and is_cap(words[i]):
            j = i
            while (
                j < len(tokens)
                and tokens[j].kind in ("word", "acro", "abbr", "initial")
                and (is_cap(words[j]) or words[j].lower() in CONNECTORS)
            ):
                j += 1
            while j > i + 1 and not is_cap(words[j - 1]):
                j -= 1
            low = " ".join(words[i:j]).lower()
            if all(len(w) <= 2 for w in words[i:j]) or (
                low in JUNK_WORDS
                or low in lex.demonyms
                or (low in lex.common_words and low not in lex.places and low not in lex.known_orgs)
                or any(w.lower() in JUNK_WORDS for w in words[i:j])
                or (j == i + 1 and words[i].isupper() and low not in lex.known_orgs and low not in lex.places)
            ):  # a code in a rates or prices table ("DFL 2.0540/50", "CLSG"), not a club
                i = j
                continue
            out.append(Span.around(part, tokens[i:j], words[i:j], words, i, j, table=True))
            i = j
        else:
            i += 1
    return out


def drop_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (a joined "X and Y Commission" and its own "Y Commission")."""
    if len(spans) < 2:
        return spans
    keep: list[Span] = []
    for s in sorted(spans, key=lambda x: -(x.tokens[-1].end - x.tokens[0].start)):
        a, b = s.tokens[0].start, s.tokens[-1].end
        if all(b <= k.tokens[0].start or a >= k.tokens[-1].end for k in keep):
            keep.append(s)
    return sorted(keep, key=lambda x: x.tokens[0].start)


def lexicon_spans(part: str, sent: list[Token], words: list[str], lex: Lexicon, found: list[Span]) -> list[Span]:
    """Capitalised runs that the lexicon knows but the chunker did not find (not at a sentence start)."""
    taken = {t.start for s in found for t in s.tokens}
    out = []
    i = 0
    n = len(sent)
    while i < n:
        if sent[i].start in taken or not is_cap(words[i]) or sent[i].kind not in ("word", "acro"):
            i += 1
            continue
        j = i
        while j < n and sent[j].start not in taken and is_cap(words[j]) and sent[j].kind in ("word", "acro"):
            j += 1
        text = " ".join(words[i:j]).lower()
        if (text in lex.places or text in lex.known_orgs) and text not in lex.demonyms and (i > 0 or j - i > 1):
            out.append(Span.around(part, sent[i:j], words[i:j], words, i, j))
        i = j
    return out


def dateline_span(body: str, lex: Lexicon) -> tuple[int, int] | None:
    m = _DATELINE.match(body)
    if not m:
        return None
    text = m.group(1).strip()
    rest = body[m.end(1) :].lstrip(" ,")
    # A wire dateline: a known place, no ordinary words, or followed by a date or a country.
    if (
        text.lower() in lex.places
        or all(w.lower() not in lex.common_words for w in text.split())
        or re.match(r"\d{4}-\d\d-\d\d", rest)
        or rest.split(" ", 1)[0].strip(",").lower() in lex.countries
    ):
        return m.start(1), m.start(1) + len(text)
    return None


_WORDS = re.compile(r"[A-Za-z][\w'-]*")
_ABBREVIATED_BEFORE = re.compile(r"\b([A-Z][a-z]{1,4})\.\s+$")


def article_casing(body: str, lex: Lexicon, abbreviated: frozenset[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """How the article's mixed-case text writes each word: lowercase if it ever appears so, else as seen
    (all-caps forms only for short acronyms that are not ordinary words; the period of an abbreviated
    name word such as "Alex." does not start a sentence)."""
    casing: dict[str, str] = {}
    common = lex.common_words
    for m in _WORDS.finditer(body):
        w = m.group()
        low = w.lower()
        if w == low:
            casing[low] = low
            continue
        if low in casing:
            continue  # already known: a capitalised form never replaces it, so skip the context checks
        before = body[max(0, m.start() - 3) : m.start()].rstrip(" \t\"'“‘(")
        if not before or before[-1] in ".!?:\n-":
            abbr = _ABBREVIATED_BEFORE.search(body, max(0, m.start() - 12), m.start()) if abbreviated else None
            if not abbr or (abbr.group(1).lower(), low) not in abbreviated:
                continue  # a capital at a sentence or line start says nothing about the word
        if low not in casing and (not w.isupper() or (len(w) <= 4 and low not in common)):
            casing[low] = w
    return casing


def dateline_spans(part: str, text: str, casing: dict[str, str], lex: Lexicon, start: int = 0) -> list[Span]:
    toks = []
    for t in tokenize(text[start:], start):
        if t.text in (",", ":", "(") or t.kind == "num" or t.text.lower().rstrip(".") in MONTHS:
            break
        if t.kind in ("word", "acro"):
            toks.append(t)
    if not toks or len(toks) > 4:
        return []
    words = truecase(toks, casing, lex) if all_caps(toks) or len(toks) == 1 else [t.text for t in toks]
    words = [w.capitalize() if w.islower() else w for w in words]
    return [Span(part, toks, words, "", "", "", "", True, dateline=True)]


def clear_caches() -> None:
    """Forget cached sentence chunks."""
    _sentence_cache.clear()
