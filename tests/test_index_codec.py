"""The compact codec stores what Whoosh's own codec stores in a fraction of the bytes; old indexes still work."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.query import Phrase, Prefix, Term
from whoosh.writing import SegmentWriter

from search.index.codec import (
    BlockBytesColumn,
    CompactCodec,
    CompactPositions,
    _BlockTermFileReader,
    _Sections,
    _TermFileWriter,
    encode_postings,
)
from search.index.schema import HashColumn, build_schema
from search.index.segment import BulkSegmentWriter, InliningCodec
from search.index.storage import INDEX_NAME, index_size, open_for_reading
from search.ingest import index_paths
from tests.helpers.articles import write_articles

WORDS = [
    *("harbour", "council", "ferry", "budget", "museum", "river", "flood"),
    *("grant", "tram", "union", "market", "school", "bridge", "rail"),
]


def _legacy_schema():
    """The schema as indexes made before the compact codec hold it: Whoosh's own Positions format."""
    schema = build_schema()
    for _name, field in schema.items():
        if isinstance(field.format, CompactPositions):
            field.format = Positions(field_boost=field.format.field_boost)
    return schema


def _articles(count: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 400)))
        if n % 7 == 0:
            body += f" only{n} rare{n % 3}"  # terms in one or a few articles: inlined in the term file
        docs.append(
            {
                "id": f"a{n:04d}",
                "title": f"{rng.choice(WORDS)} report {n}",
                "body": body,
                "people": ",".join(rng.sample(["Ana Lopes", "Rui Costa", "Eva Silva"], rng.randint(0, 2))),
                "dated": "y",
                "length": len(body.split()),
            }
        )
    return docs


def _build(index_dir: Path, schema, codec, docs: list[dict[str, object]]) -> None:
    index_dir.mkdir()
    ix = whoosh_index.create_in(str(index_dir), schema, indexname=INDEX_NAME)
    writer = SegmentWriter(ix, codec=codec)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()


def _everything(index_dir: Path) -> dict[str, object]:
    """Every term's statistics and postings (ids, weights, positions) and every article's stored fields."""
    ix = open_for_reading(index_dir)
    out: dict[str, object] = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            m = reader.postings(field, term)
            fmt = reader.schema[field].format
            posts = []
            while m.is_active():
                positions = m.value_as("positions") if fmt.supports("positions") else None
                posts.append((m.id(), m.weight(), positions))
                m.next()
            stats = (reader.doc_frequency(field, term), reader.frequency(field, term))
            out[f"{field}:{term!r}"] = (stats, posts)
        out["stored"] = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
    return out


@pytest.mark.parametrize(
    ("ids", "weights", "values"),
    [
        ([5], [1.0], [b""]),
        ([0, 1, 2, 300, 70000], [1.0, 2.0, 3.0, 1.0, 9.0], [b"\x01", b"\x01\x02", b"", b"abc", b"\x00"]),
        ([3, 9], [2.5, 2.5], [b"\x00\x00\x00\x01", b"\x00\x00\x00\x01"]),
        ([10, 11, 12], [0.5, 1.25, 7.0], [b"x", b"y", b"z"]),
        (list(range(0, 2**33, 2**31)), [1.0] * 4, [b""] * 4),
    ],
)
def test_a_run_of_postings_decodes_to_what_was_encoded(ids, weights, values) -> None:
    sections = _Sections(encode_postings(ids, weights, values), len(ids))
    assert sections.ids() == ids
    assert list(sections.weights()) == weights
    assert list(sections.values(b"")) == values


def test_compact_positions_round_trip_and_give_the_frequency() -> None:
    fmt = CompactPositions(field_boost=2.0)
    positions = [0, 1, 5, 130, 20000, 20001]
    value = fmt.encode(positions)
    assert fmt.decode_positions(value) == positions
    assert fmt.decode_frequency(value) == 6
    assert fmt.decode_weight(value) == 12.0
    assert len(value) < len(Positions().encode(positions)) / 2


def test_compact_index_holds_the_same_terms_postings_and_stored_fields_as_whooshs_codec(tmp_path: Path) -> None:
    docs = _articles(300)  # common words fill several 128-posting blocks; stored text fills several blocks
    _build(tmp_path / "w3", _legacy_schema(), InliningCodec(), docs)
    _build(tmp_path / "compact", build_schema(), CompactCodec(), docs)
    assert _everything(tmp_path / "compact") == _everything(tmp_path / "w3")
    assert index_size(tmp_path / "compact") < index_size(tmp_path / "w3") / 2


def test_phrases_prefixes_and_lookups_by_id_work_on_the_compact_index(tmp_path: Path) -> None:
    docs = _articles(120)
    _build(tmp_path / "ix", build_schema(), CompactCodec(), docs)
    ix = open_for_reading(tmp_path / "ix")
    pair = "harbour council"
    expected = {d["id"] for d in docs if pair in str(d["body"])}
    with ix.searcher() as searcher:
        found = {hit["id"] for hit in searcher.search(Phrase("body", ["harbour", "council"]), limit=None)}
        assert found == expected and expected
        assert searcher.document(id="a0042")["title"] == docs[42]["title"]
        assert searcher.document_number(id="a0119") == 119
        rare = {hit["id"] for hit in searcher.search(Prefix("body", "only"), limit=None)}
        assert rare == {d["id"] for d in docs if " only" in str(d["body"])}
        reader = searcher.reader()
        assert "harbour" in set(reader.terms_within("body", "harbor", 1))  # fuzzy: the field's cursor
        assert {t.decode() for t in reader.expand_prefix("body", "rare")} == {f"rare{n}" for n in range(3)}
        assert len(searcher.search(Term("people", "Ana Lopes"), limit=None)) == sum(
            "Ana Lopes" in str(d["people"]) for d in docs
        )


def test_an_index_made_before_the_compact_codec_opens_takes_new_articles_and_merges(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    old_docs = _articles(40)
    _build(index_dir, _legacy_schema(), InliningCodec(), old_docs)
    folder = write_articles(tmp_path / "new", 12)[0].parent
    summary = index_paths([folder], index_dir, workers=1, entities=False)
    assert summary.added == 12 and summary.documents == 52

    def check() -> None:
        ix = open_for_reading(index_dir)
        assert type(ix.schema["body"].format) is Positions  # the index keeps the format it was made with
        with ix.searcher() as searcher:
            new = {hit["id"] for hit in searcher.search(Phrase("body", ["northern", "ship", "council"]), limit=None)}
            old = {hit["id"] for hit in searcher.search(Phrase("body", ["harbour", "council"]), limit=None)}
        assert len(new) > 0 and all(i.startswith("article-") for i in new)
        assert old == {d["id"] for d in old_docs if "harbour council" in str(d["body"])}

    check()
    BulkSegmentWriter(whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)).commit(optimize=True)
    check()


@pytest.mark.parametrize("value", ["", "0f" * 16, "abc", "ABCD", "ff00", "été", "reuters-000.jsonl"])
def test_a_hash_column_gives_back_the_string_it_was_given(value: str) -> None:
    column = HashColumn()
    assert column.from_column_value(column.to_column_value(value)) == value


def test_a_hex_digest_takes_half_its_text_in_a_hash_column() -> None:
    assert len(HashColumn().to_column_value("0f" * 16)) == 17


def test_the_term_file_finds_every_key_and_the_keys_after_any_key(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path))
    rng = random.Random(5)
    keys = sorted({bytes(rng.choice(b"abcde") for _ in range(rng.randint(1, 6))) for _ in range(700)})
    writer = _TermFileWriter(storage.create_file("terms"))
    writer.extras["fieldmap"] = {"body": 0}
    for k in keys:
        writer.add(k, k.upper() * 2)
    writer.close()
    reader = _BlockTermFileReader(storage.open_file("terms"), storage.file_length("terms"))
    assert reader.extras == {"fieldmap": {"body": 0}}
    assert [k for k, _ in reader.items()] == keys
    assert all(reader[k] == k.upper() * 2 for k in keys)
    for probe in (b"", b"a", b"abz", b"ca", b"dddddddd", b"e", b"eeeeeee", b"f"):
        assert list(reader.keys_from(probe)) == [k for k in keys if k >= probe]
        assert (probe in reader) == (probe in keys)
    with pytest.raises(KeyError):
        reader[b"zzz"]


@pytest.mark.parametrize("blockbytes", [64, 16 * 1024])  # many blocks; the default size
def test_a_block_bytes_column_gives_back_every_value_and_empty_bytes_for_articles_without_one(
    tmp_path: Path, blockbytes: int
) -> None:
    storage = FileStorage(str(tmp_path))
    column = BlockBytesColumn(blockbytes=blockbytes)
    writer = column.writer(storage.create_file("col"))
    values = {n: f"reuters-{n % 7:03d}.jsonl".encode() for n in range(0, 500) if n % 11}
    for docnum, value in values.items():
        writer.add(docnum, value)
    writer.finish(503)
    writer._dbfile.close()
    reader = column.reader(storage.open_file("col"), 0, storage.file_length("col"), 503)
    assert [reader[d] for d in range(503)] == [values.get(d, b"") for d in range(503)]
    assert list(reader) == [values.get(d, b"") for d in range(503)]
    if blockbytes > 1024:
        assert storage.file_length("col") < sum(map(len, values.values())) / 10


def test_an_index_in_a_term_file_format_no_longer_read_says_to_index_again(tmp_path: Path, capsys) -> None:
    from search.__main__ import main as cli

    folder = write_articles(tmp_path / "articles", 6)[0].parent
    index_dir = tmp_path / "ix"
    index_paths([folder], index_dir, workers=1, entities=False)
    for seg in index_dir.glob("*.seg"):  # the first compact term files (NTF1), unblocked, read by no build now
        data = seg.read_bytes()
        assert data.count(b"NTF2") == 1
        seg.write_bytes(data.replace(b"NTF2", b"NTF1"))
    for argv in (["query", "council", "--index", str(index_dir)], ["index", str(folder), "--index", str(index_dir)]):
        assert cli(argv) != 0
        err = capsys.readouterr().err
        assert "index the articles again into a new folder" in err and "Traceback" not in err
