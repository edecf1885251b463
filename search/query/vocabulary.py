"""An English word list (NLTK's `words`) for readable spelling suggestions."""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import cache

log = logging.getLogger(__name__)
_HEAD = 4


@cache
def _by_head() -> dict[str, list[str]]:
    """Lowercase English words grouped by their first letters; empty when the list is not installed."""
    groups: dict[str, list[str]] = defaultdict(list)
    try:
        import nltk

        from search.enrich import nltk_data

        nltk_data.require("words")
        raw = nltk.data.find("corpora/words/en").open().read().decode("utf-8", "replace")
    except Exception as exc:  # a nicety, never required
        log.info("no English word list: %s", exc)
        return groups
    for word in dict.fromkeys(raw.lower().split()):
        groups[word[:_HEAD]].append(word)
    return groups


def with_prefix(prefix: str, limit: int = 300) -> list[str]:
    """English words that start with prefix (at least four letters; at most limit words)."""
    if len(prefix) < _HEAD:
        return []
    return [w for w in _by_head().get(prefix[:_HEAD], ()) if w.startswith(prefix)][:limit]
