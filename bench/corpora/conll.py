"""CoNLL-2003 English (IOB2) as documents: tokens, gold PER/ORG/LOC spans, and the raw text rebuilt from them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CONLL = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "conll2003"
GOLD_TYPES = {"PER": "person", "ORG": "organization", "LOC": "place"}


@dataclass
class ConllDoc:
    """One story: its sentences as tokens, the text rebuilt (one sentence a line), gold spans with offsets."""

    sentences: list[list[str]]
    tags: list[list[str]]
    title: str = ""
    body: str = ""
    # (part, start, end, conll type) with part "title" or "body" and character offsets into that part.
    gold: list[tuple[str, int, int, str]] = field(default_factory=list)
    # Token boundaries: (part, start, end) per token, in document order.
    tokens: list[tuple[str, int, int]] = field(default_factory=list)


def read_sentences(path: Path) -> Iterator[list[tuple[str, str]] | None]:
    """Sentences as (word, tag) lists; None marks a -DOCSTART- line (a new document)."""
    sent: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                if sent:
                    yield sent
                    sent = []
                continue
            cols = line.split()
            if cols[0] == "-DOCSTART-":
                if sent:
                    yield sent
                    sent = []
                yield None
                continue
            sent.append((cols[0], cols[-1]))
    if sent:
        yield sent


def _spans(tags: list[str]) -> list[tuple[int, int, str]]:
    out = []
    start, kind = -1, ""
    for i, t in enumerate([*tags, "O"]):
        if start >= 0 and (t == "O" or t.startswith("B-") or t[2:] != kind):
            out.append((start, i, kind))
            start = -1
        if t.startswith("B-") or (t.startswith("I-") and start < 0):
            start, kind = i, t[2:]
    return out


def _build(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    doc = ConllDoc([[w for w, _ in s] for s in sentences], [[t for _, t in s] for s in sentences])
    title_done = False
    body_parts: list[str] = []
    pos = 0
    for words, tags in zip(doc.sentences, doc.tags, strict=True):
        part = "body" if title_done else "title"
        offsets = []
        cursor = 0
        for w in words:
            offsets.append((cursor, cursor + len(w)))
            cursor += len(w) + 1
        line = " ".join(words)
        base = 0 if part == "title" else pos
        for s, e in offsets:
            doc.tokens.append((part, base + s, base + e))
        for s, e, kind in _spans(tags):
            if kind in GOLD_TYPES:
                doc.gold.append((part, base + offsets[s][0], base + offsets[e - 1][1], kind))
        if part == "title":
            doc.title = line
            title_done = True
        else:
            body_parts.append(line)
            pos += len(line) + 1
    doc.body = "\n".join(body_parts)
    return doc


def documents(split: str = "test", root: Path = CONLL) -> list[ConllDoc]:
    """The stories of one split (``train``, ``valid``, ``test``): headline as title, the rest as body."""
    docs: list[ConllDoc] = []
    current: list[list[tuple[str, str]]] = []
    for sent in read_sentences(root / f"{split}.txt"):
        if sent is None:
            if current:
                docs.append(_build(current))
            current = []
        else:
            current.append(sent)
    if current:
        docs.append(_build(current))
    return docs
