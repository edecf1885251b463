"""Worker side of the index: the postings of an article's fields, made before they reach the single writer.

The text fields get their postings from the news analyzer in one loop of our own (``positions_postings``: the
same postings as Whoosh's, a third of the cost); the rest from Whoosh (``segment.analyse``), remembered per value
for the fields whose values repeat (date, dateline, source, entity values).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from whoosh.fields import FieldType
from whoosh.formats import Positions

from search.index.analysis import positions_postings
from search.documents import ENTITY_FIELDS
from search.index.schema import build_schema
from search.index.segment import Postings, analyse

Analysed = dict[str, tuple[object, Postings]]  # field name -> (the value analysed, its postings)
_POSTINGS_MEMO: dict[tuple[str, object], tuple[object, Postings]] = {}
_POSTINGS_MEMO_MAX = 100_000


def analyse_fields(fields: Mapping[str, object]) -> Analysed:
    """The postings of every indexed field of one article."""
    positional = _positional_fields()
    repeating = _repeating_fields()
    memo = _POSTINGS_MEMO
    out: Analysed = {}
    rest: dict[str, object] = {}
    for name, value in fields.items():
        field = positional.get(name)
        if field is not None and isinstance(value, str):
            fmt = field.format
            postings = positions_postings(field.analyzer, value, fmt.encode, fmt.field_boost)
            if postings is not None:
                out[name] = (value, postings)
                continue
        if name in repeating and value is not None:
            key = (name, value)
            hit = memo.get(key)
            if hit is None:
                hit = analyse({name: value})[name]
                if len(memo) >= _POSTINGS_MEMO_MAX:
                    memo.clear()
                memo[key] = hit
            out[name] = hit
            continue
        rest[name] = value
    out.update(analyse(rest))
    return out


def entity_terms(fields: Mapping[str, object], analysed: Analysed) -> list[tuple[str, bytes]]:
    """(entity field, term) of every entity value the article is indexed under, field by field."""
    terms: list[tuple[str, bytes]] = []
    for name in ENTITY_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        ready = analysed.get(name)
        postings = ready[1] if ready is not None and ready[0] == value else _schema_field(name).index(value)
        terms.extend((name, term) for term, *_ in postings)
    return terms


@cache
def _repeating_fields() -> frozenset[str]:
    """Indexed fields analysed by Whoosh whose values repeat across articles: every one but the unique id."""
    positional = _positional_fields()
    return frozenset(
        name
        for name, field in build_schema().items()
        if field.indexed and name not in positional and not getattr(field, "unique", False)
    )


@cache
def _schema_field(name: str) -> FieldType:
    return build_schema()[name]


@cache
def _positional_fields() -> dict[str, FieldType]:
    """The schema's indexed fields whose format is Whoosh's Positions (or one that only re-encodes positions)."""
    return {
        name: field
        for name, field in build_schema().items()
        if field.indexed
        and isinstance(field.format, Positions)
        and type(field.format).word_values is Positions.word_values
    }
