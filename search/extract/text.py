"""Plain-text articles: an optional ` date YYYY-MM-DD <lead>` line, then the body."""

from __future__ import annotations

import re

from search.documents import Document, PartialDate
from search.extract.decode import decode_text
from search.extract.errors import ExtractError

_DATE_LINE = re.compile(r"^\s*date\s+(\S+)\s*(.*)$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|von|bin|al))*)\s*$")
_DATELINE = re.compile(r"^([A-Z][A-Z .'’-]{1,40}?)(?:\s*\([^)]{1,40}\))?\s*[:—–-]\s+(?=\S)")
_AGENCY = re.compile(r"^\(([A-Z][A-Za-z&.]{1,20})\)\s+")
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|advertisements?|story continues below|\(with (?:agency )?inputs?(?: from [^)]*)?\)"
    r"|also read:.*|read more:.*|read also:.*|pic\.twitter\.com/\S+|[A-Z]{3,}\d{10,}ID\d+|[A-Z]{3,})$",
    re.IGNORECASE,
)
# An embedded social post: "... pic.twitter.com/xyz — Name (@handle) May 4, 2023".
_EMBEDDED_POST = re.compile(r"(?:pic\.twitter\.com/\S+\s*)?[—–-]\s*[^()]{1,80}\(@\w{1,30}\)\s+\w+ \d{1,2}, \d{4}\s*$")
_DISCLAIMER = re.compile(r"^(?:legal disclaimer|disclaimer)\s*:?", re.IGNORECASE)
_MAX_TITLE = 140


def extract(raw: bytes, doc_id: str) -> list[Document]:
    """Read one plain-text article into a Document."""
    text = decode_text(raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    date: PartialDate | None = None
    title = ""
    first = lines[0] if lines else ""
    m = _DATE_LINE.match(first)
    if m:
        try:
            date = PartialDate.parse(m.group(1))
        except ValueError as exc:
            raise ExtractError(f"malformed date line: {first.strip()[:60]!r} ({exc})") from None
        lines[0] = m.group(2)
    elif _looks_like_headline(lines):
        title = lines[0].strip()
        lines = lines[1:]

    paragraphs = _paragraphs(lines)
    # The byline and the dateline open the story: after the lead of a date line, or at the very top.
    author = ""
    for i, para in enumerate(paragraphs[:3]):
        if b := _BYLINE.match(para):
            author = b.group(1)
            del paragraphs[i]
            break
    source = ""
    dateline = ""
    for i, para in enumerate(paragraphs[:2]):
        head = para
        if a := _AGENCY.match(head):
            source = a.group(1)
            head = head[a.end() :]
        if d := _DATELINE.match(head):
            dateline = d.group(1).strip().title()
            head = head[d.end() :]
        if head is not para:
            paragraphs[i] = head
            break
    paragraphs = _drop_boilerplate(paragraphs)
    body = "\n\n".join(paragraphs).strip()
    if not body:
        raise ExtractError("no article text")
    return [
        Document(
            id=doc_id,
            title=title or _title_from(body),
            body=body,
            date=date,
            author=author,
            source=source,
            dateline=dateline,
        )
    ]


def _looks_like_headline(lines: list[str]) -> bool:
    """A short first line standing alone, not ending like a sentence, reads as a headline."""
    if len(lines) < 3 or not lines[0].strip():
        return False
    head = lines[0].strip()
    return len(head) <= 200 and not head.endswith((".", ",", ";")) and not lines[1].strip()


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _drop_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop ad markers, cross-links, embedded posts and everything from a legal disclaimer on."""
    kept: list[str] = []
    for para in paragraphs:
        if _DISCLAIMER.match(para):
            break
        if _BOILERPLATE_LINE.match(para) or _EMBEDDED_POST.search(para):
            continue
        kept.append(para)
    return kept


def _title_from(body: str) -> str:
    """Without a headline, the first sentence of the lead stands in as the title."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", body.split("\n\n", 1)[0], maxsplit=1)[0]
    if len(first) <= _MAX_TITLE:
        return first.rstrip(".")
    cut = first[:_MAX_TITLE].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
