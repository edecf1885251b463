"""A compact Whoosh codec: the W3 file layout with small encodings, so the index is a fraction of Whoosh's size.

Whoosh's W3 codec pickles everything: each posting block carries a 4-byte tag, a pickled header and a pickled
(zlib'd) tuple of ids, weights and values; each term's info is a 35-byte struct (plus a pickle when inlined);
stored fields are one zlib stream per article, too short to compress well. On a news archive, where most terms
occur in one or a few articles, those fixed costs outweigh the text itself. This codec keeps W3's structure (the
hashed, ordered term file; blocks of up to 128 postings with their maximum id and weight for skipping; one
column file per column) and changes only the encodings:

- posting blocks: a varint header, ids as a first id plus deltas in the narrowest array type, weights as small
  integers when they are (frequencies), values as one copy when all equal; zlib only when it saves bytes;
- term infos: varints, with short posting lists inlined in the same encoding;
- the term file: sorted records with varint lengths, front-coded in blocks of 8 keys, found by a binary
  search over the blocks' first keys, without Whoosh's hash tables;
- stored fields: pickled articles grouped into ~8 KB blocks, each block zlib-compressed with a dictionary
  sampled from the segment (news text compresses to 0.45 of its size this way, to 0.57 article by article);
  the last few blocks read stay decompressed;
- ``CompactPositions``: positions as varint deltas instead of a 4-byte count and a pickled list.

Readers keep W3LeafMatcher's block attributes (``_ids``, ``_weights``, ``_values``, ``_i``, ``_blocklength``,
``_maxid``, ``_read_ids``...), which the query core's numpy readers use. Segments written by the W3 codec (or
``InliningCodec``) keep their own codec in the table of contents, so older indexes open and merge as before.
"""

from __future__ import annotations

import pickle
import struct
import sys
import zlib
from collections.abc import Iterator
from array import array
from bisect import bisect_right
from itertools import accumulate, pairwise

from whoosh.codec.base import FieldCursor
from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.columns import Column, ColumnReader, ColumnWriter
from whoosh.formats import Positions
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.index.errors import IndexVersionError

_F32 = struct.Struct("<f")
_LITTLE = sys.byteorder == "little"
_ARRAY_TYPES = ("B", "H", "I", "Q")
_ARRAY_LIMITS = (1 << 8, 1 << 16, 1 << 32, 1 << 64)
STORED_BLOCK_BYTES = 8 * 1024  # raw bytes of pickled articles per compressed block (16 KB: 2% smaller, 2x the read)
STORED_CACHE_BLOCKS = 32  # decompressed stored blocks a reader keeps (a results page reads ~10 articles)
ZDICT_BYTES = 32 * 1024  # zlib's largest preset dictionary
ZDICT_SAMPLE_BYTES = 256 * 1024  # the first stored bytes of a segment, held to make its dictionary from
ZDICT_MIN_BYTES = 64 * 1024  # a segment with less stored data than this gets no dictionary
ZDICT_EVERY = 8  # the dictionary: every eighth article of the sample, its last 32 KB


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


def _decode_varints(buf) -> list[int]:
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


def _put_array(out: bytearray, numbers) -> None:
    """Non-negative integers as a type byte and a little-endian array of the narrowest type that holds them."""
    top = max(numbers, default=0)
    code = next(i for i, limit in enumerate(_ARRAY_LIMITS) if top < limit)
    arr = array(_ARRAY_TYPES[code], numbers)
    if not _LITTLE:
        arr.byteswap()
    out.append(code)
    out += arr.tobytes()


def _get_array(buf, pos: int, count: int) -> tuple[array, int]:
    code = buf[pos]
    arr = array(_ARRAY_TYPES[code])
    end = pos + 1 + count * arr.itemsize
    arr.frombytes(bytes(buf[pos + 1 : end]))
    if not _LITTLE:
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
        _put_array(sec, [b - a for a, b in pairwise(ids)])
    out = bytearray()
    put_varint(out, len(sec))
    out += sec

    sec = bytearray()
    first = weights[0]
    if all(w == 1.0 for w in weights):
        sec.append(0)
    elif all(w == first for w in weights):
        sec.append(1)
        sec += _F32.pack(first)
    elif all(w == int(w) and 0 <= w < 1 << 32 for w in weights):
        sec.append(2)
        _put_array(sec, [int(w) for w in weights])
    else:
        sec.append(3)
        sec += array("f", weights).tobytes() if _LITTLE else b"".join(_F32.pack(w) for w in weights)
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
        _put_array(out, [len(v) for v in vals])
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
        deltas, _ = _get_array(buf, pos, self.count - 1)
        return list(accumulate(deltas, initial=first))

    def weights(self) -> array:
        buf, count = self.buf, self.count
        _, pos = get_varint(buf, self._wpos)
        kind = buf[pos]
        if kind == 0:
            return array("f", [1.0]) * count
        if kind == 1:
            return array("f", [_F32.unpack_from(buf, pos + 1)[0]]) * count
        if kind == 2:
            ints, _ = _get_array(buf, pos + 1, count)
            return array("f", ints)
        arr = array("f", bytes(buf[pos + 1 : pos + 1 + 4 * count]))
        if not _LITTLE:
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
        lengths, pos = _get_array(buf, pos + 1, count)
        data = bytes(buf[pos:])
        ends = list(accumulate(lengths))
        return tuple(data[e - n : e] for e, n in zip(ends, lengths, strict=True))


class CompactTermInfo(W3TermInfo):
    """W3's term statistics as varints; a short posting list inlined in the compact posting encoding."""

    # flags: 1 inlined, 2 weight is an integer, 4 max weight is an integer

    def set_inline(self, ids, weights, values) -> None:  # the name W3PostingsWriter calls
        self.set_inlined(ids, weights, values)

    # Inlined: flags, min/max length bytes, varint(count), the postings (the rest follows from them).
    # Otherwise: flags, varint df, weight, max weight, min/max length bytes, varint min id, varint (max - min id),
    # varint offset and length of the blocks in the postings file.

    def to_bytes(self) -> bytes:
        inlined = self._inlined is not None
        weight, maxweight = self._weight, self._maxweight
        flags = 1 if inlined else (2 if _is_int(weight) else 0) | (4 if _is_int(maxweight) else 0)
        out = bytearray((flags,))
        if not inlined:
            put_varint(out, self._df)
            _put_weight(out, weight, flags & 2)
            _put_weight(out, maxweight, flags & 4)
        out.append(0 if self._minlength is None else length_to_byte(self._minlength))
        out.append(length_to_byte(self._maxlength))
        if inlined:
            put_varint(out, len(self._inlined[0]))
            out += encode_postings(*self._inlined)
            return bytes(out)
        minid = self._minid or 0
        put_varint(out, minid)
        put_varint(out, (self._maxid or 0) - minid)
        put_varint(out, self._offset)
        put_varint(out, self._length)
        return bytes(out)

    @classmethod
    def from_bytes(cls, s) -> CompactTermInfo:
        info = cls()
        flags = s[0]
        if flags & 1:
            info._minlength = byte_to_length(s[1])
            info._maxlength = byte_to_length(s[2])
            count, pos = get_varint(s, 3)
            sections = _Sections(bytes(s[pos:]), count)
            ids, weights = sections.ids(), sections.weights()
            info._inlined = (ids, weights, sections.values(b""))
            info._df = count
            info._weight = sum(weights)
            info._maxweight = max(0, max(weights))
            info._minid, info._maxid = ids[0], ids[-1]
            return info
        info._df, pos = get_varint(s, 1)
        info._weight, pos = _get_weight(s, pos, flags & 2)
        info._maxweight, pos = _get_weight(s, pos, flags & 4)
        info._minlength = byte_to_length(s[pos])
        info._maxlength = byte_to_length(s[pos + 1])
        info._minid, pos = get_varint(s, pos + 2)
        span, pos = get_varint(s, pos)
        info._maxid = info._minid + span
        info._offset, pos = get_varint(s, pos)
        info._length, _ = get_varint(s, pos)
        return info


def _is_int(w: float) -> bool:
    return w == int(w) and 0 <= w < 1 << 62


def _put_weight(out: bytearray, w: float, is_int: int) -> None:
    if is_int:
        put_varint(out, int(w))
    else:
        out += _F32.pack(w)


def _get_weight(s, pos: int, is_int: int) -> tuple[float, int]:
    if is_int:
        n, pos = get_varint(s, pos)
        return float(n), pos
    return _F32.unpack_from(s, pos)[0], pos + 4


class _CompactPostingsWriter(W3PostingsWriter):
    """Blocks: varint(length << 1 | last), varint count, varint max id, f32 max weight, min/max length bytes,
    a compression byte, then the encoded postings (zlib'd when that is smaller)."""

    def add_posting(self, id_, weight, vbytes, length=None) -> None:
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        self._values.append(vbytes or b"")
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(list(self._ids), list(self._weights), list(self._values))
        else:
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        self._terminfo.add_block(self)
        data = encode_postings(self._ids, self._weights, self._values)
        comp = 0
        if self._compression and len(data) > 64:
            packed = zlib.compress(data, self._compression)
            if len(packed) < len(data):
                data, comp = packed, 1
        head = bytearray()
        put_varint(head, len(self._ids))
        put_varint(head, self._ids[-1])
        head += _F32.pack(self._maxweight)
        head.append(length_to_byte(self._minlength))
        head.append(length_to_byte(self._maxlength))
        head.append(comp)
        size = bytearray()
        put_varint(size, (len(head) + len(data)) << 1 | (1 if last else 0))
        self._postfile.write(bytes(size + head) + data)
        self._blockcount += 1
        self._new_block()


class _CompactLeafMatcher(W3LeafMatcher):
    """W3LeafMatcher over compact blocks: the same block attributes, decoded from the compact encoding."""

    def _read_header(self) -> None:
        self._baseoffset = self._startoffset

    def _goto(self, position: int) -> None:
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        head = self._postfile.get(position, 32)
        word, pos = get_varint(head, 0)
        self._lastblock = bool(word & 1)
        self._nextoffset = position + pos + (word >> 1)
        self._blocklength, pos = get_varint(head, pos)
        self._maxid, pos = get_varint(head, pos)
        self._maxweight = _F32.unpack_from(head, pos)[0]
        self._minlength = byte_to_length(head[pos + 4])
        self._maxlength = byte_to_length(head[pos + 5])
        self._compression = head[pos + 6]
        self._dataoffset = position + pos + 7

    def _read_data(self) -> None:
        b = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            b = zlib.decompress(b)
        self._data = _Sections(bytes(b), self._blocklength)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        self._ids = self._data.ids()

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        self._weights = self._data.weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        self._values = self._data.values(None if self._fixedsize == 0 else b"")


# -- term file ------------------------------------------------------------------------------------------------


class _TermFileWriter:
    """Sorted (key, value) records, front-coded in blocks of TERM_BLOCK keys, then the blocks' offsets.

    Whoosh's ordered hash file spends 8 bytes of fixed-width lengths, 24 of hash table and a 2-8 byte position
    on every key, and stores each key whole. Here a record is varint(bytes shared with the previous key, 0 at a
    block's start), varint(rest length), varint(value length), the rest of the key, the value; a lookup is a
    binary search over the blocks' first keys and a scan of one block.
    Layout: ``NTF2``, the records, the block offsets (type byte + array), the pickled extras, and a 24-byte
    trailer: offsets of the block array and of the extras, and the number of keys.
    """

    def __init__(self, dbfile) -> None:
        self.dbfile = dbfile
        self.extras: dict[str, object] = {}
        self._blocks: list[int] = []
        self._count = 0
        self._lastkey = b""
        self._base = dbfile.tell()
        dbfile.write(_TERMS_MAGIC)

    def add(self, key: bytes, value: bytes) -> None:
        last = self._lastkey
        if key <= last and self._count:
            raise ValueError(f"Keys must increase: {last!r}..{key!r}")
        shared = 0
        if self._count % TERM_BLOCK == 0:
            self._blocks.append(self.dbfile.tell() - self._base)
        else:
            limit = min(len(key), len(last))
            while shared < limit and key[shared] == last[shared]:
                shared += 1
        head = bytearray()
        put_varint(head, shared)
        put_varint(head, len(key) - shared)
        put_varint(head, len(value))
        self.dbfile.write(bytes(head) + key[shared:] + value)
        self._lastkey = key
        self._count += 1

    def close(self) -> None:
        dbfile = self.dbfile
        indexpos = dbfile.tell() - self._base
        out = bytearray()
        _put_array(out, self._blocks)
        dbfile.write(bytes(out))
        extraspos = dbfile.tell() - self._base
        dbfile.write(pickle.dumps(self.extras, 4))
        dbfile.write(struct.pack("<QQQ", indexpos, extraspos, self._count))
        dbfile.close()


TERM_BLOCK = 8  # keys per front-coded block of the term file (16: 1% smaller, lookups a third slower)


def _record_head(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """A term record's three varints (shared, rest, value length) and the position after them."""
    a, b, c = data[pos], data[pos + 1], data[pos + 2]
    if a < 0x80 and b < 0x80 and c < 0x80:  # nearly always: one byte each
        return a, b, c, pos + 3
    shared, pos = get_varint(data, pos)
    rest, pos = get_varint(data, pos)
    vlen, pos = get_varint(data, pos)
    return shared, rest, vlen, pos


_TERMS_MAGIC = b"NTF2"


class _TermFileLookup:
    """What both term-file readers share: lookups and iteration built on their ``range_for_key`` and
    ``ranges_from`` (the interface Whoosh's hash readers offer)."""

    dbfile: object
    is_closed: bool

    def close(self) -> None:
        if not self.is_closed:
            self.dbfile.close()
            self.is_closed = True

    def __getitem__(self, key: bytes) -> bytes:
        datapos, datalen = self.range_for_key(key)
        return bytes(self.dbfile.get(datapos, datalen))

    def __contains__(self, key: bytes) -> bool:
        try:
            self.range_for_key(key)
        except KeyError:
            return False
        return True

    def get(self, key: bytes, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return (k for k, _, _ in self.ranges_from(b""))

    def items(self):
        get = self.dbfile.get
        return ((k, bytes(get(p, n))) for k, p, n in self.ranges_from(b""))

    def keys_from(self, key: bytes):
        return (k for k, _, _ in self.ranges_from(key))

    def items_from(self, key: bytes):
        get = self.dbfile.get
        return ((k, bytes(get(p, n))) for k, p, n in self.ranges_from(key))


class _BlockTermFileReader(_TermFileLookup):
    """Reads _TermFileWriter's file with the lookups the W3 terms reader makes of a hash file."""

    def __init__(self, dbfile, length: int) -> None:
        self.dbfile = dbfile
        self.is_closed = False
        indexpos, extraspos, _count = struct.unpack("<QQQ", bytes(dbfile.get(length - 24, 24)))
        self.extras = pickle.loads(bytes(dbfile.get(extraspos, length - 24 - extraspos)))
        tail = bytes(dbfile.get(indexpos, extraspos - indexpos))
        itemsize = array(_ARRAY_TYPES[tail[0]]).itemsize
        self._blocks, _ = _get_array(tail, 0, (len(tail) - 1) // itemsize)
        self.endofdata = indexpos
        self._firsts: list[bytes] | None = None

    def _block(self, b: int) -> list[tuple[bytes, int, int]]:
        """(key, value position, value length) of every record in block b."""
        start = self._blocks[b]
        end = self._blocks[b + 1] if b + 1 < len(self._blocks) else self.endofdata
        data = bytes(self.dbfile.get(start, end - start))
        out = []
        pos, key = 0, b""
        n = len(data)
        while pos < n:
            shared, rest, vlen, pos = _record_head(data, pos)
            key = key[:shared] + data[pos : pos + rest]
            pos += rest
            out.append((key, start + pos, vlen))
            pos += vlen
        return out

    def _first_keys(self) -> list[bytes]:
        """Every block's first key, read once (a few bytes per 16 terms), so a lookup bisects in memory."""
        if self._firsts is None:
            get, firsts = self.dbfile.get, []
            for start in self._blocks:
                head = get(start, 16)
                _, pos = get_varint(head, 0)
                rest, pos = get_varint(head, pos)
                _, pos = get_varint(head, pos)
                firsts.append(bytes(get(start + pos, rest)))
            self._firsts = firsts
        return self._firsts

    def _block_for(self, key: bytes) -> int:
        """The last block whose first key is <= key (0 when key comes before every key)."""
        return max(bisect_right(self._first_keys(), key) - 1, 0)

    def ranges_from(self, key: bytes):
        """(key, value position, value length) of every record from key (or the next key after it) on."""
        if not self._blocks:
            return
        b = self._block_for(key)
        for rec in self._block(b):
            if rec[0] >= key:
                yield rec
        for later in range(b + 1, len(self._blocks)):
            yield from self._block(later)

    def range_for_key(self, key: bytes) -> tuple[int, int]:
        if not self._blocks:
            raise KeyError(key)
        b = self._block_for(key)
        start = self._blocks[b]
        end = self._blocks[b + 1] if b + 1 < len(self._blocks) else self.endofdata
        data = bytes(self.dbfile.get(start, end - start))
        pos, k, n = 0, b"", len(data)
        while pos < n:  # the block's records up to the key (or the first after it)
            shared, rest, vlen, pos = _record_head(data, pos)
            k = k[:shared] + data[pos : pos + rest]
            pos += rest
            if k >= key:
                if k == key:
                    return start + pos, vlen
                break
            pos += vlen
        raise KeyError(key)


class _CompactFieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment) -> None:  # W3FieldWriter's, with the compact hash writer
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = _TermFileWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def start_term(self, btext) -> None:
        if self._postwriter is None:
            raise Exception("Called start_term before start_field")
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, CompactTermInfo())


class _CompactFieldCursor(FieldCursor):
    """A field's terms in order, over either compact term file (W3's cursor jumps by hash-file positions)."""

    def __init__(self, tindex, fieldname, keycoder, keydecoder, fieldobj) -> None:
        self._tindex = tindex
        self._fieldname = fieldname
        self._keycoder = keycoder
        self._keydecoder = keydecoder
        self._fieldobj = fieldobj
        self._prefix = keycoder(fieldname, b"")
        self.first()

    def first(self):
        return self._seek(self._prefix)

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        return self._seek(self._keycoder(self._fieldname, term))

    def _seek(self, key: bytes):
        self._records = self._tindex.ranges_from(key)
        return self.next()

    def next(self):
        rec = next(self._records, None) if self._records is not None else None
        if rec is None or not rec[0].startswith(self._prefix):
            self._records = None
            self._text = self._datapos = self._datalen = None
            return None
        _, text = self._keydecoder(rec[0])
        self._text = self._fieldobj.from_bytes(text)
        self._datapos, self._datalen = rec[1], rec[2]
        return self._text

    def text(self):
        return self._text

    def term_info(self):
        if self._datapos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))

    def is_valid(self) -> bool:
        return self._datapos is not None


class _CompactTermsReader(W3TermsReader):
    def __init__(self, codec, dbfile, length, postfile) -> None:  # W3TermsReader's, over the compact term file
        self._codec = codec
        self._dbfile = dbfile
        magic = bytes(dbfile.get(0, 4))
        if magic != _TERMS_MAGIC:  # NTF1: an unblocked term file of development builds of 2026-11-22 (an hour)
            raise IndexVersionError(
                f"the index's term file has the unknown format {magic!r}: this index was written by an early build; "
                "index the articles again into a new folder"
            )
        self._tindex = _BlockTermFileReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname

    def cursor(self, fieldname, fieldobj):
        return _CompactFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self):
        decode = self._keydecoder
        return ((decode(k), CompactTermInfo.from_bytes(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return ((decode(k), CompactTermInfo.from_bytes(v)) for k, v in self._tindex.items_from(start))

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    # As W3's: KeyError for a missing term (the segment reader answers 0 for it).
    def frequency(self, fieldname, tbytes):
        return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)]).weight()

    def doc_frequency(self, fieldname, tbytes):
        value = self._tindex[self._keycoder(fieldname, tbytes)]
        return get_varint(value, 3 if value[0] & 1 else 1)[0]  # CompactTermInfo's count, without the rest

    def doc_frequencies(self, fieldname) -> Iterator[tuple[bytes, int]]:
        """(term, articles holding it) for every term of a field, decoding nothing else of the term records."""
        prefix = self._keycoder(fieldname, b"")
        get = self._tindex.dbfile.get
        decode = self._keydecoder
        for key, pos, n in self._tindex.ranges_from(prefix):
            if not key.startswith(prefix):
                return
            value = bytes(get(pos, n))
            yield decode(key)[1], get_varint(value, 3 if value[0] & 1 else 1)[0]


def doc_frequencies(reader, fieldname: str) -> dict[str, int]:
    """Every term of a field with the number of articles holding it, over all segments of a reader (the port the
    query core reads a whole vocabulary through: about a tenth of the cost of Whoosh's iter_field here)."""
    out: dict[str, int] = {}
    if fieldname not in reader.schema:
        return out
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        if isinstance(terms, _CompactTermsReader):
            pairs = terms.doc_frequencies(fieldname)
        else:
            pairs = ((t, info.doc_frequency()) for t, info in leaf.iter_field(fieldname))
        for tbytes, df in pairs:
            text = tbytes.decode("utf-8") if isinstance(tbytes, bytes) else str(tbytes)
            out[text] = out.get(text, 0) + df
    return out


# -- stored fields --------------------------------------------------------------------------------------------


class BlockPickleColumn(Column):
    """Per-article values pickled and zlib-compressed in blocks of several articles, with a preset dictionary.

    The dictionary (zlib's ``zdict``, up to 32 KB) is sampled from the segment's own first articles, so even the
    first bytes of a block find earlier matches: a tenth smaller than blocks alone on news text.
    File: the compressed blocks, then a directory (varint(block count), the first docnum and offset of each block
    as arrays, varint(dictionary length) and the dictionary), and an 8-byte offset of the directory at the end.
    A block decompresses to varint(article count), one varint length per article, then the pickles.
    """

    _default = None
    _pickled = True  # values are any picklable objects (BlockBytesColumn: bytes as they are)
    _zdict = True  # a preset dictionary per segment (worth its 32 KB only for long values such as article text)

    def __init__(self, blockbytes: int = STORED_BLOCK_BYTES, level: int = 6) -> None:
        self._blockbytes = blockbytes
        self._level = level

    def writer(self, dbfile):
        return self.Writer(dbfile, self._blockbytes, self._level, self._pickled, self._zdict)

    def reader(self, dbfile, basepos, length, doccount):
        return self.Reader(dbfile, basepos, length, doccount, self._pickled)

    class Writer(ColumnWriter):
        def __init__(self, dbfile, blockbytes: int, level: int, pickled: bool = True, zdict: bool = True) -> None:
            self._pickled = pickled
            self._use_zdict = zdict
            self._dbfile = dbfile
            self._base = dbfile.tell()
            self._blockbytes = blockbytes
            self._level = level
            self._firsts: list[int] = []
            self._offsets: list[int] = []
            self._pending: list[bytes] = []
            self._size = 0
            self._placed = 0  # the docnum of the next value placed in a block
            self._added = 0  # the docnum of the next value added
            self._head: list[bytes] | None = []  # the first values, held until the dictionary is made of them
            self._headsize = 0
            self._zdict = b""

        def add(self, docnum: int, value) -> None:
            while self._added < docnum:  # articles without stored fields
                self._queue(b"")
            self._queue(pickle.dumps(value, 5) if self._pickled else bytes(value))

        def _queue(self, raw: bytes) -> None:
            self._added += 1
            if self._head is None:
                self._append(raw)
                return
            self._head.append(raw)
            self._headsize += len(raw)
            if self._headsize >= ZDICT_SAMPLE_BYTES:
                self._start()

        def _start(self) -> None:
            """Make the dictionary from the values held (when there are enough to be worth one), then place them."""
            head, self._head = self._head or [], None
            if self._use_zdict and self._headsize >= ZDICT_MIN_BYTES:
                self._zdict = b"".join(head[::ZDICT_EVERY])[-ZDICT_BYTES:]
            for raw in head:
                self._append(raw)

        def _append(self, raw: bytes) -> None:
            if not self._pending:
                self._firsts.append(self._placed)
            self._pending.append(raw)
            self._size += len(raw)
            self._placed += 1
            if self._size >= self._blockbytes:
                self._flush()

        def _flush(self) -> None:
            if not self._pending:
                return
            head = bytearray()
            put_varint(head, len(self._pending))
            for raw in self._pending:
                put_varint(head, len(raw))
            self._offsets.append(self._dbfile.tell() - self._base)
            comp = zlib.compressobj(self._level, zdict=self._zdict) if self._zdict else zlib.compressobj(self._level)
            self._dbfile.write(comp.compress(bytes(head) + b"".join(self._pending)) + comp.flush())
            self._pending = []
            self._size = 0

        def finish(self, doccount: int) -> None:
            if self._head is not None:
                self._start()
            self._flush()
            dirpos = self._dbfile.tell() - self._base
            out = bytearray()
            put_varint(out, len(self._firsts))
            _put_array(out, self._firsts)
            _put_array(out, self._offsets)
            put_varint(out, len(self._zdict))
            self._dbfile.write(bytes(out) + self._zdict + struct.pack("<Q", dirpos))

    class Reader(ColumnReader):
        def __init__(self, dbfile, basepos: int, length: int, doccount: int, pickled: bool = True) -> None:
            ColumnReader.__init__(self, dbfile, basepos, length, doccount)
            self._pickled = pickled
            self._cache: dict[int, list] = {}
            self._zdict = b""
            if length < 8:
                self._firsts, self._offsets, self._dirpos = [], [], 0
                return
            self._dirpos = struct.unpack("<Q", dbfile.get(basepos + length - 8, 8))[0]
            tail = bytes(dbfile.get(basepos + self._dirpos, length - 8 - self._dirpos))
            count, pos = get_varint(tail, 0)
            self._firsts, pos = _get_array(tail, pos, count)
            self._offsets, pos = _get_array(tail, pos, count)
            if pos < len(tail):
                size, pos = get_varint(tail, pos)
                self._zdict = tail[pos : pos + size]

        def _block(self, i: int) -> list:
            cached = self._cache.get(i)
            if cached is not None:
                return cached
            start = self._offsets[i]
            end = self._offsets[i + 1] if i + 1 < len(self._offsets) else self._dirpos
            raw = self._dbfile.get(self._basepos + start, end - start)
            if self._zdict:
                dec = zlib.decompressobj(zdict=self._zdict)
                data = dec.decompress(raw) + dec.flush()
            else:
                data = zlib.decompress(raw)
            count, pos = get_varint(data, 0)
            lengths = []
            for _ in range(count):
                n, pos = get_varint(data, pos)
                lengths.append(n)
            values = []
            for n in lengths:
                values.append(data[pos : pos + n])
                pos += n
            if len(self._cache) >= STORED_CACHE_BLOCKS:
                self._cache.clear()
            self._cache[i] = values
            return values

        def __getitem__(self, docnum: int):
            i = bisect_right(self._firsts, docnum) - 1
            values = self._block(i) if i >= 0 else []
            k = docnum - self._firsts[i] if i >= 0 else 0
            raw = values[k] if k < len(values) else b""
            if not self._pickled:
                return bytes(raw)
            return pickle.loads(raw) if raw else None

        def __iter__(self):
            for docnum in range(self._doccount):
                yield self[docnum]


class BlockBytesColumn(BlockPickleColumn):
    """Byte strings zlib-compressed in blocks, without a dictionary: for repetitive short values read in bulk
    (source file names, duplicate-cluster ids), a twentieth of their size."""

    _default = b""
    _pickled = False
    _zdict = False


STORED_COLUMN = BlockPickleColumn()


class _CompactPerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        if fieldname == "_stored":
            column = STORED_COLUMN
        super()._create_column(fieldname, column)


class _CompactPerDocReader(W3PerDocReader):
    def stored_fields(self, docnum):
        reader = self._cached_reader("_stored", STORED_COLUMN)
        if reader is None:
            return {}
        value = reader[docnum]
        return {} if value is None else value


# -- the codec ------------------------------------------------------------------------------------------------

# A posting list shorter than this lives in the term file (its info is then a few bytes longer) instead of a
# block of its own in the postings file. Most terms of a news archive (numbers, names, typos) occur in a few
# articles (5,000 Reuters articles: 16 takes 2% off the index against 4).
INLINE_LIMIT = 16


class CompactCodec(W3Codec):
    """W3's layout with compact encodings of postings, term infos and stored fields (see the module docstring)."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def per_document_writer(self, storage, segment):
        return _CompactPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _CompactPerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return _CompactFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids: bool = False):
        if byteids:  # term vectors: not in our schema; keep W3's own encoding
            return super().postings_writer(dbfile, byteids=True)
        return _CompactPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=False,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return _CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return _CompactTermsReader(self, tifile, tilen, postfile)


# -- formats --------------------------------------------------------------------------------------------------


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
        return list(accumulate(_decode_varints(valuestring)))

    def decode_frequency(self, valuestring) -> int:
        return sum(1 for b in valuestring if b < 0x80)

    def decode_weight(self, valuestring) -> float:
        return self.decode_frequency(valuestring) * self.field_boost
