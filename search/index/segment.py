"""A Whoosh segment writer for bulk indexing: fields analysed in the worker processes, cheap length lookups.

Stock ``SegmentWriter.add_document`` runs every analyzer in the one writing process, and its flush asks the
per-document reader for a field length once per posting (a file-exists check for every posting of a field
without lengths). Both dominate a profile of the single writer; this subclass moves the first to the workers
(``analyse``) and answers the second from arrays read once (``_Lengths``). The index it writes is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PostingsWriter, _lenfield
from whoosh.fields import Schema
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from search.index.codec import CompactCodec
from search.index.schema import build_schema

# (term bytes, frequency, weight, encoded value) per unique term, as Whoosh's FieldType.index() yields them.
Postings = list[tuple[bytes, int, float, bytes]]


@cache
def _schema() -> Schema:
    return build_schema()


def analyse(fields: Mapping[str, object]) -> dict[str, tuple[object, Postings]]:
    """Worker side: field name -> (the value analysed, its postings), for every indexed field present."""
    schema = _schema()
    out: dict[str, tuple[object, Postings]] = {}
    for name, value in fields.items():
        if value is not None and name in schema and schema[name].indexed:
            out[name] = (value, list(schema[name].index(value)))
    return out


# The codec of indexes written before CompactCodec (search.index.codec), kept so their segments still open:
# the table of contents names each segment's codec. A posting list shorter than INLINE_LIMIT lives in the term
# dictionary instead of a block of its own in the postings file. Whoosh's own default (1) inlines nothing, and
# its inlining path calls a method that does not exist (set_inline for set_inlined); _InliningPostingsWriter
# is that path, fixed.
INLINE_LIMIT = 2


class InliningCodec(W3Codec):
    """Whoosh's W3 codec with single-article posting lists inlined in the term dictionary (older indexes)."""

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids: bool = False):
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class _InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            # Formats without values (ID, KEYWORD) store none; inline an empty value per posting so a merge
            # reading this list back gets bytes, as it does from a block.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class BulkSegmentWriter(SegmentWriter):
    """SegmentWriter that takes pre-analysed fields and flushes without a per-posting length lookup.

    ``before_toc``, when set, runs once the commit's segments are written and before its table of contents
    (the commit point), with the final segment list and the new generation: what it writes beside the index
    is part of the commit (a crash before the table of contents leaves the last commit, and its files, as
    they were).
    """

    before_toc: Callable[[list, int], None] | None = None

    def __init__(self, ix, **kwargs) -> None:
        kwargs.setdefault("codec", CompactCodec())
        super().__init__(ix, **kwargs)
        # Postings analysed in the workers (by build_schema's fields) fit only fields of the same format: an
        # index made before a format change gets its postings made here, by its own schema.
        current = _schema()
        self._same_format = {
            name
            for name, field in self.schema.items()
            if name in current and _same_format(field.format, current[name].format)
        }

    def add_analysed(self, fields: Mapping[str, object], analysed: Mapping[str, tuple[object, Postings]]) -> None:
        """Add one document; a field in ``analysed`` whose value matches is not analysed again here."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    ready = analysed.get(name) if name in self._same_format else None
                    items = ready[1] if ready is not None and ready[0] == value else field.index(value)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in items:  # no _boost kwargs here, so weights stay as given
                        if scorable:
                            length += freq
                        add_post((name, tbytes, docnum, weight, vbytes))
                if field.separate_spelling() or field.vector:  # not in our schema; keep Whoosh's own path
                    raise NotImplementedError(f"field {name!r} needs Whoosh's add_document")
                perdocwriter.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _commit_toc(self, segments) -> None:
        if self.before_toc is not None:
            self.before_toc(list(segments), self.generation)
        super()._commit_toc(segments)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, _Lengths(pdr) if pdr else None, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()


def _same_format(a, b) -> bool:
    return type(a) is type(b) and getattr(a, "field_boost", None) == getattr(b, "field_boost", None)


class _Lengths:
    """Field lengths of the new segment, each field's column decoded once instead of once per posting."""

    def __init__(self, pdr) -> None:
        self._pdr = pdr
        self._cache: dict[str, list[int] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            lengths = self._cache[fieldname]
        except KeyError:
            lengths = self._cache[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]

    def _load(self, fieldname: str) -> list[int] | None:
        reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return None
        # As W3PerDocReader.doc_field_length: a zero byte gives None (the posting writer treats it as 0).
        return [byte_to_length(b) if b else None for b in reader]
