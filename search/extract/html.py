"""Read one HTML news page into a Document: its article text, title, date, author and canonical URL."""

from __future__ import annotations

import codecs
import logging
import re

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.dammit import EncodingDetector, UnicodeDammit
from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html
from readability import Document as Readable
from trafilatura import extract as trafilatura_extract

from search.documents import Document, PartialDate
from search.extract.decode import refuse_binary
from search.extract.errors import ExtractError
from search.extract.htmlmeta import PageMeta, parse_partial_date, read_meta

log = logging.getLogger(__name__)
# The libraries log an ERROR for every tiny or odd page; our ExtractError already reports those pages once.
# (trafilatura sets htmldate's level when imported, so this runs after the imports above.)
for _name in ("trafilatura", "htmldate", "readability", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

MAX_BYTES = 20 * 1024 * 1024  # larger pages are refused (ExtractError), not truncated
# Use readability's text instead of trafilatura's when it has this many times more words: trafilatura
# in precision mode sometimes keeps only part of an article (measured in bench/html_extraction.py).
READABILITY_RATIO = 2.0

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WORD = re.compile(r"\w+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never let NUL and friends reach the index
_BREAK = "\ue000"  # a private-use character marking paragraph breaks in the last-resort reader
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_DROP = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
    "svg", "button", "select", "textarea", "figure", "head", "menu", "dialog",
}  # fmt: skip
_JUNK_ATTR = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|sponsor\w*|promo\w*|banner|cookie\w*|newsletter|share|sharing|social|"
    r"related|comments?|sidebar|breadcrumbs?|subscribe|popup|modal|nav\w*|menu|footer|header)(?:$|[\s_-])",
    re.IGNORECASE,
)


def extract(raw: bytes, doc_id: str) -> list[Document]:
    """Read one HTML page into a Document; raise ExtractError(reason) if it cannot be read."""
    try:
        return [_extract(raw, doc_id)]
    except ExtractError:
        raise
    except RecursionError:
        raise ExtractError("page is too deeply nested to read") from None
    except MemoryError:
        raise ExtractError("page is too large to read in memory") from None
    except Exception as exc:  # a library failing on a hostile page must not stop the run
        log.warning("HTML extraction failed for %s", doc_id, exc_info=True)
        raise ExtractError(f"cannot read HTML ({type(exc).__name__}: {exc})") from exc


def _extract(raw: bytes, doc_id: str) -> Document:
    html = decode_html(raw)
    meta = _safe_meta(html, doc_id)
    body, method = main_text(html)
    body = _CONTROLS.sub("", _without_headline(body, meta.title)).strip()
    if not body:
        raise ExtractError("no article text found in the page")
    date, date_from = meta.date, meta.date_from
    if date is None:
        date = _htmldate(html, meta.url)
        date_from = "htmldate" if date else ""
    extras = {"body_from": method}
    if date_from:
        extras["date_from"] = date_from
    if meta.lang:
        extras["lang"] = meta.lang
    return Document(
        id=doc_id,
        body=body,
        title=_CONTROLS.sub("", meta.title),
        date=date,
        author=_CONTROLS.sub("", meta.author),
        source=_CONTROLS.sub("", meta.source),
        url=meta.url,
        dateline=_CONTROLS.sub("", meta.dateline),
        extras=extras,
    )


def decode_html(raw: bytes) -> str:
    """The page as text: BOM, then UTF-8, then the declared charset, then a detected one; binary is refused."""
    if len(raw) > MAX_BYTES:
        raise ExtractError(f"page too large ({len(raw):,} bytes; the limit is {MAX_BYTES // 2**20} MiB), not read")
    if not raw.strip():
        raise ExtractError("empty file")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(encoding))
            except UnicodeDecodeError:
                raise ExtractError(f"invalid {encoding} text after its byte-order mark") from None
    refuse_binary(raw, "HTML")
    if raw.startswith((b"<\x00", b"\x00<")):  # UTF-16 without a byte-order mark
        try:
            return _check_text(raw.decode("utf-16-le" if raw[0] else "utf-16-be"))
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise ExtractError("binary content (NUL bytes), not HTML")
    try:
        return _check_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mostly_utf8 = raw.decode("utf-8", errors="replace")
    bad = mostly_utf8.count("\ufffd")
    if sum(1 for ch in mostly_utf8 if ch > "\x7f") - bad > 2 * bad:
        return _check_text(mostly_utf8)  # UTF-8 with a few stray bytes: keep it, do not turn it into mojibake
    declared = _declared_encoding(raw)
    if declared:
        try:
            return _check_text(raw.decode(declared))
        except UnicodeDecodeError:
            log.debug("page declares %s but does not decode with it", declared)
    # Detect on a bounded sample (detection is slow on big pages), then decode the whole page.
    dammit = UnicodeDammit(raw[: 1024 * 1024], is_html=True, exclude_encodings=["utf-8"])
    guess = dammit.original_encoding
    if not guess or dammit.unicode_markup is None:
        raise ExtractError("cannot decode the page: unknown text encoding")
    text = raw.decode(_whatwg(guess), errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise ExtractError(f"cannot decode the page: not valid {guess} text")
    return _check_text(text)


def _declared_encoding(raw: bytes) -> str | None:
    """The meta charset, as a Python codec name (latin-1 read as windows-1252, as browsers do)."""
    name = EncodingDetector.find_declared_encoding(raw[:65536], is_html=True)
    if not name:
        return None
    try:
        return _whatwg(codecs.lookup(name).name)
    except LookupError:
        log.debug("unknown declared charset %r", name)
        return None


def _whatwg(encoding: str) -> str:
    return "cp1252" if codecs.lookup(encoding).name in ("latin-1", "iso8859-1", "ascii") else encoding


def _check_text(text: str) -> str:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > len(sample) * 0.01:
        raise ExtractError("binary content (control bytes), not HTML")
    if not text.strip():
        raise ExtractError("empty file")
    return text


def _safe_meta(html: str, doc_id: str) -> PageMeta:
    try:
        return read_meta(html)
    except (RecursionError, Exception):
        log.warning("could not read the metadata of %s; indexing its text without it", doc_id, exc_info=True)
        return PageMeta()


def main_text(html: str) -> tuple[str, str]:
    """The article's text (paragraphs separated by blank lines) and which method found it."""
    traf = _trafilatura_text(html)
    read = _readability_text(html)
    if _words(read) > READABILITY_RATIO * max(_words(traf), 1):
        best, method = read, "readability"
    else:
        best, method = traf, "trafilatura"
    if best and not (_words(best) < 50 and _only_link_text(best, html)):
        return best, method
    return _markup_text(html), "markup"


def _only_link_text(body: str, html: str) -> bool:
    """True when every paragraph of a short body is the text of a link or a nav block (a menu, not an article)."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, etree.ParserError):
        return False
    links = {" ".join(el.text_content().split()) for el in tree.iter("a", "nav", "button", "option", "li")}
    return all(paragraph in links for paragraph in body.split("\n\n"))


def _without_headline(body: str, title: str) -> str:
    """The body without a first paragraph that only repeats the title (the title has its own field)."""
    first, _, rest = body.partition("\n\n")
    if title and rest and _WORD.findall(first.lower()) == _WORD.findall(title.lower()):
        return rest
    return body


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _paragraphs(lines: list[str]) -> str:
    cleaned = (" ".join(line.split()) for line in lines)
    return "\n\n".join(line for line in cleaned if line)


def _trafilatura_text(html: str) -> str:
    try:
        text = trafilatura_extract(
            html, favor_precision=True, include_comments=False, deduplicate=False, output_format="txt"
        )
    except (RecursionError, Exception):
        log.debug("trafilatura failed", exc_info=True)
        return ""
    return _paragraphs(text.splitlines()) if text else ""


def _readability_text(html: str) -> str:
    try:
        summary = Readable(html).summary(html_partial=True)
        return _block_text(lxml_html.fromstring(summary)) if summary.strip() else ""
    except (RecursionError, Exception):
        log.debug("readability failed", exc_info=True)
        return ""


def _block_text(root: object) -> str:
    """Paragraph text of an lxml tree: a new paragraph at every block element."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        paragraphs.append("".join(current))
        current.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:  # iterative walk: deep trees must not hit the recursion limit
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag in _BLOCKS:
                flush()
            if el.tail:
                current.append(el.tail)
            continue
        if tag in _BLOCKS:
            flush()
        if tag and el.text:
            current.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(list(el)))
    flush()
    return _paragraphs(paragraphs)


def _markup_text(html: str) -> str:
    """Last resort when both libraries find nothing (tiny or deeply nested pages): the text of the
    <article>, <main> or <body> element without navigation, scripts, styles and ad blocks."""
    soup = BeautifulSoup(html, "html.parser")  # lxml drops everything below depth 256
    root = soup.find("article") or soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    parts: list[str] = []
    stack: list[PageElement] = [root]
    while stack:  # iterative walk: deep trees must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, str):
            if type(node) is NavigableString or node is _BREAK:
                parts.append(node)
            continue
        if not isinstance(node, Tag) or node.name in _DROP or (node is not root and _is_junk(node)):
            continue
        if node.name in _BLOCKS:
            stack.append(_BREAK)
        stack.extend(reversed(node.contents))
        if node.name in _BLOCKS:
            stack.append(_BREAK)
    return _paragraphs("".join(parts).split(_BREAK))


def _is_junk(tag: Tag) -> bool:
    marks = " ".join([*(tag.get("class") or []), str(tag.get("id") or ""), str(tag.get("role") or "")])
    return bool(marks.strip()) and _JUNK_ATTR.search(marks) is not None


def _htmldate(html: str, url: str) -> PartialDate | None:
    """htmldate's reading of the page's own markup (never a file time, never a guess from the text)."""
    try:
        found = find_date(html, extensive_search=False, original_date=True, url=url or None)
    except (RecursionError, Exception):
        log.debug("htmldate failed", exc_info=True)
        return None
    return parse_partial_date(found) if found else None
