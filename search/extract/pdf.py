"""PDF files: the text layer page by page (with PDFium, chosen by bench/pdf_extraction.py); pages without one
are rendered and read by OCR. Title, author and date from the document's metadata where it has them."""

from __future__ import annotations

import logging
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from search.documents import Document, PartialDate
from search.extract import ocr
from search.extract.errors import ExtractError, Skipped
from search.extract.paged import MAX_OCR_PAGES, MAX_PAGES, MAX_PIXELS, page_limit_note, paged_document

log = logging.getLogger(__name__)

OCR_DPI = 300
MIN_TEXT_CHARS = 20  # a page with less text than this but with images on it is a scan
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
# Titles that producers write for the file rather than the article.
_JUNK_TITLE = re.compile(r"^(?:untitled|microsoft word - .*|document\d*|.*\.(?:docx?|pdf|odt|rtf|tex|indd))$", re.I)


def extract(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """One Document for the whole PDF, its pages separated by PAGE_BREAK."""
    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise ExtractError(_open_error(str(exc))) from None
    notes: list[Skipped] = []
    try:
        total = len(pdf)
        if total == 0:
            raise ExtractError("the PDF has no pages")
        meta = _metadata(pdf)
        pages: list[str] = []
        scanned = 0
        for number in range(min(total, MAX_PAGES)):
            page = pdf[number]
            try:
                text = _page_text(page)
                if len(text.strip()) < MIN_TEXT_CHARS and _has_images(page):
                    if scanned >= MAX_OCR_PAGES:
                        notes.append(
                            Skipped(
                                doc_id,
                                f"page {number + 1} not read: {MAX_OCR_PAGES} pages already "
                                "read by OCR, the limit (SEARCH_MAX_OCR_PAGES)",
                            )
                        )
                        break
                    text = ocr.ocr_page(_render(page), OCR_DPI)
                    scanned += 1
            except ExtractError as exc:
                if not pages:
                    raise
                notes.append(Skipped(doc_id, f"page {number + 1} and after not read: {exc}"))
                break
            finally:
                page.close()
            pages.append(text)
        if total > MAX_PAGES and len(pages) == MAX_PAGES:
            notes.append(Skipped(doc_id, page_limit_note(total, MAX_PAGES, "SEARCH_MAX_PAGES")))
    finally:
        pdf.close()
    origin = "ocr" if scanned else ""
    # A scan's CreationDate is the day it was scanned, not published: only a born-digital PDF's is taken.
    date = None if scanned == len(pages) else meta["date"]
    doc = paged_document(
        doc_id, pages, title=meta["title"], date=date, author=meta["author"], origin=origin, lines_only=True
    )
    return [doc, *notes]


def _open_error(message: str) -> str:
    if "password" in message.lower():
        return "encrypted PDF: it needs a password to be read"
    return f"not a PDF that can be read (corrupt or truncated): {message}"


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_bounded()
    finally:
        textpage.close()


def _has_images(page: pdfium.PdfPage) -> bool:
    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)), None) is not None


def _render(page: pdfium.PdfPage):  # -> PIL.Image.Image
    """The page as a grey image at OCR_DPI, or coarser when that would pass the pixel limit."""
    width, height = page.get_size()  # in points, 1/72 inch
    scale = OCR_DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / max(1.0, width * height)) ** 0.5
    if scale * 72 < 50:
        raise ExtractError(f"page too large to read by OCR: {width / 72:.0f} x {height / 72:.0f} inches")
    bitmap = page.render(scale=scale, grayscale=True)
    image = bitmap.to_pil()
    image.info["dpi"] = (scale * 72, scale * 72)
    return image


def _metadata(pdf: pdfium.PdfDocument) -> dict:
    """Title, author and date from the document information dictionary (junk titles left out)."""
    info = pdf.get_metadata_dict(skip_empty=True)
    title = " ".join(info.get("Title", "").split())
    if _JUNK_TITLE.match(title) or len(title) > 300:
        title = ""
    date = None
    m = _PDF_DATE.match(info.get("CreationDate", "").strip())
    if m:
        try:
            year, month, day = (int(g) if g else None for g in m.groups())
            date = PartialDate(year, month, day if month else None)
        except ValueError:
            log.debug("unreadable PDF date %r", info.get("CreationDate"))
    return {"title": title, "author": " ".join(info.get("Author", "").split())[:200], "date": date}
