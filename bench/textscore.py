"""Character and word error rates of extracted text against its source, as OCR evaluations report them."""

from __future__ import annotations

import jiwer

# Typographic forms the renderers and fpdf2's Latin-1 core fonts change: compared as their plain forms.
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "…": "...", "\u00ad": ""})


def normalise(text: str) -> str:
    """Whitespace (line breaks, page breaks, columns) as single spaces, quotes and dashes plain."""
    return " ".join(text.translate(_PLAIN).split())


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edits to turn the hypothesis into the reference, per reference character."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return float(jiwer.cer(ref, hyp)) if ref else float(bool(hyp))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate over whitespace-separated words (punctuation kept on its word)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return float(jiwer.wer(ref, hyp)) if ref else float(bool(hyp))
