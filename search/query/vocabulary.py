"""An English word list (NLTK's `words`) for readable suggestions and stemmed prefix searches."""

from __future__ import annotations

import bisect
import logging
from functools import cache

log = logging.getLogger(__name__)


@cache
def english_words() -> list[str]:
    """Sorted lowercase English words; empty when the NLTK list is not installed."""
    try:
        from search.enrich import nltk_data

        nltk_data.require("words")
        from nltk.corpus import words

        return sorted({w.lower() for w in words.words()})
    except Exception as exc:  # a nicety, never required
        log.info("no English word list: %s", exc)
        return []


def with_prefix(prefix: str, limit: int = 300) -> list[str]:
    """English words that start with prefix (at most limit)."""
    vocab = english_words()
    i = bisect.bisect_left(vocab, prefix)
    out = []
    while i < len(vocab) and vocab[i].startswith(prefix) and len(out) < limit:
        out.append(vocab[i])
        i += 1
    return out
