"""The compact codec's byte encodings: varints, integer arrays of the narrowest type, posting lists (ids, weights
and values in three sections, decoded lazily) and positions as varint deltas."""

from __future__ import annotations

import struct
import sys
from array import array
from itertools import accumulate, pairwise

from whoosh.formats import Positions

F32 = struct.Struct("<f")
LITTLE = sys.byteorder == "little"
ARRAY_TYPES = ("B", "H", "I", "Q")
_ARRAY_LIMITS = (1 << 8, 1 << 16, 1 << 32, 1 << 64)


# -- varints and arrays -------------------------------------------------------------------------------------


def put_varint(out: bytearray, n: int) -> None:
    """Append n (>= 0) as a LEB128 varint."""
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def get_varint(buf, pos: int) -> tuple[int, int]:
    """The varint at pos, and the position after it."""
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7


def decode_varints(buf) -> list[int]:
    out: list[int] = []
    n = shift = 0
    for b in buf:
        n |= (b & 0x7F) << shift
        if b < 0x80:
            out.append(n)
            n = shift = 0
        else:
            shift += 7
    return out


def put_array(out: bytearray, numbers) -> None:
    """Non-negative integers as a type byte and a little-endian array of the narrowest type that holds them."""
    top = max(numbers, default=0)
    code = next(i for i, limit in enumerate(_ARRAY_LIMITS) if top < limit)
    arr = array(ARRAY_TYPES[code], numbers)
    if not LITTLE:
        arr.byteswap()
    out.append(code)
    out += arr.tobytes()


def get_array(buf, pos: int, count: int) -> tuple[array, int]:
    code = buf[pos]
    arr = array(ARRAY_TYPES[code])
    end = pos + 1 + count * arr.itemsize
    arr.frombytes(bytes(buf[pos + 1 : end]))
    if not LITTLE:
        arr.byteswap()
    return arr, end


# -- posting lists --------------------------------------------------------------------------------------------
# A list of postings is encoded as three sections, so a reader that wants only ids and weights (the BM25 tables)
# never decodes positions:  varint(len ids) ids | varint(len weights) weights | values.
#   ids:     varint(first id), then the deltas to the next ids as an array
#   weights: 0 = all 1.0 | 1 = all equal (f32) | 2 = integers (array) | 3 = f32 each
#   values:  0 = none (empty) | 1 = all equal: varint(len) bytes | 2 = lengths array + the values joined


def encode_postings(ids, weights, values) -> bytes:
    """ids, weights and values of a run of postings (ids ascending) as bytes."""
    count = len(ids)
    sec = bytearray()
    put_varint(sec, ids[0])
    if count > 1:
        put_array(sec, [b - a for a, b in pairwise(ids)])
    out = bytearray()
    put_varint(out, len(sec))
    out += sec

    sec = bytearray()
    first = weights[0]
    if all(w == 1.0 for w in weights):
        sec.append(0)
    elif all(w == first for w in weights):
        sec.append(1)
        sec += F32.pack(first)
    elif all(w == int(w) and 0 <= w < 1 << 32 for w in weights):
        sec.append(2)
        put_array(sec, [int(w) for w in weights])
    else:
        sec.append(3)
        sec += array("f", weights).tobytes() if LITTLE else b"".join(F32.pack(w) for w in weights)
    put_varint(out, len(sec))
    out += sec

    vals = [v or b"" for v in values] if values else []
    if not any(vals):
        out.append(0)
    elif len(vals) == count and all(v == vals[0] for v in vals):
        out.append(1)
        put_varint(out, len(vals[0]))
        out += vals[0]
    else:
        out.append(2)
        put_array(out, [len(v) for v in vals])
        out += b"".join(vals)
    return bytes(out)


class _Sections:
    """Lazy decoder of encode_postings' bytes: each section is decoded when first asked for."""

    __slots__ = ("_wpos", "buf", "count")

    def __init__(self, buf, count: int) -> None:
        self.buf = buf
        self.count = count
        idlen, pos = get_varint(buf, 0)
        self._wpos = pos + idlen

    def ids(self) -> list[int]:
        buf = self.buf
        _, pos = get_varint(buf, 0)
        first, pos = get_varint(buf, pos)
        if self.count == 1:
            return [first]
        deltas, _ = get_array(buf, pos, self.count - 1)
        return list(accumulate(deltas, initial=first))

    def weights(self) -> array:
        buf, count = self.buf, self.count
        _, pos = get_varint(buf, self._wpos)
        kind = buf[pos]
        if kind == 0:
            return array("f", [1.0]) * count
        if kind == 1:
            return array("f", [F32.unpack_from(buf, pos + 1)[0]]) * count
        if kind == 2:
            ints, _ = get_array(buf, pos + 1, count)
            return array("f", ints)
        arr = array("f", bytes(buf[pos + 1 : pos + 1 + 4 * count]))
        if not LITTLE:
            arr.byteswap()
        return arr

    def values(self, empty) -> tuple:
        buf, count = self.buf, self.count
        wlen, pos = get_varint(buf, self._wpos)
        pos += wlen
        kind = buf[pos]
        if kind == 0:
            return (empty,) * count
        if kind == 1:
            vlen, pos = get_varint(buf, pos + 1)
            return (bytes(buf[pos : pos + vlen]),) * count
        lengths, pos = get_array(buf, pos + 1, count)
        data = bytes(buf[pos:])
        ends = list(accumulate(lengths))
        return tuple(data[e - n : e] for e, n in zip(ends, lengths, strict=True))


class CompactPositions(Positions):
    """Whoosh's Positions format with each posting's positions as varint deltas (the count is implied)."""

    def encode(self, poslist) -> bytes:
        out = bytearray()
        base = 0
        for pos in poslist:
            put_varint(out, pos - base)
            base = pos
        return bytes(out)

    def decode_positions(self, valuestring) -> list[int]:
        return list(accumulate(decode_varints(valuestring)))

    def decode_frequency(self, valuestring) -> int:
        return sum(1 for b in valuestring if b < 0x80)

    def decode_weight(self, valuestring) -> float:
        return self.decode_frequency(valuestring) * self.field_boost
