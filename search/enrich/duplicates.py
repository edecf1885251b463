"""Near-duplicate signatures: b-bit MinHash over word shingles, and LSH bands to find candidates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from hashlib import sha1

import numpy as np

NUM_PERM = 128
SHINGLE = 5  # words per shingle
ROWS_PER_BAND = 2  # 64 bands of 2 bytes: a 0.28-Jaccard pair becomes a candidate 99% of the time
THRESHOLD = 0.2  # estimated Jaccard of 5-word shingles at or above which two articles are one story
# Rows an LSH band key remembers. Beyond it a row is not added to that key: a story repeated a thousand times (a
# daily market report) would otherwise make each new copy compare with every earlier one (quadratic), while the
# first members already stand for the cluster. Unrelated rows share a 2-byte band by chance once in 65,536, so at
# a million articles a key holds ~15 of them: the cap leaves ordinary keys alone.
BAND_ROWS_MAX = 32
_BANDS = NUM_PERM // ROWS_PER_BAND
_WORD = re.compile(r"\w+")


# The MurmurHash3 32-bit finalizer constants (a fixed bijection that pre-mixes each shingle hash).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The 128 affine permutations h -> a*h + b (mod 2**32, a odd) of datasketch's MinHash(seed=1, "affine32")."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """The set of k-word shingles of a text (lowercased words)."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str) -> bytes:
    """A 128-byte signature: the low byte of each of 128 MinHash values (b-bit MinHash, b=8).

    The values are datasketch's ``MinHash(num_perm=128, seed=1, scheme="affine32")`` over the shingles (SHA-1's
    first 4 bytes, the MurmurHash3 finalizer, 128 affine maps, the minimum of each), computed for all shingles in
    one numpy step instead of datasketch's per-shingle Python calls: the same bytes, at a fraction of the cost."""
    grams = shingles(text)
    if not grams:
        return b""
    hv = np.frombuffer(b"".join([sha1(g).digest()[:4] for g in grams]), "<u4").astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    a, b = _permutations()
    mins = (hv[:, None] * a + b).min(axis=0)
    return (mins & 0xFF).astype(np.uint8).tobytes()


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
    """Assigns each new signature to the cluster of its most similar earlier member, or a new one.

    The LSH band table is a few numpy arrays, not a dict of Python tuples (about 4 KB an article at 20,000, well
    over 1 GB at a million): a band key is a number below 64 * 65,536, ``_head[key]`` is the newest entry holding
    it and ``_next[entry]`` the one before, an entry being ``row * 64 + band + 1`` (0 ends a chain). So each
    article costs its 128 signature bytes and 64 links of 4 bytes, and the per-key arrays are allocated once,
    zeroed lazily by the system (pages of keys never met take no memory).
    """

    def __init__(self) -> None:
        self._head = np.zeros(_BANDS << (8 * ROWS_PER_BAND), np.int32)  # key -> newest entry holding it, or 0
        self._held = np.zeros(len(self._head), np.uint8)  # key -> rows it holds (at most BAND_ROWS_MAX)
        self._next = np.zeros(1024 * _BANDS, np.int32)  # entry - 1 -> the previous entry of the same key, or 0
        self._sigs = np.zeros((1024, NUM_PERM), np.uint8)  # row n: the n-th signature added (grown by doubling)
        self._cluster: list[str] = []

    def add(self, sig: bytes, cluster: str) -> None:
        """Remember an article already in a cluster (for example one read from the index)."""
        self._add(sig, cluster, _band_keys(sig))

    def _add(self, sig: bytes, cluster: str, keys: np.ndarray) -> None:
        """Store row n for the signature and link it into the chains of its band keys that are not full."""
        if len(sig) != NUM_PERM:  # an empty (or foreign) signature is never similar to anything
            return
        n = len(self._cluster)
        if n == len(self._sigs):
            if (2 * n + 1) * _BANDS >= np.iinfo(np.int32).max:
                raise OverflowError("the near-duplicate table holds at most 16 million articles")
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
            self._next = np.concatenate([self._next, np.zeros_like(self._next)])
        self._sigs[n] = np.frombuffer(sig, np.uint8)
        self._cluster.append(cluster)
        keys = keys[self._held[keys] < BAND_ROWS_MAX]  # a full key keeps its first rows (see BAND_ROWS_MAX)
        entries = n * _BANDS + (keys >> (8 * ROWS_PER_BAND)) + 1
        self._next[entries - 1] = self._head[keys]
        self._head[keys] = entries
        self._held[keys] += 1

    def _candidates(self, keys: np.ndarray) -> np.ndarray:
        """The rows sharing a band key with a signature, each once, in band order and then in the order added."""
        found = []
        entries = self._head[keys]
        while True:
            entries = entries[entries != 0]
            if not entries.size:
                break
            found.append(entries)
            entries = self._next[entries - 1]
        if not found:
            return np.empty(0, np.int64)
        rows, band = np.divmod(np.concatenate(found).astype(np.int64) - 1, _BANDS)
        rows = rows[np.lexsort((rows, band))]
        _, first = np.unique(rows, return_index=True)
        return rows[np.sort(first)]

    def assign(self, sig: bytes, own_id: str) -> str:
        """The cluster for a new article: an earlier near-duplicate's, else its own id.

        Among the candidates (articles sharing an LSH band) the most similar one at or above THRESHOLD wins;
        on a tie, the one met last in band order (as a plain loop with ``>=`` would choose).
        """
        keys = _band_keys(sig)
        best = own_id
        candidates = self._candidates(keys)
        if candidates.size:
            agree = np.count_nonzero(self._sigs[candidates] == np.frombuffer(sig, np.uint8), axis=1) / NUM_PERM
            chance = 1 / 256
            sims = np.maximum(0.0, (agree - chance) / (1 - chance))
            top = sims.max()
            if top >= THRESHOLD:
                best = self._cluster[int(candidates[np.flatnonzero(sims == top)[-1]])]
        if sig:
            self._add(sig, best, keys)
        return best


_BAND_DTYPE = np.dtype(f">u{ROWS_PER_BAND}")  # a band's bytes read as one big-endian number
_BAND_INDEX = np.arange(_BANDS, dtype=np.int64) << (8 * ROWS_PER_BAND)


def _band_keys(sig: bytes) -> np.ndarray:
    """One number per LSH band: the band's index and its bytes (the same bands as ``bands``, as numbers)."""
    if len(sig) != NUM_PERM:
        return np.empty(0, np.int64)
    return np.frombuffer(sig, _BAND_DTYPE).astype(np.int64) + _BAND_INDEX
