"""Scanned pages as image files (.png, .jpg, .tif, multi-page TIFF): read by OCR, one page per frame."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageSequence, UnidentifiedImageError

from search.documents import Document
from search.extract import ocr
from search.extract.errors import ExtractError, Skipped
from search.extract.paged import MAX_OCR_PAGES, MAX_PIXELS, page_limit_note, paged_document


def check_pixels(width: int, height: int) -> None:
    """ExtractError for a page image larger than the pixel limit (before any of it is decoded)."""
    if width * height > MAX_PIXELS:
        raise ExtractError(
            f"image too large: {width:,} x {height:,} pixels, the limit is {MAX_PIXELS:,} (SEARCH_MAX_IMAGE_PIXELS)"
        )


def extract(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """OCR every page of the image file, as far as it can be read and within the limits."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractError(
            f"image too large to decode safely: {exc} (the limit is {MAX_PIXELS:,} pixels, SEARCH_MAX_IMAGE_PIXELS)"
        ) from None
    except UnidentifiedImageError:
        raise ExtractError("not an image that can be read (unknown format, or corrupt or truncated)") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ExtractError(f"corrupt image: {exc}") from None
    pages: list[str] = []
    notes: list[Skipped] = []
    with image:
        try:
            for number, frame in enumerate(ImageSequence.Iterator(image), 1):
                if number > MAX_OCR_PAGES:
                    notes.append(
                        Skipped(doc_id, page_limit_note(_frames(image), MAX_OCR_PAGES, "SEARCH_MAX_OCR_PAGES"))
                    )
                    break
                check_pixels(*frame.size)
                frame.load()
                pages.append(ocr.ocr_page(frame))
        except ExtractError as exc:
            if not pages:
                raise
            notes.append(Skipped(doc_id, f"page {len(pages) + 1} and after not read: {exc}"))
        except Exception as exc:  # truncated or corrupt data in a frame (Pillow raises many kinds)
            if not pages:
                raise ExtractError(f"corrupt or truncated image: {exc}") from None
            notes.append(Skipped(doc_id, f"page {len(pages) + 1} and after not read: corrupt or truncated ({exc})"))
    return [paged_document(doc_id, pages, origin="ocr"), *notes]


def _frames(image: Image.Image) -> int:
    """How many pages the file holds (counting them reads every page's directory)."""
    try:
        return int(getattr(image, "n_frames", 1))
    except Exception:  # a corrupt later directory
        return MAX_OCR_PAGES + 1
