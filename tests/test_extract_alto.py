"""ALTO XML pages and METS packaging: text in reading order, pages, hyphenation, the issue's date and title
from METS, articles from its logical structure map, malformed files reported while the rest is indexed."""

from __future__ import annotations

from pathlib import Path

from bench.pages import alto_xml, mets_xml
from search.documents import PAGE_BREAK, Document, PartialDate, page_at
from search.extract import alto
from search.extract.errors import Skipped
from search.extract.sources import SourceFile, extract_file, read_file
from search.extract.walk import discover
from search.ingest import index_paths

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


WEATHER = ["Weather: fair and mild along the coast, a fresh breeze by evening."]
HARBOUR_MORE = ["The accord opens the harbours of all eleven states to one another's fishing fleets from May."]


def _issue_with_articles(tmp_path: Path) -> Path:
    """An issue of two ALTO pages: a harbour story from page 1 onto page 2, a lighthouse story on page 2 without a
    LABEL, and a weather block on page 1 that no article holds."""
    issue = tmp_path / "gazette"
    (issue / "alto").mkdir(parents=True)
    (issue / "alto" / "0001.xml").write_bytes(alto_xml([[*FRONT, *WEATHER]]))
    (issue / "alto" / "0002.xml").write_bytes(alto_xml([[*HARBOUR_MORE, *BACK]]))
    articles = [
        ("Harbour accord signed", [(1, "TB1"), (1, "TB2"), (2, "TB1")]),
        ("", [(2, "TB2")]),
    ]
    mets = mets_xml("The Sample Gazette", "1921-03-04", ["alto/0001.xml", "alto/0002.xml"], articles)
    (issue / "issue_mets.xml").write_bytes(mets)
    return issue


def _extract_all(folder: Path) -> list:
    out = []
    for item in discover([folder]):
        out.extend(extract_file(item, read_file(item)) if isinstance(item, SourceFile) else [item])
    return out


def test_mets_articles_are_documents_over_pages_and_the_rest_stays_a_page(tmp_path: Path) -> None:
    _issue_with_articles(tmp_path)
    items = _extract_all(tmp_path)
    assert not [i for i in items if not isinstance(i, Document)], items
    docs = {d.id: d for d in items}
    assert set(docs) == {
        "gazette/issue_mets.xml#DMD_ART1",
        "gazette/issue_mets.xml#DMD_ART2",
        "gazette/alto/0001.xml",  # the weather block; page 2 is all articles, so no page document for it
    }
    harbour = docs["gazette/issue_mets.xml#DMD_ART1"]
    assert harbour.title == "Harbour accord signed" and harbour.origin == "alto"
    assert harbour.date == PartialDate(1921, 3, 4) and harbour.source == "The Sample Gazette"
    first, second = harbour.body.split(PAGE_BREAK)
    assert "Lisbon" in first and "fishing fleets" in " ".join(second.split())
    assert "Weather" not in harbour.body and "Valletta" not in harbour.body
    lighthouse = docs["gazette/issue_mets.xml#DMD_ART2"]
    assert page_at(lighthouse.body, lighthouse.body.index("Valletta")) == 2  # the issue's page, not the article's
    assert lighthouse.title.startswith("Lighthouse keepers gathered")  # no LABEL: its first line
    assert lighthouse.source == "The Sample Gazette"  # the issue's MODS record, not the article's
    rest = docs["gazette/alto/0001.xml"]
    assert "Weather" in rest.body and "Lisbon" not in rest.body
    assert rest.title == "The Sample Gazette, 1921-03-04, page 1"


def test_an_issue_with_articles_is_indexed_once_and_reread_when_a_page_changes(tmp_path: Path) -> None:
    issue = _issue_with_articles(tmp_path / "archive")
    first = index_paths([tmp_path / "archive"], tmp_path / "index", workers=1)
    assert (first.added, first.skipped) == (3, [])
    again = index_paths([tmp_path / "archive"], tmp_path / "index", workers=1)
    assert (again.added, again.unchanged) == (0, 3)
    page = issue / "alto" / "0002.xml"
    page.write_bytes(page.read_bytes().replace(b"Valletta", b"Mdina"))
    third = index_paths([tmp_path / "archive"], tmp_path / "index", workers=1)
    assert third.updated + third.added >= 1 and not third.skipped


def test_hostile_mets_articles_are_reported_in_one_line_and_the_rest_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    issue = folder / "issue"
    issue.mkdir(parents=True)
    (tmp_path / "outside.xml").write_bytes(alto_xml([["Zanzibar secret block outside the archive."]]))
    (issue / "0001.xml").write_bytes(alto_xml([[*FRONT, *WEATHER]]))
    (issue / "0002.xml").write_bytes(alto_xml([BACK])[:300])  # torn
    articles = [
        ("Harbour accord signed", [(1, "TB1"), (1, "TB2"), (1, "TB9")]),  # TB9 is not there
        ("Lighthouse", [(2, "TB1")]),  # on the torn page
        ("Missing page", [(3, "TB1")]),  # 0003.xml does not exist
        ("Outside", [(4, "TB1")]),  # points out of the folder: never read
    ]
    hrefs = ["0001.xml", "0002.xml", "0003.xml", "../../outside.xml"]
    (issue / "mets.xml").write_bytes(mets_xml("The Sample Gazette", "1921-03-04", hrefs, articles))
    items = _extract_all(folder)
    docs = {i.id: i for i in items if isinstance(i, Document)}
    reports = {i.where: (type(i).__name__, i.reason) for i in items if not isinstance(i, Document)}
    assert all("\n" not in reason for _, reason in reports.values())
    assert set(docs) == {"issue/mets.xml#DMD_ART1", "issue/0001.xml"}
    assert "Lisbon" in docs["issue/mets.xml#DMD_ART1"].body and "Weather" in docs["issue/0001.xml"].body
    assert not any("Zanzibar" in d.body for d in docs.values())
    assert reports["issue/mets.xml#DMD_ART1"][0] == "Note" and "ALTO1/TB9" in reports["issue/mets.xml#DMD_ART1"][1]
    assert "not well-formed XML" in reports["issue/0002.xml"][1]
    assert "not read" in reports["issue/0003.xml"][1]
    assert reports["issue/mets.xml#DMD_ART2"][0] == "Skipped"
    assert "ALTO4/TB1" in reports["issue/mets.xml#DMD_ART4"][1]
    summary = index_paths([folder], tmp_path / "index", workers=1)
    assert summary.added == 2


def test_a_malformed_mets_with_articles_leaves_its_pages_indexed_as_pages(tmp_path: Path) -> None:
    issue = _issue_with_articles(tmp_path)
    mets = issue / "issue_mets.xml"
    mets.write_bytes(mets.read_bytes()[:-40])
    items = _extract_all(tmp_path)
    docs = sorted(i.id for i in items if isinstance(i, Document))
    assert docs == ["gazette/alto/0001.xml", "gazette/alto/0002.xml"]
    assert [i.where for i in items if isinstance(i, Skipped)] == ["gazette/issue_mets.xml"]
