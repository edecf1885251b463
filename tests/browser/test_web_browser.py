"""Real headless Chromium (Debian's) against the real service under gunicorn: what people actually do."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """A fresh Chromium profile; never a downloaded browser."""
    with chromium(
        tmp_path_factory.mktemp("chromium-profile"), timeout_ms=15_000, viewport={"width": 1200, "height": 900}
    ) as context:
        yield context


class Watch:
    """Records dialogs (alert/confirm: script from an article ran) and console errors (CSP refusals)."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.watch = Watch(page)
    yield page
    page.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_search_then_pick_a_date_range_and_two_entity_facets(page, live_server):
    page.goto(live_server.url)
    page.get_by_label("Search the archive").fill("harbour OR accord OR port")
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url("**/?q=harbour*")
    assert page.locator("ol.hits > li").count() >= 3

    page.get_by_label("From", exact=True).fill("2024-03-01")
    page.get_by_label("To", exact=True).fill("2024-03-31")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url("**from=2024-03-01*")
    assert query_of(page.url)["to"] == ["2024-03-31"]
    assert "Harbour pilots" not in page.locator("ol.hits").inner_text()

    page.get_by_role("checkbox", name="Helena Sardinha").check()
    page.wait_for_url("**person=Helena*")
    page.get_by_role("checkbox", name="Lisbon").check()
    page.wait_for_url("**place=Lisbon*")
    state = query_of(page.url)
    assert state["person"] == ["Helena Sardinha"] and state["place"] == ["Lisbon"]
    assert state["from"] == ["2024-03-01"]
    chips = page.locator("ul.chips").inner_text()
    assert "Helena Sardinha" in chips and "Lisbon" in chips and "2024-03-01 to 2024-03-31" in chips
    assert "Harbour Cities Accord" in page.locator("ol.hits").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

    page.get_by_role("link", name="Remove filter Person Helena Sardinha").click()
    page.wait_for_load_state()
    assert "person" not in query_of(page.url)
    assert not page.watch.dialogs and not page.watch.errors, page.watch.errors


def test_sort_applies_on_an_explicit_choice_and_histogram_bars_narrow_dates(page, live_server):
    page.goto(live_server.url + "?q=harbour")
    page.get_by_label("Sort by").select_option("newest")
    assert "sort=" not in page.url  # choosing is not applying: the arrow keys move through the choices
    page.get_by_role("button", name="Sort", exact=True).click()
    page.wait_for_url("**sort=newest*")
    page.locator("svg a.bar").first.click()
    page.wait_for_url("**from=*")
    state = query_of(page.url)
    assert state["from"] == ["2024-03-01"] and state["to"] == ["2024-03-31"] and state["sort"] == ["newest"]


def test_open_a_document_and_step_through_its_hits(page, live_server):
    page.goto(live_server.url + "?q=accord")
    page.locator("ol.hits h2 a").first.click()
    page.wait_for_url("**/documents/**")
    marks = page.locator(".doc-body mark[id^='hit-']")
    total = marks.count()
    assert total >= 3
    position = page.locator(".hit-position")

    page.get_by_role("link", name="Next hit").click()
    assert position.inner_text() == f"Hit 1 of {total}"
    first = page.locator("mark.current").get_attribute("id")
    page.get_by_role("link", name="Next hit").click()
    assert position.inner_text() == f"Hit 2 of {total}"
    second = page.locator("mark.current").get_attribute("id")
    assert first != second and page.url.endswith("#" + second)
    page.keyboard.press("n")
    assert position.inner_text() == f"Hit 3 of {total}"
    page.keyboard.press("p")
    page.keyboard.press("p")
    assert position.inner_text() == f"Hit 1 of {total}"
    page.get_by_role("link", name="Previous hit").click()
    assert position.inner_text() == f"Hit {total} of {total}"  # wraps around
    assert page.locator("mark.current").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document.png"), full_page=True)
    assert not page.watch.dialogs and not page.watch.errors, page.watch.errors


def test_hit_anchors_work_without_javascript(page, live_server):
    page.route("**/static/site.js", lambda route: route.abort())
    page.goto(live_server.url + "documents/01_harbour_summit.txt?q=accord")
    page.get_by_role("link", name="Next hit").click()
    assert urlsplit(page.url).fragment == "hit-" + page.locator(".doc-body mark").first.get_attribute("id")[4:]
    page.get_by_text("Jump to a hit").click()
    page.locator(".hit-jump a").nth(1).click()
    assert page.locator(".hit-jump a").nth(1).inner_text().startswith("Hit 2 …")
    assert urlsplit(page.url).fragment == page.locator(".doc-body mark").nth(1).get_attribute("id")


@pytest.fixture(scope="module")
def widget_host(live_server, widget_host_port, tmp_path_factory):
    """Another intranet page, on another origin, embedding the widget and the iframe."""
    root = tmp_path_factory.mktemp("intranet")
    (root / "widget.html").write_text(
        "<!doctype html><html><head><title>Intranet</title></head><body><h1>Intranet portal</h1>"
        '<div id="archive" data-archive-search data-per-page="5" data-label="Search the news archive"></div>'
        f'<script src="{live_server.url}static/embed.js" defer></script></body></html>'
    )
    (root / "frame.html").write_text(
        "<!doctype html><html><head><title>Framed</title></head><body>"
        f'<iframe id="f" title="Archive search" src="{live_server.url}embed?q=harbour" width="800" height="600">'
        "</iframe></body></html>"
    )
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", widget_host_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{widget_host_port}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_widget_on_another_origin_searches_through_the_json_api(page, widget_host):
    page.goto(widget_host + "widget.html")
    box = page.get_by_label("Search the news archive")
    box.fill("harbour")
    box.press("Enter")
    page.wait_for_selector(".nas-hit")
    hits = page.locator(".nas-hit")
    assert hits.count() == 3
    status = page.locator(".nas-status").inner_text()
    assert "Showing 3 of 3 stories (4 articles: 1 near-duplicate version folded)" in status
    assert page.locator(".nas-snippet mark").count() >= 3
    texts = page.locator(".nas-results").inner_text()
    assert "<svg onload=alert(6)> Harbour pilots" in texts  # hostile title shown as text
    href = page.locator(".nas-title").first.get_attribute("href")
    assert href.startswith("http://127.0.0.1:") and "/documents/" in href and "?q=harbour" in href
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not page.watch.dialogs

    box.fill("")
    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('.nas-hit').length === 5")
    page.get_by_role("button", name="More results").click()
    page.wait_for_function("document.querySelectorAll('.nas-hit').length === 10")
    assert "Showing 10 of 17 stories (18 articles" in page.locator(".nas-status").inner_text()


def test_widget_says_which_page_of_a_paged_source_a_hit_is_on(page, widget_host):
    page.goto(widget_host + "widget.html")
    box = page.get_by_label("Search the news archive")
    box.fill("sardine")  # only on page 2 of the sample PDF of the port board's minutes
    box.press("Enter")
    page.wait_for_selector(".nas-hit")
    assert page.locator(".nas-hit").count() == 1
    link = page.locator(".nas-hit .nas-meta a.nas-page")
    assert link.inner_text() == "page 2"
    href = link.get_attribute("href")
    assert "/documents/13_port_board_minutes.pdf?q=sardine#page-2" in href
    page.goto(href)
    assert page.locator("#page-2").is_visible()
    assert not page.watch.dialogs and not page.watch.errors, page.watch.errors


def test_embed_page_loads_in_an_iframe_on_an_allowed_parent(page, widget_host):
    page.goto(widget_host + "frame.html")
    frame = page.frame_locator("#f")
    frame.locator("ol.hits > li").first.wait_for()
    assert frame.locator("ol.hits > li").count() == 3
    assert not page.watch.dialogs


@pytest.mark.parametrize(
    "path",
    [
        "?q=harbour",
        "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "documents/hostile_article.txt?q=harbour",
        "documents/hostile/record-1?q=pilots",
        "embed?q=pilots",
        "feed.atom?q=harbour",
    ],
)
def test_nothing_from_an_article_or_a_query_runs_in_the_browser(page, live_server, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not page.watch.dialogs
