"""The postings port gives what Whoosh's own matchers give, on the compact codec and on an older index's codec."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from whoosh.writing import SegmentWriter

from search.index.codec import BlockBytesColumn, CompactCodec, CompactPositions
from search.index.columns import build_columns
from search.index.postings import Postings, doc_frequencies, field_postings
from search.index.schema import build_schema
from search.index.segment import InliningCodec
from search.index.storage import open_for_reading, open_for_writing
from tests.test_index_codec import _articles, _build, _legacy_schema


def _three_segments(index_dir: Path, schema, codec) -> None:
    """Articles over three segments, with a few of the first deleted (deleted articles keep their postings)."""
    docs = _articles(260)
    _build(index_dir, schema, codec, docs[:150])
    ix = open_for_writing(index_dir)
    for part in (docs[150:220], docs[220:]):
        writer = SegmentWriter(ix, codec=codec)
        for doc in part:
            writer.add_document(**doc)
        writer.commit(merge=False)
    writer = SegmentWriter(ix, codec=codec)
    for n in (3, 77, 151, 240):
        writer.delete_by_term("id", f"a{n:04d}")
    writer.commit(merge=False)


@pytest.fixture(params=["compact", "legacy"], scope="module")
def reader(request, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp(request.param) / "ix"
    if request.param == "compact":
        _three_segments(index_dir, build_schema(), CompactCodec())
    else:
        _three_segments(index_dir, _legacy_schema(), InliningCodec())
    with open_for_reading(index_dir).reader() as r:
        assert len(r.leaf_readers()) == 3 and r.has_deletions()
        yield r


def _whoosh_postings(reader, field: str, term: str) -> list[tuple[int, float, list[int] | None]]:
    """(global docnum, weight, positions) of every live article holding the term, by Whoosh's matcher."""
    m = reader.postings(field, term)
    fmt = reader.schema[field].format
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value_as("positions") if fmt.supports("positions") else None))
        m.next()
    return out


def test_term_postings_weights_and_positions_are_whooshs(reader) -> None:
    port = Postings(reader)
    live = build_columns(reader, {}).live
    checked = 0
    for field, term in reader.all_terms():
        if field not in ("title", "body", "people"):
            continue
        text = term.decode("utf-8")
        ids, weights = port.postings(field, text)
        assert np.all(np.diff(ids) > 0)
        keep = live[ids]
        expected = _whoosh_postings(reader, field, term)
        assert ids[keep].tolist() == [d for d, _, _ in expected]
        assert weights[keep].tolist() == [w for _, w, _ in expected]
        if field == "body":
            found = port.positions(field, text, ids[keep])
            assert found == {d: p for d, _, p in expected}
        checked += 1
    assert checked > 100


def test_positions_are_read_only_for_the_documents_asked_for(reader) -> None:
    port = Postings(reader)
    ids, _ = port.postings("body", "harbour")
    chosen = ids[::5]
    assert set(port.positions("body", "harbour", chosen)) == set(chosen.tolist()) - {3, 77, 151, 240}
    assert port.positions("body", "nosuchword", chosen) == {}


def test_field_lengths_are_whooshs(reader) -> None:
    port = Postings(reader)
    lengths = port.lengths("body")
    assert lengths.shape == (reader.doc_count_all(),)
    assert [lengths[d] for d in (0, 150, 259)] == [reader.doc_field_length(d, "body", 0) for d in (0, 150, 259)]
    assert port.avg("body") == pytest.approx(float(lengths.sum()) / reader.doc_count())


def test_doc_frequencies_and_field_postings_cover_every_term_of_a_field(reader) -> None:
    expected = {t.decode("utf-8"): reader.doc_frequency("body", t) for t in reader.lexicon("body")}
    assert doc_frequencies(reader, "body") == expected
    assert doc_frequencies(reader, "no_such_field") == {}
    for leaf, _offset in reader.leaf_readers():
        for term, docs in field_postings(leaf, "people"):
            m = leaf.postings("people", term)
            assert [d for d in docs.tolist() if not leaf.is_deleted(d)] == list(m.all_ids())


def test_pickled_codec_classes_keep_the_module_name_old_indexes_hold() -> None:
    """A table of contents pickles these by module and name: the codec package must answer to the old name."""
    for obj in (CompactCodec(), CompactPositions(), BlockBytesColumn()):
        assert b"search.index.codec\x94\x8c" in pickle.dumps(obj, 4)
        assert type(pickle.loads(pickle.dumps(obj, 4))) is type(obj)
