"""HTML pages become one Document with the article text and honest metadata; bad files become ExtractError."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.documents import Document, PartialDate
from search.extract.errors import ExtractError
from search.extract.html import MAX_BYTES, extract
from search.extract.htmlmeta import parse_partial_date

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
HTML_NEWS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "html_news"


def read(name: str) -> Document:
    docs = extract((FIXTURES / name).read_bytes(), name)
    assert len(docs) == 1
    return docs[0]


def test_news_page_body_keeps_the_article_and_drops_nav_ads_scripts_and_styles() -> None:
    doc = read("news_full.html")
    assert "voted seven to two on Thursday evening" in doc.body
    assert "consulted on the landscaping of the new quay" in doc.body
    for junk in ("NAVTEXT", "ADTEXT", "SCRIPTTEXT", "STYLETEXT", "RELATEDTEXT", "FOOTERTEXT", "trackingScriptText"):
        assert junk not in doc.body


def test_news_page_body_is_paragraphs_separated_by_blank_lines_without_the_headline() -> None:
    doc = read("news_full.html")
    paragraphs = doc.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The harbour council voted")
    assert not doc.body.startswith("Harbour council approves")


def test_news_page_metadata_comes_from_meta_tags_json_ld_and_canonical_link() -> None:
    doc = read("news_full.html")
    assert doc.id == "news_full.html"
    assert doc.title == "Harbour council approves new flood barrier"
    assert doc.date == PartialDate(2023, 5, 4)
    assert doc.date.precision == "day"
    assert doc.author == "Maria Okonkwo"
    assert doc.url == "https://www.coastal-ledger.example/news/flood-barrier"  # rel=canonical beats og:url
    assert doc.source == "The Coastal Ledger"
    assert doc.content_hash == ""  # the caller fills it


def test_page_with_only_a_time_element_is_dated_by_it() -> None:
    doc = read("time_only.html")
    assert doc.date == PartialDate(2021, 11, 3)
    assert "stay open until nine in the evening" in doc.body


def test_page_with_only_a_year_keeps_year_precision() -> None:
    doc = read("year_only.html")
    assert doc.date == PartialDate(1998)
    assert doc.date.precision == "year"


def test_undated_page_stays_undated() -> None:
    doc = read("undated.html")
    assert doc.date is None
    assert doc.author == "Local History Society"
    assert "sunken ship whose bell" in doc.body


def test_latin1_page_is_decoded_with_its_declared_charset() -> None:
    doc = read("latin1.html")
    assert doc.title == "Café owners in São João protest new rules"
    assert doc.author == "José Muñoz"
    assert "praça" in doc.body and "façade" in doc.body and "«We have served coffee" in doc.body
    assert doc.date == PartialDate(2019, 7)
    assert doc.date.precision == "month"


PAGE = (
    "<html><head><meta charset='{charset}'><title>Festa em São João</title></head><body><article>"
    "<p>Os cafés da praça de São João abriram cedo para a festa, com música até à meia-noite.</p>"
    "<p>A câmara diz que a praça estará fechada ao trânsito durante três dias.</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("label", "raw"),
    [
        ("UTF-8 with one stray byte", PAGE.format(charset="utf-8").encode().replace(b"noite", b"noi\xffte")),
        ("windows-1252 labelled utf-8", PAGE.format(charset="utf-8").encode("cp1252")),
        ("windows-1252 labelled as such", PAGE.format(charset="windows-1252").encode("cp1252")),
        ("UTF-16 with a byte-order mark", PAGE.format(charset="utf-16").encode("utf-16")),
        ("UTF-16 without a byte-order mark", PAGE.format(charset="utf-16").encode("utf-16-le")),
    ],
)
def test_pages_in_other_or_broken_encodings_keep_their_accents(label: str, raw: bytes) -> None:
    doc = extract(raw, label)[0]
    assert "praça de São João" in doc.body
    assert "trânsito durante três dias" in doc.body


def test_deeply_nested_page_is_read_without_recursion_error() -> None:
    doc = read("deep_nesting.html")
    assert "ferry timetable changes on Monday" in doc.body
    assert "night crossings will stop" in doc.body


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("binary.html", "binary content"),
        ("gzipped.html", "binary content (gzip-compressed data), not HTML"),
        ("zipped.html", "binary content (a zip archive), not HTML"),
        ("empty.html", "empty file"),
        ("blank.html", "empty file"),
    ],
)
def test_unreadable_files_raise_extract_error_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(ExtractError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        extract((FIXTURES / name).read_bytes(), name)


def test_page_with_only_navigation_and_scripts_has_no_article_text() -> None:
    page = b"<html><head><script>var x = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>"
    with pytest.raises(ExtractError, match="no article text"):
        extract(page, "nav-only.html")


def test_page_over_the_size_limit_is_refused_not_truncated() -> None:
    page = b"<html><body><p>" + b"word " * (MAX_BYTES // 5) + b"</p></body></html>"
    with pytest.raises(ExtractError, match="too large"):
        extract(page, "huge.html")


def test_placeholder_publication_date_is_ignored() -> None:
    page = (
        (FIXTURES / "undated.html")
        .read_bytes()
        .replace(b"<head>", b'<head><meta property="article:published_time" content="0001-01-01T00:00:00Z">')
    )
    assert extract(page, "placeholder.html")[0].date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", PartialDate(2019)),
        ("2019-07", PartialDate(2019, 7)),
        ("2019-07-04T23:30:00-05:00", PartialDate(2019, 7, 4)),  # the date as written, not moved to UTC
        ("July 2019", PartialDate(2019, 7)),
        ("4 July 2019", PartialDate(2019, 7, 4)),
        ("Thu, 04 Jul 2019 10:00:00 GMT", PartialDate(2019, 7, 4)),
        ("0001-01-01", None),
        ("1970-01-01T00:00:00Z", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_keep_the_precision_the_page_gives(text: str, expected: PartialDate | None) -> None:
    assert parse_partial_date(text) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(lambda s: f"<html><body>{s}</body></html>".encode()))
)
def test_any_input_gives_a_document_or_an_extract_error(raw: bytes) -> None:
    try:
        docs = extract(raw, "fuzz.html")
    except ExtractError as exc:
        assert str(exc)
    else:
        assert len(docs) == 1 and docs[0].body.strip()
        assert "\x00" not in docs[0].body + docs[0].title


def test_real_news_pages_body_matches_the_gold_text() -> None:
    if not HTML_NEWS.is_dir():
        pytest.skip("../shared/corpus/html_news is not here")
    from bench.html_extraction import page_f1

    truth = json.loads((HTML_NEWS / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:10]
    f1s = []
    for key in ids:
        raw = gzip.decompress((HTML_NEWS / "html" / f"{key}.html.gz").read_bytes())
        f1s.append(page_f1(truth[key]["articleBody"], extract(raw, key)[0].body))
    assert sum(f1s) / len(f1s) > 0.85


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Port deal",'
        ' "dateline": "LISBON, May 4"}</script>',
        '<meta name="dateline" content="LISBON, May 4">',
    ],
)
def test_a_pages_dateline_is_kept_from_json_ld_or_a_meta_tag(head: str) -> None:
    page = (
        f"<html><head><title>Port deal</title>{head}</head><body><article><h1>Port deal</h1>"
        + "<p>The port authority signed the accord on Thursday after long talks with the unions.</p>" * 3
        + "</article></body></html>"
    )
    (doc,) = extract(page.encode(), "deal.html")
    assert doc.dateline == "LISBON, May 4"
