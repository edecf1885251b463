"""Posting lists on disk: term infos as varints (short lists inlined), blocks of up to 128 postings written and
read with the attributes of Whoosh's W3 leaf matcher (``_ids``, ``_weights``, ``_values``, ``_i``,
``_blocklength``, ``_maxid``, ``_read_ids``...), which search.index.postings reads whole."""

from __future__ import annotations

import zlib

from whoosh.codec.whoosh3 import W3LeafMatcher, W3PostingsWriter, W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.index.codec.encoding import F32, _Sections, encode_postings, get_varint, put_varint


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
        out += F32.pack(w)


def _get_weight(s, pos: int, is_int: int) -> tuple[float, int]:
    if is_int:
        n, pos = get_varint(s, pos)
        return float(n), pos
    return F32.unpack_from(s, pos)[0], pos + 4


class CompactPostingsWriter(W3PostingsWriter):
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
        head += F32.pack(self._maxweight)
        head.append(length_to_byte(self._minlength))
        head.append(length_to_byte(self._maxlength))
        head.append(comp)
        size = bytearray()
        put_varint(size, (len(head) + len(data)) << 1 | (1 if last else 0))
        self._postfile.write(bytes(size + head) + data)
        self._blockcount += 1
        self._new_block()


class CompactLeafMatcher(W3LeafMatcher):
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
        self._maxweight = F32.unpack_from(head, pos)[0]
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
