"""ALTO XML (the OCR format of digitised newspapers: Chronicling America, Europeana Newspapers, national
libraries): the text of each page in reading order, one page per <Page>, words hyphenated at a line end
rejoined. The issue's date and title come from a METS file beside it (search.extract.mets)."""

from __future__ import annotations

from lxml import etree

from search.documents import Document
from search.extract.errors import ExtractError, Skipped
from search.extract.paged import MAX_PAGES, page_limit_note, paged_document

_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "remove_comments": True}


def parse_xml(raw: bytes) -> etree._Element:
    """The root element of an XML file, without entities, DTDs or the network; ExtractError when malformed."""
    parser = etree.XMLParser(**_PARSER_OPTIONS, load_dtd=False, dtd_validation=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise ExtractError("empty XML file")
    return root


def local(tag: object) -> str:
    """An element's name without its namespace (ALTO v1-v4 each have their own)."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def extract(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """One Document for the ALTO file, its pages separated by PAGE_BREAK."""
    root = parse_xml(raw)
    pages = pages_of(root)
    notes: list[Skipped] = []
    if len(pages) > MAX_PAGES:
        notes.append(Skipped(doc_id, page_limit_note(len(pages), MAX_PAGES, "SEARCH_MAX_PAGES")))
        pages = pages[:MAX_PAGES]
    order = reading_order(root)
    texts = [page_text(page, order) for page in pages]
    return [paged_document(doc_id, texts, origin="alto"), *notes]


def pages_of(root: etree._Element) -> list[etree._Element]:
    """The <Page> elements of an ALTO file; ExtractError when it is not ALTO or has no page."""
    if local(root.tag).lower() != "alto":
        raise ExtractError(f"not an ALTO file: the XML's root element is <{local(root.tag)}>, not <alto>")
    pages = [el for el in root.iter() if local(el.tag) == "Page"]
    if not pages:
        raise ExtractError("ALTO file without any <Page>")
    return pages


def reading_order(root: etree._Element) -> dict[str, int]:
    """Block id -> rank from ALTO v4's <ReadingOrder> (empty when the file has none: document order then)."""
    ranks: dict[str, int] = {}
    for group in root.iter():
        if local(group.tag) != "ReadingOrder":
            continue
        for ref in group.iter():
            target = ref.get("REF") if local(ref.tag) == "ElementRef" else None
            if target and target not in ranks:
                ranks[target] = len(ranks)
    return ranks


def page_text(page: etree._Element, order: dict[str, int] | None = None) -> str:
    """A page's text blocks (paragraphs, a blank line between them) in reading order, lines kept."""
    return "\n\n".join(t for t in (block_text(b) for b in page_blocks(page, order)) if t)


def page_blocks(page: etree._Element, order: dict[str, int] | None = None) -> list[etree._Element]:
    """A page's text blocks in reading order (ALTO v4's <ReadingOrder>, else as written)."""
    blocks = [el for el in page.iter() if local(el.tag) == "TextBlock"]
    if order:
        ranked = sorted(enumerate(blocks), key=lambda nb: (order.get(nb[1].get("ID", ""), len(order)), nb[0]))
        blocks = [b for _, b in ranked]
    return blocks


def block_text(block: etree._Element) -> str:
    """A text block's lines; a word split by a hyphen over two lines is written whole once when the file says
    so (SUBS_CONTENT), else left with its hyphen at the line end for the page tidier to rejoin."""
    lines: list[str] = []
    skip_next_part = False
    for line in block.iter():
        if local(line.tag) != "TextLine":
            continue
        words: list[str] = []
        for el in line:
            name = local(el.tag)
            if name == "String":
                subs, kind = el.get("SUBS_CONTENT"), el.get("SUBS_TYPE")
                if kind == "HypPart2" and skip_next_part:
                    skip_next_part = False
                    continue
                if kind == "HypPart1" and subs:
                    words.append(subs)
                    skip_next_part = True
                    continue
                words.append(el.get("CONTENT", ""))
            elif name == "HYP" and words and not skip_next_part:
                words[-1] += el.get("CONTENT", "-") or "-"
        text = " ".join(w for w in words if w)
        if text:
            lines.append(text)
    return "\n".join(lines)
