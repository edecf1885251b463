"""Plain-text articles read the way a reader reads them: date, headline, byline, dateline, no boilerplate."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.documents import PartialDate
from search.extract.errors import ExtractError
from search.extract.text import extract


def _seed(seeds_dir: Path, prefix: str):
    path = next(seeds_dir.glob(f"{prefix}_*.txt"))
    return extract(path.read_bytes(), path.name)[0]


@pytest.mark.parametrize(
    ("prefix", "date"),
    [("000", "2023-05-04"), ("001", "2023-05-04"), ("002", "2023-05-05"), ("004", "2023-12-27")],
)
def test_seed_date_line_gives_a_day_precise_date(seeds_dir: Path, prefix: str, date: str) -> None:
    doc = _seed(seeds_dir, prefix)
    assert str(doc.date) == date
    assert doc.date.precision == "day"


def test_seed_without_date_line_is_undated_and_keeps_its_headline(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "003")
    assert doc.date is None
    assert doc.title == "Top diplomats talk about two-sided relations ahead of Modi’s trip to Moscow"
    assert not doc.body.startswith("Top diplomats")


def test_byline_becomes_the_author_and_leaves_the_body(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "002")
    assert doc.author == "Ateet Sharma"
    assert "By Ateet Sharma" not in doc.body


def test_dateline_becomes_the_dateline_place(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "004")
    assert doc.dateline == "Moscow"
    assert doc.body.startswith("External Affairs Minister S Jaishankar")


def test_boilerplate_is_kept_out_of_the_body(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "000")
    assert "Advertisement" not in doc.body
    assert "Also read:" not in doc.body
    assert "pic.twitter.com" not in doc.body
    assert "(With agency inputs)" not in doc.body
    assert "Jaishankar and Lavrov reviewed the overall trajectory" in doc.body


def test_trailing_legal_disclaimer_and_wire_codes_are_dropped(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "003")
    assert "Legal Disclaimer" not in doc.body
    assert "without warranty" not in doc.body
    assert "MENAFN17072024" not in doc.body
    assert doc.source == "MENAFN"
    assert doc.body.rstrip().endswith("“national interest.”")


def test_lead_sentence_of_the_date_line_is_part_of_the_body(seeds_dir: Path) -> None:
    doc = _seed(seeds_dir, "001")
    assert doc.body.startswith("Russian Foreign Minister Sergey Lavrov, who arrived in India")
    assert doc.title.startswith("Russian Foreign Minister Sergey Lavrov")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n ", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"PK\x03\x04zipped", "zip"),
        (b" date 2023-13-45 Lead\n\nBody", "malformed date line"),
        (b" date yesterday Lead\n\nBody", "malformed date line"),
        (b" date 2023-05-04\n\n", "no article text"),
    ],
)
def test_unreadable_files_raise_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ExtractError, match=reason):
        extract(raw, "bad.txt")


def test_latin1_text_is_decoded_not_rejected() -> None:
    doc = extract(
        " date 2004-11-02 Caf\xe9 owners in S\xe3o Paulo protest.\n\nMore text here.".encode("latin-1"), "a.txt"
    )[0]
    assert "Café" in doc.body and "São Paulo" in doc.body


@pytest.mark.parametrize(("text", "precision"), [("2023", "year"), ("2023-05", "month"), ("2023-05-04", "day")])
def test_partial_dates_keep_their_precision(text: str, precision: str) -> None:
    value = PartialDate.parse(text)
    assert value.precision == precision
    assert str(value) == text
    assert value.start().isoformat().startswith(text)


def test_byline_and_dateline_after_the_lead_of_a_date_line() -> None:
    raw = (
        b" date 2024-03-14 Ministers met in Lisbon on Thursday.\n\nBy Marta Quintela\n\n"
        b"LISBON: The minister opened the summit.\n\nMore text.\n"
    )
    doc = extract(raw, "a.txt")[0]
    assert (doc.author, doc.dateline) == ("Marta Quintela", "Lisbon")
    assert doc.body == "Ministers met in Lisbon on Thursday.\n\nThe minister opened the summit.\n\nMore text."
