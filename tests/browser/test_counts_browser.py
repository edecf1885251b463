"""Honest counts in real Chromium: the page says how many versions it folds, and one click shows them all."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    with chromium(
        tmp_path_factory.mktemp("chromium-counts"),
        timeout_ms=15_000,
        viewport={"width": 1200, "height": 900},
        accept_downloads=True,
    ) as context:
        yield context


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    page.close()


def _bars(page) -> list[str]:
    return page.locator("a.bar").evaluate_all("bars => bars.map(b => b.getAttribute('aria-label'))")


def _csv_rows(page) -> tuple[list[str], list[dict]]:
    with page.expect_download() as download:
        page.locator("#export-form").get_by_role("button", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    notes = int(re.search(r"(\d+) lines of notes", text).group(1))
    head, table = text.split("\n", notes)[:notes], text.split("\n", notes)[notes]
    return head, list(csv.DictReader(io.StringIO(table)))


def test_show_every_version_changes_the_counts_as_the_page_said(page, live_server):
    page.goto(live_server.url + "?q=harbour")
    summary = page.locator("p.summary").inner_text()
    assert "of 3 stories" in summary
    versions = page.locator("#versions").inner_text()
    assert "3 stories, 4 articles: 1 near-duplicate version folded" in versions
    assert page.locator("ol.hits > li").count() == 3
    assert _bars(page) == ["2024-03: 1 story", "2024-07: 2 stories"]
    head, rows = _csv_rows(page)
    assert len(rows) == 3 and any("all 3 matching stories" in line for line in head)

    page.get_by_role("link", name="Show every version (4 articles)").click()
    page.wait_for_url("**versions=all*")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["harbour"], "versions": ["all"]}
    assert "of 4 articles" in page.locator("p.summary").inner_text()
    assert page.locator("ol.hits > li").count() == 4  # as the folded page said: 4 articles
    assert _bars(page) == ["2024-03: 2 articles", "2024-07: 2 articles"]
    head, rows = _csv_rows(page)
    assert len(rows) == 4 and any("every version of a story is its own row" in line for line in head)

    # The state survives a filter: the March bar keeps every version, and folding comes back in one click.
    page.locator("a.bar").first.click()
    page.wait_for_url("**from=2024-03-01*")
    assert parse_qs(urlsplit(page.url).query)["versions"] == ["all"]
    assert page.locator("ol.hits > li").count() == 2
    page.get_by_role("link", name=re.compile(r"Fold near-duplicates \(1 story\)")).click()
    page.wait_for_url(re.compile(r"^(?!.*versions=all)"))
    assert page.locator("ol.hits > li").count() == 1
    assert "1 story, 2 articles" in page.locator("#versions").inner_text()
    assert not page.errors
