"""Paged sources (PDF, scans, ALTO): one Document from the text of its pages, with limits on what is read."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from search.documents import PAGE_BREAK, Document, PartialDate
from search.extract import text as plain_text
from search.extract.errors import ExtractError

# Limits, read once: a file past them is read as far as they allow and the rest reported.
MAX_PAGES = int(os.environ.get("SEARCH_MAX_PAGES", 2000))  # pages of one PDF or ALTO file
MAX_OCR_PAGES = int(os.environ.get("SEARCH_MAX_OCR_PAGES", 200))  # pages of one file sent to OCR
MAX_PIXELS = int(os.environ.get("SEARCH_MAX_IMAGE_PIXELS", 60_000_000))  # one page image (A4 at 600 dpi: 35 M)

# A word broken over two lines ("exam-\nple"): joined when both halves are lowercase letters.
_HYPHENATED = re.compile(r"(?<=[a-zß-ÿ])[-\u00ad]\n(?=[a-zß-ÿ])")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUN = re.compile(r"\n{3,}")
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def tidy_page(text: str) -> str:
    """One page's text: unified line ends, words broken at a line end rejoined, no runs of blank lines."""
    text = _INVISIBLE.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _HYPHENATED.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUN.sub("\n\n", text).strip()


def paged_document(
    doc_id: str,
    pages: list[str],
    *,
    title: str = "",
    date: PartialDate | None = None,
    author: str = "",
    origin: str = "",
    lines_only: bool = False,
) -> Document:
    """A Document whose body is the pages joined by PAGE_BREAK; what the metadata lacks is read from the
    first page as from a plain-text article (headline, date line, byline, dateline). ``lines_only``: the
    page text is wrapped lines with no blank line between paragraphs (a PDF's text layer): reflowed first."""
    tidied = [tidy_page(p) for p in pages]
    if lines_only:
        tidied = [reflow(p) for p in tidied]
    if not any(tidied):
        raise ExtractError("no text found on any page")
    body = PAGE_BREAK.join(tidied)
    first = next(p for p in tidied if p)
    try:
        lead = plain_text.extract(first.encode("utf-8"), doc_id)[0]
    except ExtractError:
        lead = Document(id=doc_id, body=first)
    doc = Document(id=doc_id, body=body, title=title or lead.title, date=date or lead.date, origin=origin)
    return replace(doc, author=author or lead.author, source=lead.source, dateline=lead.dateline)


def reflow(page: str) -> str:
    """Wrapped lines joined into paragraphs: a line about as long as the page's longest runs on into the next;
    a shorter one (a headline, the last line of a paragraph) ends its paragraph."""
    lines = [line.strip() for line in page.split("\n")]
    full = max((len(line) for line in lines), default=0)
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                out.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if len(line) < 0.8 * full:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return "\n\n".join(out)


def page_limit_note(total: int, read: int, limit_name: str) -> str:
    """Why pages past a limit were left out, naming the setting that raises it."""
    return f"pages {read + 1}-{total} not read: the file has {total} pages, the limit is {read} ({limit_name})"
