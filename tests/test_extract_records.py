"""JSON, JSON Lines and CSV records, and the archivist's manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.extract.errors import ExtractError, Skipped
from search.extract.records import extract_csv, extract_json, extract_jsonl
from search.extract.sources import SourceFile, extract_file
from search.extract.walk import discover


def test_jsonl_records_keep_their_own_ids_and_bad_lines_are_reported() -> None:
    raw = (
        b'{"id": "a1", "title": "First", "body": "Text one", "date": "2021-03", "author": "Ann Lee"}\n'
        b"{not json\n"
        b'{"title": "No id", "text": "Text two", "url": "https://x.example/2"}\n'
        b'{"id": "a3", "title": "No body"}\n'
        b'{"id": "a4", "date": "2021"}\n'
    )
    out = extract_jsonl(raw, "feed.jsonl")
    docs = [d for d in out if not isinstance(d, Skipped)]
    skipped = [s for s in out if isinstance(s, Skipped)]
    assert [d.id for d in docs] == ["a1", "feed.jsonl#3", "a3"]
    assert str(docs[0].date) == "2021-03" and docs[0].date.precision == "month"
    assert docs[0].author == "Ann Lee"
    assert docs[1].url == "https://x.example/2"
    assert docs[2].body == docs[2].title == "No body"  # a headline without a body is still an article
    assert [s.where for s in skipped] == ["feed.jsonl#2", "feed.jsonl#5"]
    assert "malformed JSON line" in skipped[0].reason
    assert skipped[1].reason == "record has no text (no title and no body)"


def test_json_file_with_a_list_of_records() -> None:
    raw = json.dumps([{"title": "A", "body": "alpha", "date": "2020-01-02T10:00:00Z"}, {"body": "beta"}]).encode()
    docs = extract_json(raw, "dump.json")
    assert [d.id for d in docs] == ["dump.json#1", "dump.json#2"]
    assert str(docs[0].date) == "2020-01-02"
    assert docs[1].date is None


def test_malformed_json_file_is_an_error_with_its_position() -> None:
    with pytest.raises(ExtractError, match=r"malformed JSON: .* line 1"):
        extract_json(b'{"title": ', "x.json")


def test_csv_with_header_row() -> None:
    raw = (
        b'id,title,text,date,source\nc1,"Hello, world",Body text here,2019,Daily\n'
        b"c2,Other,,2019,Daily\nc3,,,2019,Daily\n"
    )
    out = extract_csv(raw, "t.csv")
    assert out[0].id == "c1" and out[0].title == "Hello, world" and str(out[0].date) == "2019"
    assert out[1].id == "c2" and out[1].body == "Other"
    assert isinstance(out[2], Skipped) and out[2].where == "t.csv#4"


def test_csv_without_a_body_column_is_rejected() -> None:
    with pytest.raises(ExtractError, match="no body/text column"):
        extract_csv(b"id,title\n1,x\n", "t.csv")


def test_record_with_a_bad_date_is_reported_not_indexed_with_a_wrong_date() -> None:
    out = extract_jsonl(b'{"id": "d", "body": "x", "date": "the day after"}\n', "f.jsonl")
    assert isinstance(out[0], Skipped) and "malformed date" in out[0].reason


def test_manifest_overrides_what_extraction_found(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" date 2020-01-01 Lead of a.\n\nBody of a.\n")
    (tmp_path / "b.txt").write_text("Body of b without a date.\n")
    (tmp_path / "manifest.csv").write_text("file,date,title,source\na.txt,2021-06,Better title,Archive\nb.txt,1999,,\n")
    found = {s.rel: s for s in discover([tmp_path]) if not isinstance(s, Skipped)}
    assert set(found) == {"a.txt", "b.txt"}  # the manifest itself is not an article
    a = extract_file(found["a.txt"], (tmp_path / "a.txt").read_bytes())[0]
    b = extract_file(found["b.txt"], (tmp_path / "b.txt").read_bytes())[0]
    assert (str(a.date), a.title, a.source) == ("2021-06", "Better title", "Archive")
    assert str(b.date) == "1999" and b.date.precision == "year"


def test_unsupported_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "track.mp3").write_bytes(b"ID3\x03")
    (tmp_path / ".hidden.txt").write_text("x")
    items = list(discover([tmp_path, tmp_path / "missing"]))
    reasons = {i.where: i.reason for i in items if isinstance(i, Skipped)}
    assert "unsupported file type" in reasons["track.mp3"]
    assert "no such file or folder" in reasons[str(tmp_path / "missing")]
    assert any(isinstance(i, SourceFile) and i.rel == ".hidden.txt" for i in items)  # read, like any other file


@pytest.mark.parametrize(
    ("extract", "raw"),
    [
        (extract_jsonl, b'{"id": "r1", "body": "Text", "dateline": "WASHINGTON,  March 2"}\n'),
        (extract_json, b'[{"id": "r1", "body": "Text", "dateline": "WASHINGTON,  March 2"}]'),
        (extract_csv, b'id,body,dateline\nr1,Text,"WASHINGTON,  March 2"\n'),
    ],
)
def test_a_records_dateline_is_kept(extract, raw: bytes) -> None:
    (doc,) = extract(raw, "wire")
    assert doc.dateline == "WASHINGTON, March 2"
