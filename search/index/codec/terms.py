"""The term file: sorted, front-coded term records found by a binary search over blocks, and the W3 terms reader,
field writer and field cursor over it."""

from __future__ import annotations

import pickle
import struct
from array import array
from bisect import bisect_right
from collections.abc import Iterator

from whoosh.codec.base import FieldCursor
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermsReader
from whoosh.reading import TermNotFound

from search.index.codec.blocks import CompactTermInfo
from search.index.codec.encoding import ARRAY_TYPES, get_array, get_varint, put_array, put_varint
from search.index.errors import IndexVersionError


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
        put_array(out, self._blocks)
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
        itemsize = array(ARRAY_TYPES[tail[0]]).itemsize
        self._blocks, _ = get_array(tail, 0, (len(tail) - 1) // itemsize)
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


class CompactFieldWriter(W3FieldWriter):
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


class CompactTermsReader(W3TermsReader):
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
