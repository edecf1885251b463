"""The Whoosh schema: what is searchable, what is stored, what facets are made of."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.support.charset import accent_map

from search.documents import ENTITY_FIELDS, ENTITY_KINDS
from search.index.analysis import exact_analyzer, news_analyzer
from search.index.codec import BlockBytesColumn, CompactPositions

if TYPE_CHECKING:
    from search.enrich.pipeline import Enriched

SCHEMA_VERSION = 3  # 2: text fields store positions as varints (CompactPositions); 3: the exact-word fields
# Title and body as written (lowercased, unstemmed), beside the stemmed fields: quoted words match these.
EXACT_FIELDS = {"title": "title_exact", "body": "body_exact"}


def build_schema() -> Schema:
    """Build the index schema; the body analyzer is the query parser's analyzer too."""
    analyzer = news_analyzer()
    exact = exact_analyzer()
    names = name_analyzer()
    schema = Schema(
        id=ID(stored=True, unique=True, sortable=True),
        # Columns read in bulk by the incremental writer: the source file, its fingerprint, the article's.
        # Never searched, so not indexed: a unique term per article costs more index than its text.
        path=StringColumn(stored=True, compressed=True),
        source_hash=HashColumn(),
        content_hash=HashColumn(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        # The same text unstemmed, neither stored nor spelt out again: "angell" is not "Angeles".
        title_exact=TEXT(analyzer=exact, field_boost=2.0),
        body_exact=TEXT(analyzer=exact),
        # Start of the (possibly partial) date: sortable, for ranges and the histogram.
        date=DATETIME(stored=True, sortable=True),
        date_text=STORED(),  # "YYYY", "YYYY-MM" or "YYYY-MM-DD": the date with its precision
        dated=ID(),  # "y" or "n": undated articles are findable and countable
        author=TEXT(analyzer=names, stored=True),
        source=ID(stored=True),
        dateline=ID(stored=True),
        url=STORED(),
        # Canonical entity values: exact terms, one per real entity, used as facets and filters.
        **{kind.field: KEYWORD(stored=True, commas=True, scorable=True) for kind in ENTITY_KINDS},
        # Canonical values and aliases as words, so `person:lavrov` finds "Sergey Lavrov".
        **{kind.words_field: TEXT(analyzer=names) for kind in ENTITY_KINDS},
        entities_json=STORED(),  # {"people": {"Sergey Lavrov": ["Lavrov", ...]}, ...}
        # near-duplicate cluster id (read as a column by the query core)
        cluster=StringColumn(stored=True, compressed=True),
        minhash=COLUMN(VarBytesColumn()),  # near-duplicate signature (search.enrich.duplicates)
        length=STORED(),  # words in the body
        origin=STORED(),  # "ocr" or "alto" when the text was read by OCR (absent for typed text)
    )
    for _name, field in schema.items():
        if type(field.format) is Positions:  # the same positions, a third of the bytes
            field.format = CompactPositions(field_boost=field.format.field_boost)
    return schema


class StringColumn(COLUMN):
    """A string kept per article as a column (and optionally stored), but never indexed: no terms, no postings."""

    def __init__(self, stored: bool = False, compressed: bool = False) -> None:
        # compressed: in zlib'd blocks (for repetitive values read in bulk), else Whoosh's plain VarBytesColumn
        super().__init__(BlockBytesColumn() if compressed else VarBytesColumn())
        self.stored = stored

    def to_column_value(self, value: str) -> bytes:
        return value.encode("utf-8")

    def from_column_value(self, value: bytes) -> str:
        return value.decode("utf-8")


class HashColumn(StringColumn):
    """A hex digest kept as its bytes (half the size); any other string is kept as it is, behind a tag byte."""

    def to_column_value(self, value: str) -> bytes:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = None
        if raw is not None and raw.hex() == value:
            return b"h" + raw
        return b"s" + value.encode("utf-8")

    def from_column_value(self, value: bytes) -> str:
        if value[:1] == b"h":
            return value[1:].hex()
        return value[1:].decode("utf-8")


def name_analyzer() -> Analyzer:
    """Names as words: lowercased, accents folded, no stemming (Jaishankar, Lavrov, SCO)."""
    return RegexTokenizer(r"\w+(?:['’.]\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)


def document_fields(result: Enriched) -> dict[str, object]:
    """The index fields of one enriched article, but its near-duplicate cluster (the indexing run assigns that)."""
    doc, ents = result.doc, result.entities
    groups = {kind.field: ents.of_type(kind.value) for kind in ENTITY_KINDS}
    fields: dict[str, object] = {
        "id": doc.id,
        "path": doc.path or doc.id,
        "source_hash": doc.extras.get("source_hash") or doc.content_hash,
        "content_hash": doc.content_hash,
        "title": doc.title,
        "body": doc.body,
        **{exact: getattr(doc, plain) for plain, exact in EXACT_FIELDS.items()},
        "date_text": str(doc.date) if doc.date else "",
        "dated": "y" if doc.date else "n",
        "author": doc.author,
        "source": doc.source,
        "dateline": doc.dateline,
        "url": doc.url,
        "entities_json": json.dumps({k: {v: list(a) for v, a in g.items()} for k, g in groups.items()}),
        "minhash": result.signature,
        "length": len(doc.body.split()),
    }
    if doc.origin:
        fields["origin"] = doc.origin
    if doc.date:
        start = doc.date.start()
        fields["date"] = datetime(start.year, start.month, start.day)
    for name, group in groups.items():
        fields[name] = ",".join(v.replace(",", " ") for v in group)
        fields[f"{name}_words"] = " ".join([*group, *(a for aliases in group.values() for a in aliases)])
    return fields
