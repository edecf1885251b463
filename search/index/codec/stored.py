"""Stored fields: pickled articles in zlib-compressed blocks with a per-segment preset dictionary, and plain
byte-string columns in blocks."""

from __future__ import annotations

import pickle
import struct
import zlib
from bisect import bisect_right

from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter

from search.index.codec.encoding import get_array, get_varint, put_array, put_varint

STORED_BLOCK_BYTES = 8 * 1024  # raw bytes of pickled articles per compressed block (16 KB: 2% smaller, 2x the read)
STORED_CACHE_BLOCKS = 32  # decompressed stored blocks a reader keeps (a results page reads ~10 articles)
ZDICT_BYTES = 32 * 1024  # zlib's largest preset dictionary
ZDICT_SAMPLE_BYTES = 256 * 1024  # the first stored bytes of a segment, held to make its dictionary from
ZDICT_MIN_BYTES = 64 * 1024  # a segment with less stored data than this gets no dictionary
ZDICT_EVERY = 8  # the dictionary: every eighth article of the sample, its last 32 KB


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
            put_array(out, self._firsts)
            put_array(out, self._offsets)
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
            self._firsts, pos = get_array(tail, pos, count)
            self._offsets, pos = get_array(tail, pos, count)
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


class CompactPerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        if fieldname == "_stored":
            column = STORED_COLUMN
        super()._create_column(fieldname, column)


class CompactPerDocReader(W3PerDocReader):
    def stored_fields(self, docnum):
        reader = self._cached_reader("_stored", STORED_COLUMN)
        if reader is None:
            return {}
        value = reader[docnum]
        return {} if value is None else value
