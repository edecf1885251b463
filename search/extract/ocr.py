"""OCR of page images with Tesseract (Debian's tesseract-ocr, through pytesseract).

Runs where extraction runs: in the indexer's worker processes. One Tesseract thread per page, since the
workers already use every core.
"""

from __future__ import annotations

import logging
import os
import re
import shutil

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from search.extract.errors import ExtractError

log = logging.getLogger(__name__)

LANG = os.environ.get("SEARCH_OCR_LANG", "eng")
TIMEOUT = float(os.environ.get("SEARCH_OCR_TIMEOUT", 300))  # seconds for one page
# Tesseract reads best at about 300 dpi; pages scanned coarser are scaled up to it (measured: bench/ocr_quality.py).
TARGET_DPI = 300
MIN_DPI = 200
# Speckle (isolated dark pixels that a 3x3 median removes) above this share of the page is scanner or copier
# noise: a median filter then cuts the error rate from about 4% to under 0.2%; clean pages are left alone, where
# it gains nothing (bench/ocr_quality.py). Binarising is left to Tesseract (Otsu).
SPECKLE_SHARE = 0.005
# Skew: searched within +-3 degrees in quarter-degree steps, corrected from half a degree (bench/ocr_quality.py).
MAX_SKEW, SKEW_STEP, MIN_SKEW = 3.0, 0.25, 0.5
# Tesseract reads the edge of a page or a rule as a lone "|": never a word of the text.
_LONE_BARS = re.compile(r"(?<!\S)\|+(?!\S)[ \t]*")


def available() -> bool:
    """Whether the tesseract program is installed."""
    return shutil.which("tesseract") is not None


def prepare(image: Image.Image, dpi: float | None = None) -> tuple[Image.Image, int | None]:
    """The page as Tesseract reads it best: 8-bit grey (alpha flattened on white), scaled up when coarse,
    despeckled when noisy, turned straight when skewed."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(background, image)
    grey = ImageOps.grayscale(image) if image.mode != "L" else image
    if dpi and dpi < MIN_DPI:
        scale = TARGET_DPI / dpi
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
        dpi = TARGET_DPI
    return deskew(despeckle(grey)), round(dpi) if dpi else None


def skew_angle(grey: Image.Image) -> float:
    """The rotation (degrees, within +-MAX_SKEW) that best lines the page's text up with its rows: the one whose
    rows of ink differ most (projection profile), found on a quarter-size copy."""
    small = grey.reduce(4) if min(grey.size) >= 400 else grey
    best, angle = -1.0, 0.0
    for candidate in np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, SKEW_STEP):
        turned = small.rotate(float(candidate), resample=Image.Resampling.BILINEAR, fillcolor=255)
        rows = (np.asarray(turned) < 128).sum(axis=1)
        score = float(np.var(rows))
        if score > best:
            best, angle = score, float(candidate)
    return angle


def deskew(grey: Image.Image) -> Image.Image:
    """The page turned straight when it is skewed by half a degree or more, else as it is."""
    angle = skew_angle(grey)
    if abs(angle) < MIN_SKEW:
        return grey
    return grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def despeckle(grey: Image.Image) -> Image.Image:
    """The page through a 3x3 median filter when it is speckled with noise, else as it is."""
    filtered = grey.filter(ImageFilter.MedianFilter(3))
    before, after = np.asarray(grey), np.asarray(filtered)
    speckles = np.count_nonzero((before < 128) & (after >= 128))
    return filtered if speckles > SPECKLE_SHARE * before.size else grey


def image_dpi(image: Image.Image) -> float | None:
    """The resolution the image file declares, if a plausible one."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 2400 else None


def ocr_page(image: Image.Image, dpi: float | None = None) -> str:
    """The text Tesseract reads on one page image; ExtractError when Tesseract is missing or fails."""
    import pytesseract

    if not available():
        raise ExtractError("OCR needed but Tesseract is not installed (Debian package tesseract-ocr)")
    page, dpi_used = prepare(image, dpi if dpi is not None else image_dpi(image))
    config = "--psm 3" + (f" --dpi {dpi_used}" if dpi_used else "")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by the tesseract process
    try:
        return _LONE_BARS.sub("", pytesseract.image_to_string(page, lang=LANG, config=config, timeout=TIMEOUT))
    except pytesseract.TesseractError as exc:
        raise ExtractError(f"OCR failed: {str(exc.message).strip() or exc.status}") from None
    except RuntimeError as exc:  # pytesseract's timeout (TesseractError is a RuntimeError too: caught first)
        raise ExtractError(f"OCR gave up on a page after {TIMEOUT:.0f} s ({exc})") from None
