"""Near-duplicate signatures: b-bit MinHash over word shingles, and LSH bands to find candidates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from hashlib import sha1
from itertools import chain

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
    """Assigns each new signature to the cluster of its most similar earlier member, or a new one."""

    def __init__(self) -> None:
        # band key (see _band_keys) -> rows holding it, as a tuple: most keys hold one row, and the keys of a new
        # row are stored by one dict.update instead of a Python loop over the 64 bands.
        self._bands: dict[int, tuple[int, ...]] = {}
        self._sigs = np.zeros((1024, NUM_PERM), np.uint8)  # row n: the n-th signature added (grown by doubling)
        self._cluster: list[str] = []

    def add(self, sig: bytes, cluster: str) -> None:
        """Remember an article already in a cluster (for example one read from the index)."""
        keys = _band_keys(sig)
        self._add(sig, cluster, keys, list(map(self._bands.get, keys)))

    def _add(self, sig: bytes, cluster: str, keys: list[int], held: list[tuple[int, ...] | None]) -> None:
        """Store row n for the signature; ``held`` is what each of its band keys held before."""
        if len(sig) != NUM_PERM:  # an empty (or foreign) signature is never similar to anything
            return
        n = len(self._cluster)
        if n == len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
        self._sigs[n] = np.frombuffer(sig, np.uint8)
        self._cluster.append(cluster)
        row = (n,)
        if any(held):
            grown = [(key, row if rows is None else rows + row) for key, rows in zip(keys, held, strict=True)]
            self._bands.update(kv for kv in grown if len(kv[1]) <= BAND_ROWS_MAX)
        else:
            self._bands.update(dict.fromkeys(keys, row))

    def assign(self, sig: bytes, own_id: str) -> str:
        """The cluster for a new article: an earlier near-duplicate's, else its own id.

        Among the candidates (articles sharing an LSH band) the most similar one at or above THRESHOLD wins;
        on a tie, the one met last in band order (as a plain loop with ``>=`` would choose).
        """
        keys = _band_keys(sig)
        best = own_id
        held = list(map(self._bands.get, keys))
        found = [rows for rows in held if rows is not None]
        if found:
            candidates = np.fromiter(dict.fromkeys(chain.from_iterable(found)), np.int64)
            agree = np.count_nonzero(self._sigs[candidates] == np.frombuffer(sig, np.uint8), axis=1) / NUM_PERM
            chance = 1 / 256
            sims = np.maximum(0.0, (agree - chance) / (1 - chance))
            top = sims.max()
            if top >= THRESHOLD:
                best = self._cluster[int(candidates[np.flatnonzero(sims == top)[-1]])]
        if sig:
            self._add(sig, best, keys, held)
        return best


_BAND_DTYPE = np.dtype(f">u{ROWS_PER_BAND}")  # a band's bytes read as one big-endian number
_BAND_INDEX = np.arange(NUM_PERM // ROWS_PER_BAND, dtype=np.int64) << (8 * ROWS_PER_BAND)


def _band_keys(sig: bytes) -> list[int]:
    """One int per LSH band: the band's index and its bytes (the same bands as ``bands``, as ints for speed)."""
    if len(sig) != NUM_PERM:
        return []
    return (np.frombuffer(sig, _BAND_DTYPE).astype(np.int64) + _BAND_INDEX).tolist()
