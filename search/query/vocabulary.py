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


@cache
def _english() -> frozenset[str]:
    return frozenset(w for words in _by_head().values() for w in words)


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "ally", "er", "ers", "or", "ors", "ion", "ions", "ation", "ations")


def is_listed(word: str) -> bool:
    """Whether a lowercase word is in NLTK's English word list itself; False when the list is not installed."""
    return word in _english()


def is_english(word: str) -> bool:
    """Whether a lowercase word is in NLTK's English word list, or is a regular inflection of one (stations,
    tenses, processors, relationally, stored); False when the list is not installed."""
    known = _english()
    if word in known:
        return True
    for suffix in _SUFFIXES:
        # reel+ations and tra+ed are not inflections; box+es is
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix in ("s", "es") else 4):
            base = word[: -len(suffix)]
            if suffix == "d" and not base.endswith("e"):  # freed, agreed: not crudd
                continue
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh", "o", "i")):  # boxes, not conees
                continue
            if base in known or (suffix[0] == "e" and base.endswith("i") and base[:-1] + "y" in known):
                return True
            # a silent e dropped before a vowel (stored, storing, storer); never before s (possibls, propertis)
            if suffix[0] in "aeio" and base + "e" in known:
                return True
    return False
