"""Near-duplicate signatures: b-bit MinHash over word shingles, and LSH bands to find candidates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SHINGLE = 5  # words per shingle
ROWS_PER_BAND = 2  # 64 bands of 2 bytes: a 0.28-Jaccard pair becomes a candidate 99% of the time
THRESHOLD = 0.2  # estimated Jaccard of 5-word shingles at or above which two articles are one story
_WORD = re.compile(r"\w+")


@cache
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """The set of k-word shingles of a text (lowercased words)."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str) -> bytes:
    """A 128-byte signature: the low byte of each of 128 MinHash values (b-bit MinHash, b=8)."""
    grams = shingles(text)
    if not grams:
        return b""
    m = MinHash(num_perm=NUM_PERM, seed=1, permutations=_template().permutations, scheme="affine32")
    m.update_batch(list(grams))
    return (m.hashvalues & 0xFF).astype(np.uint8).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets."""
    if not a or not b or len(a) != len(b):
        return 0.0
    agree = np.count_nonzero(np.frombuffer(a, np.uint8) == np.frombuffer(b, np.uint8)) / len(a)
    chance = 1 / 256
    return max(0.0, (agree - chance) / (1 - chance))


def bands(sig: bytes) -> Iterator[str]:
    """LSH band keys: two signatures that share one are candidates for a near-duplicate pair."""
    for i in range(0, len(sig), ROWS_PER_BAND):
        yield f"{i // ROWS_PER_BAND}:{sig[i : i + ROWS_PER_BAND].hex()}"


class Clusters:
    """Assigns each new signature to the cluster of its most similar earlier member, or a new one."""

    def __init__(self) -> None:
        self._bands: dict[str, list[int]] = {}
        self._sigs: list[bytes] = []
        self._cluster: list[str] = []

    def add(self, sig: bytes, cluster: str) -> None:
        """Remember an article already in a cluster (for example one read from the index)."""
        n = len(self._sigs)
        self._sigs.append(sig)
        self._cluster.append(cluster)
        for key in bands(sig):
            self._bands.setdefault(key, []).append(n)

    def assign(self, sig: bytes, own_id: str) -> str:
        """The cluster for a new article: an earlier near-duplicate's, else its own id."""
        best, best_sim = own_id, THRESHOLD
        seen: set[int] = set()
        for key in bands(sig):
            for n in self._bands.get(key, ()):
                if n in seen:
                    continue
                seen.add(n)
                sim = similarity(sig, self._sigs[n])
                if sim >= best_sim:
                    best, best_sim = self._cluster[n], sim
        if sig:
            self.add(sig, best)
        return best
