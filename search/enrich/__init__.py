"""Enrichment: analysis, entities and near-duplicate signatures.

NLTK is imported here first, with ``scipy.stats`` hidden from it: NLTK's package import pulls in
``nltk.collocations``, whose only use of scipy is an optional ``fisher_exact`` (never called here), and
importing ``scipy.stats`` costs more than the rest of NLTK together (over a second of CPU per process start).
"""

from __future__ import annotations

import sys


def _import_nltk_without_scipy_stats() -> None:
    if "nltk" in sys.modules or "scipy.stats" in sys.modules:
        return
    sys.modules["scipy.stats"] = None  # type: ignore[assignment]  # makes `from scipy.stats import ...` fail
    try:
        import nltk  # noqa: F401
    finally:
        if sys.modules.get("scipy.stats", 0) is None:
            del sys.modules["scipy.stats"]


_import_nltk_without_scipy_stats()
