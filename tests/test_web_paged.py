"""Paged and OCR'd articles on the pages and in the API: "page N" on a hit, page breaks and an OCR note in
the document view. A real index of a PDF and a scan made here, the real app."""

from __future__ import annotations

import pytest

from bench.pages import PageStyle, image_bytes, render_page, text_pdf
from search.extract import ocr
from search.ingest import index_paths

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (make system-deps)")

PAGES = [
    "Harbour board minutes\n\nThe board met on Monday to hear the pilots.",
    "The dredging of the northern channel will start in spring, the board decided.",
    "Any other business: the lighthouse keepers asked for a new boat.",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    from search.web import create_app
    from search.web.settings import Settings

    folder = tmp_path_factory.mktemp("paged")
    (folder / "minutes.pdf").write_bytes(text_pdf(PAGES, title="Harbour board minutes"))
    scan = render_page("Ferry timetable\n\nThe winter ferry timetable starts on Monday.", PageStyle(points=12))
    (folder / "ferry.png").write_bytes(image_bytes(scan))
    index = tmp_path_factory.mktemp("paged-index")
    summary = index_paths([folder], index, workers=1)
    assert summary.added == 2, summary.skipped
    app = create_app(Settings(index_dir=index))
    app.testing = True
    return app.test_client()


def test_a_hit_says_which_page_its_snippet_is_on(client) -> None:
    [hit] = client.get("/api/search?q=dredging").get_json()["hits"]
    assert hit["id"] == "minutes.pdf" and hit["on_page"] == 2 and hit["origin"] == ""
    html = client.get("/?q=dredging").get_data(as_text=True)
    assert 'href="/documents/minutes.pdf?q=dredging#page-2">page 2</a>' in html


def test_document_view_shows_page_breaks_and_its_json_keeps_them(client) -> None:
    html = client.get("/documents/minutes.pdf?q=lighthouse").get_data(as_text=True)
    for n in (1, 2, 3):
        assert f'<p class="page-break" id="page-{n}">Page {n}</p>' in html
    assert html.index('id="page-3"') < html.index('<mark id="hit-0">lighthouse</mark>')
    doc = client.get("/api/documents/minutes.pdf").get_json()
    assert doc["pages"] == 3 and doc["origin"] == ""
    assert doc["body"].count("\f") == 2 and "Page 2" not in doc["body"]
    assert "read by OCR" not in html


def test_text_from_ocr_is_said_to_be_so(client) -> None:
    doc = client.get("/api/documents/ferry.png").get_json()
    assert doc["origin"] == "ocr" and "timetable" in doc["body"]
    html = client.get("/documents/ferry.png").get_data(as_text=True)
    assert "This text was read by OCR from a scan" in html
    result = client.get("/?q=timetable").get_data(as_text=True)
    assert '<span class="ocr"' in result


def test_the_sample_archive_holds_a_pdf_a_scan_and_an_alto_page(samples_index) -> None:
    from search.query import document, open_index

    archive = open_index(samples_index)
    minutes = document(archive, "13_port_board_minutes.pdf")
    assert minutes.pages == 2 and minutes.date == "2024-04-02" and minutes.origin == ""
    assert minutes.title == "Port board minutes: dredging of the northern channel"
    notice = document(archive, "14_ferry_notice.png")
    assert notice.origin == "ocr" and notice.date == "2024-05-20" and notice.title == "FERRY TIMETABLE NOTICE"
    page = document(archive, "15_gazette_1999-06-02/alto/0001.xml")
    assert (page.title, page.date, page.source, page.origin) == (
        "Sample Gazette, 1999-06-02, page 1",
        "1999-06-02",
        "Sample Gazette",
        "alto",
    )
    assert "Regatta returns to the estuary" in page.body.text
