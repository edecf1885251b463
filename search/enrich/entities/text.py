"""Tokens and sentences with character offsets, shaped for NLTK's tagger and chunker (Treebank-like)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

_ABBREV = (
    r"Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Capt|Sen|Rep|Gov|St|Jr|Sr|Inc|Corp|Co|Ltd|Bros|Mt|Ft|No|Maj|Adm|Rev|"
    r"Messrs|Dept|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec|vs|etc|approx|Ave|Blvd|Univ"
)
# The two lookaheads only test cheaply what their branch needs (every abbreviation is 2-6 letters and a period;
# a word before a clitic has an apostrophe ahead), so most tokens skip 50 abbreviations and a backtracking scan.
_TOKEN = re.compile(
    rf"""
    (?P<url>https?://\S+|www\.\S+|pic\.twitter\.com/\S+|\S+@\S+\.\w+)
  | (?P<handle>@\w+)
  | (?P<acro>(?:[^\W\d_]\.){{2,}})
  | (?P<abbr>(?=[A-Za-z]{{2,6}}\.)(?:{_ABBREV})\.)
  | (?P<initial>[A-Z]\.(?=\s*[A-Z]))
  | (?P<num>\d+(?:[.,:/]\d+)*(?:-\d+)*(?:[a-zA-Z]{{1,2}}\b)?)
  | (?P<word>(?=[\w&-]*['’])[^\W_]+(?:[-&'’][^\W_]+)*?(?=['’](?:[sSdDmM]|re|ve|ll)\b|n['’]t\b)
           |[^\W_]+(?:[-&'’][^\W_]+)*)
  | (?P<clitic>['’](?:[sSdDmM]|re|ve|ll)\b|n['’]t\b)
  | (?P<dash>-{{2,}}|—|–)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_CORP_ENDS = frozenset({"Inc.", "Corp.", "Ltd.", "Co.", "Bros."})
_CORP_WORDS = frozenset({"Inc", "Corp", "Ltd", "Co", "Bros", "Plc", "PLC", "AG", "SA", "NV", "LLC"})
SENTENCE_END = frozenset({".", "!", "?", "…"})
CLOSERS = frozenset({'"', "'", ")", "]", "”", "’"})


class Token(NamedTuple):
    """One token: its text as the tagger sees it, and where it lies in the source string (a tuple: cheap to build)."""

    text: str
    start: int
    end: int
    kind: str  # url, handle, acro, abbr, initial, num, word, clitic, dash, other


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split text into Treebank-like tokens (``Russia's`` -> ``Russia`` ``'s``; ``U.S.`` kept whole)."""
    out: list[Token] = []
    append = out.append
    new = tuple.__new__
    for m in _TOKEN.finditer(text):
        t = m.group()
        if not t.isascii():
            t = t.translate(_QUOTES)
        start, end = m.span()
        append(new(Token, (t, start + offset, end + offset, m.lastgroup or "other")))
    return out


def join_abbreviated(tokens: list[Token], pairs: Collection[tuple[str, str]]) -> list[Token]:
    """Glue a word to the period right after it when (word, next word), lowercased, is in ``pairs``: the abbreviated
    first word of a name (``Alex.`` of ``Alex. Brown and Sons``), which must not end the sentence."""
    if not pairs:
        return tokens
    out: list[Token] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if (
            tok.kind == "word"
            and i + 2 < n
            and tokens[i + 1].text == "."
            and tokens[i + 1].start == tok.end
            and (tok.text.lower(), tokens[i + 2].text.lower()) in pairs
        ):
            out.append(Token(tok.text + ".", tok.start, tokens[i + 1].end, "word"))
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def sentences(tokens: list[Token]) -> list[list[Token]]:
    """Group a line's tokens into sentences at ``. ! ?`` followed by a capital, a quote or a digit."""
    out: list[list[Token]] = []
    current: list[Token] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        current.append(tok)
        if (
            tok.text in _CORP_ENDS
            and i + 1 < n
            and tokens[i + 1].text[:1].isupper()
            and tokens[i + 1].text.rstrip(".") not in _CORP_WORDS
        ):  # "... Service Inc. Royal Dutch said": a company suffix ends the sentence too
            out.append(current)
            current = []
        elif tok.text in SENTENCE_END:
            while i + 1 < n and tokens[i + 1].text in CLOSERS:
                i += 1
                current.append(tokens[i])
            nxt = tokens[i + 1].text if i + 1 < n else ""
            if not nxt or nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"'(":
                out.append(current)
                current = []
        i += 1
    if current:
        out.append(current)
    return out


_SENTENCE_STOP = (".", "!", "?", ":", '"', "'", "”", "’", ")")


def lines_with_offsets(text: str) -> list[tuple[int, str]]:
    """Text blocks with the offset each starts at: lines, with hard-wrapped prose lines joined again
    (newlines become spaces, so offsets stay exact); headlines, datelines and table rows stay apart."""
    raw: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        raw.append((pos, stripped))
        pos += len(line)
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(raw):
        start, block = raw[i]
        end_pos = start + len(block)
        while i + 1 < len(raw) and _wrapped(raw[i][1], raw[i + 1][1]):
            i += 1
            nxt_start, nxt = raw[i]
            block = block + " " * (nxt_start - end_pos) + nxt
            end_pos = nxt_start + len(nxt)
        if block.strip():
            out.append((start, block))
        i += 1
    return out


def _wrapped(line: str, nxt: str) -> bool:
    """True if ``nxt`` continues the sentence of ``line`` (a hard line wrap inside a paragraph)."""
    a, b = line.rstrip(), nxt.strip()
    if not a or not b or a.endswith(_SENTENCE_STOP):
        return False
    if b[0].islower():
        return True
    return len(a) >= 30 and sum(c.isdigit() for c in a) < len(a) / 5 and sum(c.isdigit() for c in b) < len(b) / 5


def is_cap(word: str) -> bool:
    """The word begins with a capital."""
    return word[:1].isupper()


def is_acronym(word: str) -> bool:
    """Two to six capitals, dots and ampersands aside (``IMF``, ``U.S.``, ``AT&T``)."""
    w = word.replace(".", "").replace("&", "")
    return 2 <= len(w) <= 6 and w.isalpha() and w.isupper()
