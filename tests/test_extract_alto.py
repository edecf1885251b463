"""ALTO XML pages and METS packaging: text in reading order, pages, hyphenation, the issue's date and title
from METS, and malformed files reported while the rest of the folder is indexed. Fixtures made here."""

from __future__ import annotations

from pathlib import Path

from bench.pages import alto_xml, mets_xml
from search.documents import PAGE_BREAK, PartialDate
from search.extract import alto
from search.extract.errors import Skipped
from search.extract.sources import discover, extract_file
from search.index.writer import index_paths

FRONT = [
    "Harbour accord signed",
    "Ministers from eleven coastal states met in Lisbon on Thursday to sign the Harbour Cities Accord.",
]
BACK = ["Lighthouse keepers gathered in Valletta to mark the centenary of the harbour light."]


def _doc(raw: bytes, name: str = "page.xml"):
    [doc] = alto.extract(raw, name)
    return doc


def test_alto_pages_blocks_and_hyphenated_words() -> None:
    doc = _doc(alto_xml([FRONT, BACK], line_chars=30))
    front, back = doc.body.split(PAGE_BREAK)
    assert "Harbour Cities Accord" in " ".join(front.split())  # words split over lines come back whole
    assert "Valletta" in back and "centenary" in " ".join(back.split())
    assert "-\n" not in doc.body
    assert doc.title == "Harbour accord signed"
    assert doc.origin == "alto"


def test_alto_reading_order_wins_over_the_order_in_the_file() -> None:
    raw = alto_xml([["First block of the story.", "Second block of the story."]], reading_order=["TB1", "TB2"])
    assert raw.index(b'ID="TB2"') < raw.index(b'ID="TB1"')  # written backwards
    doc = _doc(raw)
    assert doc.body.index("First block") < doc.body.index("Second block")


def test_alto_without_hyphenation_attributes_rejoins_on_the_hyp_element() -> None:
    raw = alto_xml([["The dredging of the northern channel starts in spring."]], line_chars=20)
    raw = raw.replace(b' SUBS_TYPE="HypPart1"', b"").replace(b' SUBS_TYPE="HypPart2"', b"")
    assert "northern channel" in " ".join(_doc(raw).body.split())


def test_mets_gives_the_issue_date_paper_and_page_and_is_not_an_article(tmp_path: Path) -> None:
    issue = tmp_path / "gazette" / "1921-03-04"
    (issue / "alto").mkdir(parents=True)
    (issue / "alto" / "0001.xml").write_bytes(alto_xml([FRONT]))
    (issue / "alto" / "0002.xml").write_bytes(alto_xml([BACK]))
    (issue / "issue_mets.xml").write_bytes(
        mets_xml("The Sample Gazette", "1921-03-04", ["alto/0001.xml", "alto/0002.xml"])
    )
    found = list(discover([tmp_path]))
    assert [f.rel for f in found] == ["gazette/1921-03-04/alto/0001.xml", "gazette/1921-03-04/alto/0002.xml"]
    second = found[1]
    [doc] = extract_file(second, second.path.read_bytes())
    assert doc.date == PartialDate(1921, 3, 4)
    assert doc.source == "The Sample Gazette"
    assert doc.title == "The Sample Gazette, 1921-03-04, page 2"
    assert "Valletta" in doc.body


def test_malformed_alto_and_mets_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "good.xml").write_bytes(alto_xml([FRONT]))
    (folder / "torn.xml").write_bytes(alto_xml([BACK])[:300])
    (folder / "other.xml").write_bytes(b"<rss><channel><title>Not ALTO</title></channel></rss>")
    (folder / "mets.xml").write_bytes(b"<mets:mets xmlns:mets='http://www.loc.gov/METS/'><unclosed>")
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<alto><Layout><Page><TextBlock><TextLine><String CONTENT="Harbour"/></TextLine></TextBlock>'
        b"<TextBlock><TextLine><String CONTENT='&amp;'/>&secret;</TextLine></TextBlock></Page></Layout></alto>"
    )
    (folder / "entity.xml").write_bytes(entity)
    summary = index_paths([folder], tmp_path / "index", workers=1)
    reasons = {s.where: s.reason for s in summary.skipped}
    assert "not well-formed XML" in reasons["torn.xml"]
    assert "not an ALTO file" in reasons["other.xml"] and "<rss>" in reasons["other.xml"]
    assert "METS ignored" in reasons["mets.xml"]
    assert summary.added == 2  # good.xml, and entity.xml without its entity
    [items] = [extract_file(f, entity) for f in discover([folder]) if getattr(f, "rel", "") == "entity.xml"]
    assert not any(isinstance(i, Skipped) for i in items)
    assert "root:" not in items[0].body
