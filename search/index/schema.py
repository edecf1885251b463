"""The Whoosh schema: what is searchable, what is stored, what facets are made of."""

from __future__ import annotations

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from search.enrich.analysis import news_analyzer

SCHEMA_VERSION = 1
ENTITY_FIELDS = ("people", "organizations", "places")


def build_schema() -> Schema:
    """Build the index schema; the body analyzer is the query parser's analyzer too."""
    analyzer = news_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        # Columns read in bulk by the incremental writer: the source file, its fingerprint, the article's.
        path=ID(stored=True, sortable=True),
        source_hash=ID(sortable=True),
        content_hash=ID(sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        # Start of the (possibly partial) date: sortable, for ranges and the histogram.
        date=DATETIME(stored=True, sortable=True),
        date_text=STORED(),  # "YYYY", "YYYY-MM" or "YYYY-MM-DD": the date with its precision
        dated=ID(),  # "y" or "n": undated articles are findable and countable
        author=TEXT(analyzer=names, stored=True),
        source=ID(stored=True),
        dateline=ID(stored=True),
        url=STORED(),
        # Canonical entity values: exact terms, one per real entity, used as facets and filters.
        people=KEYWORD(stored=True, commas=True, scorable=True),
        organizations=KEYWORD(stored=True, commas=True, scorable=True),
        places=KEYWORD(stored=True, commas=True, scorable=True),
        # Canonical values and aliases as words, so `person:lavrov` finds "Sergey Lavrov".
        people_words=TEXT(analyzer=names),
        organizations_words=TEXT(analyzer=names),
        places_words=TEXT(analyzer=names),
        entities_json=STORED(),  # {"people": {"Sergey Lavrov": ["Lavrov", ...]}, ...}
        cluster=ID(stored=True, sortable=True),  # near-duplicate cluster id
        minhash=COLUMN(VarBytesColumn()),  # near-duplicate signature (search.enrich.duplicates)
        length=NUMERIC(stored=True),
    )


def name_analyzer() -> Analyzer:
    """Names as words: lowercased, accents folded, no stemming (Jaishankar, Lavrov, SCO)."""
    return RegexTokenizer(r"\w+(?:['’.]\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)
