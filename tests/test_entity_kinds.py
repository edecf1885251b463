"""EntityKind: the one list of entity kinds every stage reads (index fields, request filters, URL parameters)."""

from __future__ import annotations

from dataclasses import fields

import pytest
from werkzeug.datastructures import MultiDict

from search.documents import ENTITY_FIELDS, ENTITY_KINDS, EntityKind
from search.index.schema import build_schema
from search.query.types import ArchiveStats, DocumentView, Facets, Hit, SearchRequest
from search.web.params import parse_search, to_params
from search.web.settings import Settings


def test_kinds_are_found_by_type_name_and_by_field() -> None:
    assert [k.value for k in ENTITY_KINDS] == ["person", "organization", "place"]
    assert EntityKind("organization") is EntityKind.ORGANIZATION
    assert EntityKind.of_field("places") is EntityKind.PLACE
    with pytest.raises(ValueError):
        EntityKind("event")
    with pytest.raises(KeyError):
        EntityKind.of_field("sources")


def test_every_kind_has_its_index_fields() -> None:
    schema = build_schema()
    for kind in ENTITY_KINDS:
        assert schema[kind.field].stored and schema[kind.words_field].analyzer is not None


@pytest.mark.parametrize("record", [SearchRequest, Hit, Facets, DocumentView, ArchiveStats])
def test_every_record_carries_every_kind(record: type) -> None:
    assert set(ENTITY_FIELDS) <= {f.name for f in fields(record)}


def test_each_kind_filters_by_its_url_parameter() -> None:
    args = MultiDict([(kind.param, f"{kind.title} One") for kind in ENTITY_KINDS])
    req = parse_search(args, Settings())
    for kind in ENTITY_KINDS:
        assert getattr(req, kind.field) == (f"{kind.title} One",)
    assert to_params(req) == list(args.items(multi=True))
