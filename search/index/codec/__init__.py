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
``_maxid``, ``_read_ids``...), which search.index.postings reads whole blocks through (the query core reads
postings only through that port). Segments written by the W3 codec (or ``InliningCodec``) keep their own codec in
the table of contents, so older indexes open and merge as before.

The package, by job: ``encoding`` (varints, arrays, posting lists, positions), ``blocks`` (term infos, posting
blocks written and read), ``terms`` (the term file and its readers), ``stored`` (stored-field columns); the codec
itself is here.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.matching import ListMatcher

from search.index.codec.blocks import CompactLeafMatcher, CompactPostingsWriter, CompactTermInfo
from search.index.codec.encoding import CompactPositions, _Sections, encode_postings, get_varint, put_varint
from search.index.codec.stored import (
    STORED_COLUMN,
    BlockBytesColumn,
    BlockPickleColumn,
    CompactPerDocReader,
    CompactPerDocWriter,
)
from search.index.codec.terms import CompactFieldWriter, CompactTermsReader, _BlockTermFileReader, _TermFileWriter

__all__ = [
    "STORED_COLUMN",
    "BlockBytesColumn",
    "BlockPickleColumn",
    "CompactCodec",
    "CompactPositions",
    "CompactTermInfo",
    "CompactTermsReader",
    "_BlockTermFileReader",
    "_Sections",
    "_TermFileWriter",
    "encode_postings",
    "get_varint",
    "put_varint",
]

# An index's table of contents pickles its schema and each segment's codec, and so names these classes by module:
# they keep the name they had when the codec was one module, so indexes written before and after open either way.
for _cls in (BlockBytesColumn, BlockPickleColumn, CompactPositions):
    _cls.__module__ = __name__

# A posting list shorter than this lives in the term file (its info is then a few bytes longer) instead of a
# block of its own in the postings file. Most terms of a news archive (numbers, names, typos) occur in a few
# articles (5,000 Reuters articles: 16 takes 2% off the index against 4).
INLINE_LIMIT = 16


class CompactCodec(W3Codec):
    """W3's layout with compact encodings of postings, term infos and stored fields (see the module docstring)."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def per_document_writer(self, storage, segment):
        return CompactPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return CompactPerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids: bool = False):
        if byteids:  # term vectors: not in our schema; keep W3's own encoding
            return super().postings_writer(dbfile, byteids=True)
        return CompactPostingsWriter(
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
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return CompactTermsReader(self, tifile, tilen, postfile)
