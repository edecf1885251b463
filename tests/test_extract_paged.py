"""PDFs and scans: text per page, metadata, OCR, and every hostile file reported without stopping the run.

Every fixture is made here, in a temporary folder, from the sample archive's own (fictional) text.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from bench.pages import PageStyle, image_bytes, image_pdf, render_page, text_pdf
from search.documents import PAGE_BREAK, PartialDate, page_at
from search.extract import image as image_extract
from search.extract import ocr
from search.extract import pdf as pdf_extract
from search.extract.errors import ExtractError, Skipped
from search.extract.sources import SourceFile, extract_file
from search.ingest import index_paths

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (make system-deps)")

HARBOUR = (
    "Ministers from eleven coastal states met in Lisbon on Thursday to sign the Harbour Cities Accord, "
    "a pact on shared port inspections.\n\n"
    "The Northern Shipping Council, which represents freight operators from Rotterdam to Gdansk, "
    "welcomed the agreement."
)
FLOOD = "The river burst its banks at dawn and flooded the lower town.\n\nVolunteers filled sandbags all day."
LIGHTHOUSE = "Lighthouse keepers gathered in Valletta to mark the centenary of the harbour light."


def _scan(text: str, **style: object) -> Image.Image:
    return render_page(text, PageStyle(**{"points": 12, "dpi": 300, **style}))


def _png(text: str) -> bytes:
    return image_bytes(_scan(text))


def _one(items: list) -> object:
    docs = [i for i in items if not isinstance(i, Skipped)]
    assert len(docs) == 1, items
    return docs[0]


def _words(text: str) -> set[str]:
    return {w.strip(".,").lower() for w in text.split()}


# -- PDFs with a text layer --------------------------------------------------------------------------------------


def test_text_pdf_keeps_its_pages_title_and_date_from_metadata() -> None:
    raw = text_pdf(
        [HARBOUR, FLOOD, LIGHTHOUSE],
        title="Harbour accord signed",
        author="Marta Quintela",
        created=dt.datetime(2024, 3, 14, 9, 30, tzinfo=dt.UTC),
    )
    doc = _one(pdf_extract.extract(raw, "accord.pdf"))
    assert doc.title == "Harbour accord signed"
    assert doc.author == "Marta Quintela"
    assert doc.date == PartialDate(2024, 3, 14)
    assert doc.origin == ""  # typed text, not OCR
    pages = doc.body.split(PAGE_BREAK)
    assert len(pages) == 3
    # The page's wrapped lines are joined again into its paragraphs.
    assert pages[0] == HARBOUR
    assert "sandbags" in pages[1] and "Valletta" in pages[2]
    assert page_at(doc.body, doc.body.index("sandbags")) == 2


def test_text_pdf_without_a_title_takes_its_first_lines() -> None:
    raw = text_pdf(["Port strike ends\n\n" + HARBOUR])
    doc = _one(pdf_extract.extract(raw, "strike.pdf"))
    assert doc.title == "Port strike ends"


def test_two_column_pdf_reads_each_column_in_order() -> None:
    doc = _one(pdf_extract.extract(text_pdf([HARBOUR + "\n\n" + FLOOD], columns=2), "cols.pdf"))
    text = " ".join(doc.body.split())
    assert text.index("Ministers") < text.index("Gdansk") < text.index("sandbags")


# -- scans -------------------------------------------------------------------------------------------------------


def test_png_scan_is_read_by_ocr_and_marked_as_such() -> None:
    doc = _one(image_extract.extract(_png(HARBOUR), "scan.png"))
    assert doc.origin == "ocr"
    assert {"ministers", "lisbon", "harbour", "accord", "rotterdam", "gdansk"} <= _words(doc.body)


def test_jpeg_scan_is_read() -> None:
    doc = _one(image_extract.extract(image_bytes(_scan(FLOOD), "JPEG"), "flood.jpg"))
    assert {"river", "flooded", "sandbags"} <= _words(doc.body)


def test_multi_page_tiff_gives_one_page_per_frame() -> None:
    raw = image_bytes([_scan(FLOOD), _scan(LIGHTHOUSE)], "TIFF")
    doc = _one(image_extract.extract(raw, "issue.tif"))
    first, second = doc.body.split(PAGE_BREAK)
    assert "sandbags" in first and "Valletta" in second


def test_pdf_without_a_text_layer_goes_through_ocr() -> None:
    doc = _one(pdf_extract.extract(image_pdf([_scan(HARBOUR)]), "scanned.pdf"))
    assert doc.origin == "ocr"
    assert doc.date is None  # its CreationDate (2000-01-01) is when it was scanned
    assert {"lisbon", "accord", "gdansk"} <= _words(doc.body)


# -- bad input ---------------------------------------------------------------------------------------------------


def _encrypted_pdf() -> bytes:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Secret minutes of the harbour board")
    pdf.set_encryption(owner_password="owner", user_password="reader", encryption_method=EncryptionMethod.AES_128)
    return bytes(pdf.output())


def _png_declaring(width: int, height: int, rows: int = 8) -> bytes:
    """A small PNG whose header declares a huge 1-bit image: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(row * rows, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("locked.pdf", _encrypted_pdf, "encrypted PDF"),
        ("broken.pdf", lambda: text_pdf([HARBOUR])[:400], "corrupt or truncated"),
        ("junk.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 20, "corrupt or truncated"),
        ("huge.png", lambda: _png_declaring(20_000, 20_000), "too large"),
        ("bomb.png", lambda: _png_declaring(200_000, 200_000), "too large"),
        ("torn.tif", lambda: image_bytes(_scan(FLOOD), "TIFF")[:3000], "corrupt or truncated"),
        ("notanimage.png", lambda: b"this is not a PNG at all", "not an image"),
    ],
)
def test_hostile_file_is_reported_with_its_reason(name: str, make, reason: str) -> None:
    src = SourceFile(Path(name), name)
    [item] = extract_file(src, make())
    assert isinstance(item, Skipped)
    assert item.where == name
    assert reason in item.reason


def test_truncated_multi_page_tiff_keeps_the_pages_it_can_read() -> None:
    whole = image_bytes([_scan(FLOOD), _scan(LIGHTHOUSE)], "TIFF")
    with Image.open(io.BytesIO(whole)) as im:
        im.seek(1)
        second_ifd = im.tile[0].args[2]  # where the second page's directory starts (libtiff's tile arguments)
    items = image_extract.extract(whole[: second_ifd + 20], "torn.tif")
    doc = _one(items)
    assert "sandbags" in doc.body
    notes = [i for i in items if isinstance(i, Skipped)]
    assert notes and "page 2" in notes[0].reason


def test_long_pdf_is_read_up_to_the_page_limit_and_the_rest_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = text_pdf([f"Page {n} of the port authority's annual report." for n in range(1, 501)])
    doc = _one(pdf_extract.extract(raw, "report.pdf"))
    assert doc.body.count(PAGE_BREAK) == 499  # the default limit reads all 500 pages
    monkeypatch.setattr(pdf_extract, "MAX_PAGES", 50)
    items = pdf_extract.extract(raw, "report.pdf")
    doc = _one(items)
    assert doc.body.count(PAGE_BREAK) == 49
    [note] = [i for i in items if isinstance(i, Skipped)]
    assert "pages 51-500 not read" in note.reason and "SEARCH_MAX_PAGES" in note.reason


def test_image_past_the_pixel_limit_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_extract, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ExtractError, match="SEARCH_MAX_IMAGE_PIXELS"):
        image_extract.extract(_png_declaring(2000, 2000), "big.png")


# -- indexing ----------------------------------------------------------------------------------------------------


def test_a_folder_of_pdfs_scans_and_bad_files_is_indexed_and_ocr_is_not_repeated(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "accord.pdf").write_bytes(text_pdf([HARBOUR, FLOOD], title="Harbour accord signed"))
    (folder / "scan.png").write_bytes(_png(LIGHTHOUSE))
    (folder / "locked.pdf").write_bytes(_encrypted_pdf())
    (folder / "bomb.png").write_bytes(_png_declaring(200_000, 200_000))
    (folder / "note.txt").write_text("Ferry timetable changes\n\nThe winter ferry timetable starts on Monday.\n")
    index = tmp_path / "index"

    first = index_paths([folder], index, workers=2)
    assert first.added == 3
    skipped = {s.where: s.reason for s in first.skipped}
    assert set(skipped) == {"locked.pdf", "bomb.png"}
    assert "encrypted" in skipped["locked.pdf"] and "too large" in skipped["bomb.png"]

    again = index_paths([folder], index, workers=2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert again.stages.get("extract", 0) == 0  # no file was extracted (or OCR'd) again

    (folder / "scan.png").write_bytes(_png(LIGHTHOUSE + " The light was first lit in 1924."))
    changed = index_paths([folder], index, workers=1)
    assert (changed.updated, changed.unchanged) == (1, 2)
