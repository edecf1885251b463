"""The archivist's workbench in real Chromium: facets, exports, hit navigation, citation, print, keyboard, axe-core."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT, LiveServer
from tests.helpers.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    with chromium(
        tmp_path_factory.mktemp("chromium-workbench"),
        timeout_ms=15_000,
        viewport={"width": 1200, "height": 900},
        accept_downloads=True,
    ) as context:
        yield context


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    page.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# --- Facets -------------------------------------------------------------------------------------------------


def test_reach_a_person_outside_the_top_15_by_clicking(page, live_server):
    page.goto(live_server.url + "?q=")
    listed = page.locator("#facet-people input[type=checkbox]").evaluate_all("boxes => boxes.map(b => b.value)")
    assert len(listed) == 15
    page.locator("#facet-people .facet-more a").click()
    page.wait_for_url("**/facets/people*")
    page.get_by_label("Order").select_option("name")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**order=name*")
    every = page.locator("#facet-values input[type=checkbox]").evaluate_all("boxes => boxes.map(b => b.value)")
    outside = [name for name in every if name not in listed]
    assert outside and every == sorted(every, key=lambda n: (n.lower(), n))
    page.get_by_label("Find a person").fill(outside[0][1:4].upper())  # any part, any case
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**contains=*")
    shot(page, "facet-page")
    page.get_by_role("checkbox", name=outside[0]).check()
    page.get_by_role("button", name="Apply to the search").click()
    page.wait_for_url(re.compile(r".*/\?.*person=.*"))
    assert query_of(page.url)["person"] == [outside[0]]
    assert page.locator("ol.hits > li").count() >= 1
    assert not page.errors, page.errors


def test_exclude_a_value_with_its_not_button(page, live_server):
    page.goto(live_server.url + "?q=harbour")
    before = page.locator("ol.hits > li").count()
    page.get_by_role("button", name="Exclude Helena Sardinha").click()
    page.wait_for_url("**not_person=Helena*")
    assert page.locator("ol.hits > li").count() < before
    chip = page.locator("ul.chips")
    assert "Not person: Helena Sardinha" in " ".join(chip.inner_text().split())
    page.get_by_role("link", name="Remove filter Not person Helena Sardinha").click()
    page.wait_for_load_state()
    assert "not_person" not in query_of(page.url)


def test_two_values_of_one_facet_say_any_of_on_screen(page, live_server):
    page.goto(live_server.url + "?q=")
    page.get_by_role("checkbox", name="Helena Sardinha").check()
    page.wait_for_url("**person=Helena*")
    page.get_by_role("checkbox", name="Henrique Almada").check()
    page.wait_for_url("**person=Henrique*")
    assert "any of the ticked people" in page.locator("#facet-people legend").inner_text()
    assert page.locator(".chip", has_text="Person, any of").count() == 2
    shot(page, "facets-any-of")


# --- Exports ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory):
    """3,000 articles (entities off: their text is generated) behind the real service, no export cap."""
    from search.ingest import index_paths

    folder = tmp_path_factory.mktemp("big-archive")
    with (folder / "wire.jsonl").open("w") as out:
        for n in range(3000):
            record = {
                "id": f"wire-{n:04d}",
                "title": f"Grain report number {n}",
                "body": f"Grain shipments rose in report {n}. Ports handled cargo number {n}.",
                "date": f"1987-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                "source": "Wire" if n % 2 else "Gazette",
                "dateline": f"CITY {n % 7}, March {n % 28 + 1}",
            }
            out.write(json.dumps(record) + "\n")
    index = tmp_path_factory.mktemp("big-index")
    index_paths([folder], index, workers=1, entities=False)
    server = LiveServer(index, {}, tmp_path_factory.mktemp("big-gunicorn") / "gunicorn.log")
    server.wait_healthy()
    yield server
    server.stop()


def test_export_3000_rows_and_read_them_back(page, big_server):
    page.goto(big_server.url + "?q=grain&source=Wire&sort=oldest&versions=all")  # every version (some are alike)
    assert "Export all 1,500 articles" in page.locator("#export-h").inner_text()
    with page.expect_download() as download:
        page.locator("#export-form").get_by_role("button", name="CSV").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"archive-grain-wire-\d{4}-\d{2}-\d{2}\.csv", name), name
    text = Path(download.value.path()).read_text(encoding="utf-8")
    notes = int(re.search(r"(\d+) lines of notes", text).group(1))
    head, table = text.split("\n", notes)[:notes], text.split("\n", notes)[notes]
    assert any("all 1,500 matching articles" in line for line in head)
    assert any("source=Wire" in line for line in head)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 1500 and {r["source"] for r in rows} == {"Wire"}
    assert all(r["dateline"].startswith("CITY ") for r in rows)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)

    page.goto(big_server.url + "?q=&versions=all")
    page.get_by_label("Include each article's full text").check()
    with page.expect_download() as download:
        page.locator("#export-form").get_by_role("button", name="JSON Lines").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])["export"]
    assert head["total"] == head["exported"] == 3000 and not head["truncated"] and head["full_text"]
    rows = [json.loads(line) for line in lines[1:]]
    assert len(rows) == 3000 and len({r["id"] for r in rows}) == 3000
    assert all(r["text"].startswith("Grain shipments rose") for r in rows)
    assert not page.errors, page.errors


# --- The document page --------------------------------------------------------------------------------------


def test_jump_to_a_hit_then_step_on_in_step_and_below_the_bar(page, live_server):
    page.set_viewport_size({"width": 900, "height": 500})
    page.goto(live_server.url + "documents/01_harbour_summit.txt?q=accord+OR+harbour+OR+port")
    total = page.locator(".hit-jump li").count()
    assert total >= 5
    page.get_by_text("Jump to a hit").click()
    entry = page.locator(".hit-jump li").nth(3)
    assert re.search(r"Hit 4 …\S.*\S…", " ".join(entry.inner_text().split()))  # words around the hit
    entry.get_by_role("link").click()
    position = page.locator(".hit-position")
    assert position.inner_text() == f"Hit 4 of {total}"
    current = page.locator("mark.current")
    assert current.get_attribute("id") == page.locator(".doc-body mark[id^='hit-']").nth(3).get_attribute("id")
    bar = page.locator(".hitnav").bounding_box()
    mark = current.bounding_box()
    assert mark["y"] >= bar["y"] + bar["height"]  # not hidden under the sticky bar
    page.get_by_role("link", name="Next hit").click()
    assert position.inner_text() == f"Hit 5 of {total}"
    page.keyboard.press("p")
    page.keyboard.press("p")
    assert position.inner_text() == f"Hit 3 of {total}"
    # A plain link to a hit (as without script, or from another page) moves the position too.
    page.evaluate("location.hash = '#' + document.querySelectorAll(\".doc-body mark[id^='hit-']\")[1].id")
    page.wait_for_function("document.querySelector('.hit-position').textContent.startsWith('Hit 2 ')")
    page.get_by_role("link", name="Next hit").click()
    assert position.inner_text() == f"Hit 3 of {total}"
    for _ in range(2):  # the sticky bar over a scrolled body, for the screenshot
        page.get_by_role("link", name="Next hit").click()
    shot(page, "document-hits")
    assert not page.errors, page.errors


def test_back_to_the_search_with_its_whole_state(page, live_server):
    state = "q=harbour+OR+port&from=2024-01-01&to=2024-12-31&not_place=Porto&sort=oldest&per_page=2&page=2"
    start = live_server.url + "?" + state
    page.goto(start)
    page.locator("ol.hits h2 a").first.click()
    page.wait_for_url("**/documents/**")
    page.get_by_role("link", name=re.compile("Back to search")).click()
    page.wait_for_load_state()
    assert query_of(page.url) == query_of(start)
    assert page.locator(".pager a.current").inner_text() == "2"
    assert page.get_by_label("Sort by").input_value() == "oldest"


def test_citation_copies_and_downloads(page, live_server, browser):
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url.rstrip("/"))
    page.goto(live_server.url + "documents/01_harbour_summit.txt?q=accord")
    citation = page.locator("#citation-text").inner_text()
    assert "Sample Gazette, 2024-03-14" in citation and "/documents/01_harbour_summit.txt (accessed" in citation
    page.get_by_role("button", name="Copy citation").click()
    page.wait_for_function("document.querySelector('.copy-status').textContent === 'Copied.'")
    assert page.evaluate("navigator.clipboard.readText()") == citation
    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX").click()
    assert Path(download.value.path()).read_text().startswith("@article{samplegazette2024-")
    with page.expect_download() as download:
        page.get_by_role("link", name="RIS").click()
    assert Path(download.value.path()).read_text().startswith("TY  - NEWS")


def test_print_shows_the_article_and_its_citation_only(page, live_server):
    page.goto(live_server.url + "documents/01_harbour_summit.txt?q=accord")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".hitnav", ".doc-related", ".back", ".cite-actions"):
        assert not page.locator(hidden).is_visible(), hidden
    for shown in ("#doc-title", ".doc-body", ".doc-meta", "#citation-text"):
        assert page.locator(shown).is_visible(), shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "document-print.pdf"))
    shot(page, "document-print")


def test_single_key_shortcuts_can_be_switched_off(page, live_server):
    page.goto(live_server.url + "documents/01_harbour_summit.txt?q=accord")
    position = page.locator(".hit-position")
    page.keyboard.press("n")
    assert position.inner_text().startswith("Hit 1 of")
    page.locator(".hitnav").get_by_role("button", name="Turn single-key shortcuts off").click()
    page.keyboard.press("n")
    assert position.inner_text().startswith("Hit 1 of")  # n does nothing now
    page.goto(live_server.url + "?q=harbour")
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") != "q"  # the choice holds on every page
    page.get_by_role("button", name="Turn single-key shortcuts on").click()
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "q"


# --- Keyboard only ------------------------------------------------------------------------------------------


def _tabs_to(page, selector: str, limit: int = 200) -> int:
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return n
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_results_are_a_few_key_presses_away(page, live_server):
    page.goto(live_server.url + "?q=harbour&from=2024-03-01&to=2024-03-31")
    assert _tabs_to(page, ".skip-link") == 1
    assert page.evaluate("document.activeElement.textContent") == "Skip to results"
    page.keyboard.press("Enter")
    assert _tabs_to(page, "ol.hits h2 a, ul.chips a") <= 2
    page.goto(live_server.url + "?q=harbour&from=2024-03-01&to=2024-03-31")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _tabs_to(page, "ol.hits h2 a") <= 5


def test_keyboard_only_tick_a_facet_and_sort(page, live_server):
    page.goto(live_server.url + "?q=harbour")
    box = page.get_by_role("checkbox", name="Helena Sardinha")
    box.focus()
    page.keyboard.press("Space")  # a real check box: Space ticks it (and the form applies it)
    page.wait_for_url("**person=Helena*")
    page.get_by_label("Sort by").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # give a wrongly wired page the chance to reload (this asserts the absence)
    assert "sort=" not in page.url
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=newest*")
    assert query_of(page.url)["person"] == ["Helena Sardinha"]


def test_entity_kinds_are_words_and_date_bars_are_big_enough(page, live_server):
    page.goto(live_server.url + "?q=")
    kinds = set(page.locator(".hits .entity-kind").all_inner_texts())
    assert {"PERSON", "PLACE"} <= {k.upper() for k in kinds}
    widths = page.locator("svg a.bar rect.bar-hit").evaluate_all(
        "rects => rects.map(r => r.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 24
    page.goto(live_server.url + "?q=&from=2024-03-01&to=2024-04-30")  # day bars
    widths = page.locator("svg a.bar rect.bar-hit").evaluate_all(
        "rects => rects.map(r => r.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 24


# --- axe-core -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source() -> str:
    found = sorted(ROOT.glob(".cache/axe-core-*/axe.min.js"))
    if not found:
        pytest.skip("axe-core is not fetched (make axe-core fetches it from the npm registry)")
    return found[-1].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "?q=harbour&person=Helena+Sardinha&person=Pieter+Vandermolen&not_place=Porto",
        "?q=harbour&from=2024-03-01&to=2024-03-31",
        "?q=nothingmatchesthis",
        "?from=nonsense",
        "facets/people?q=&order=name",
        "documents/01_harbour_summit.txt?q=accord",
        "documents/briefs/2024-10-15-library",
        "about",
        "embed?q=harbour",
        "documents/no-such-article",
    ],
)
def test_axe_core_finds_no_violations(page, live_server, axe_source, path):
    page.goto(live_server.url + path)
    page.evaluate(axe_source)  # evaluated by the browser's devtools, so the page's CSP does not block it
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3], v["help"]) for v in result["violations"]]
    assert not problems, problems


# --- Embedding ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_server(web_index, tmp_path_factory: pytest.TempPathFactory):
    """The service with the default allow-lists: it may be framed by its own pages only, and allows no CORS."""
    server = LiveServer(web_index, {"SITE_TITLE": "Sample archive"}, tmp_path_factory.mktemp("plain") / "g.log")
    server.wait_healthy()
    yield server
    server.stop()


HOST_PAGE = """<!doctype html><html lang="en"><head><title>Intranet portal</title></head><body>
<h1>Intranet portal</h1>
<iframe id="frame" title="Archive search" src="{base}embed?q={q}" style="width:100%;border:0" height="150"></iframe>
<script>
addEventListener("message", function (e) {{
  if (e.origin === "{origin}" && e.data && e.data.type === "archive-search:height")
    document.getElementById("frame").style.height = e.data.height + "px";
}});
</script>
<div id="archive" data-archive-search data-per-page="2" data-label="Search the news archive"></div>
<p><a href="#top">After the widget</a></p>
<script src="{base}static/embed.js" defer></script>
</body></html>"""


@pytest.fixture(scope="module")
def host(widget_host_port, tmp_path_factory: pytest.TempPathFactory):
    """An intranet page on another port (the origin the live server allows), serving pages written per test."""
    import functools
    import http.server
    import threading

    root = tmp_path_factory.mktemp("portal")
    handler = functools.partial(_quiet_handler(), directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", widget_host_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def page_for(base: str, name: str, q: str = "harbour") -> str:
        (root / name).write_text(HOST_PAGE.format(base=base, q=q, origin=base.rstrip("/")))
        return f"http://127.0.0.1:{widget_host_port}/{name}"

    yield page_for
    server.shutdown()
    server.server_close()


def _quiet_handler():
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    return Quiet


def test_the_iframe_tells_its_host_its_height(page, live_server, host):
    page.goto(host(live_server.url, "allowed.html", q="harbour+OR+port+OR+accord"))
    frame = page.frame_locator("#frame")
    frame.locator("ol.hits > li").first.wait_for()
    page.wait_for_function("document.getElementById('frame').getBoundingClientRect().height > 400")
    inner = page.frames[1].evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    outer = page.evaluate("document.getElementById('frame').getBoundingClientRect().height")
    assert abs(inner - outer) <= 2  # the frame fits its content: no inner scroll bar
    shot(page, "embed-host")


def test_the_widget_keeps_focus_on_new_results_and_links_its_did_you_mean(page, live_server, host):
    page.goto(host(live_server.url, "widget.html"))
    box = page.get_by_label("Search the news archive")
    box.fill("harbuor")
    box.press("Enter")
    page.wait_for_function("!document.querySelector('.nas-status').textContent.startsWith('Searching')")
    answer = page.request.get(live_server.url + "api/search?q=harbuor&per_page=2").json()
    other = answer["suggestion"] or (answer.get("correction") or {}).get("original")
    assert other, answer  # the archive offers another spelling one way or the other
    link = page.locator(".nas-status a")  # did-you-mean, or "search instead for" the words as typed
    assert link.count() == 1 and other in link.inner_text(), page.locator(".nas-status").inner_text()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('.nas-input').value === {json.dumps(other)}")
    box.fill("harbour")
    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('.nas-hit').length === 2")
    page.get_by_role("button", name="More results").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.nas-hit').length > 2")
    page.wait_for_function("document.activeElement.closest('.nas-hit') !== null")
    focused = page.evaluate(
        "[...document.querySelectorAll('.nas-hit')].indexOf(document.activeElement.closest('.nas-hit'))"
    )
    assert focused == 2  # the first new result, not the top of the host page


def test_a_refused_host_is_told_which_setting_to_change(page, default_server, host):
    page.goto(host(default_server.url, "refused.html"))
    frame = page.frame_locator("#frame")
    notice = frame.locator(".notice")
    notice.wait_for()
    text = " ".join(notice.inner_text().split())
    origin = urlsplit(page.url)
    parent = f"{origin.scheme}://{origin.netloc}"
    assert f"does not allow pages from {parent}" in text and "FRAME_ANCESTORS" in text
    box = page.get_by_label("Search the news archive")
    box.fill("harbour")
    box.press("Enter")
    page.wait_for_function("document.querySelector('.nas-status').textContent.includes('ALLOWED_ORIGINS')")
    assert parent in page.locator(".nas-status").inner_text()
    shot(page, "embed-refused")
    page.goto(default_server.url + "about")
    about = " ".join(page.locator("main").inner_text().split())
    assert f"{parent} framed /embed" in about and "add it to FRAME_ANCESTORS" in about
    assert f"{parent} called the API" in about and "add it to ALLOWED_ORIGINS" in about


def test_find_a_value_from_the_facets_own_box(page, live_server):
    page.goto(live_server.url + "?q=harbour")
    box = page.get_by_role("searchbox", name="Find a place (any part of the name)")
    box.fill("ALLET")
    box.press("Enter")
    page.wait_for_url("**/facets/places?*contains=ALLET*")
    assert page.locator("#facet-values input[type=checkbox]").evaluate_all("bs => bs.map(b => b.value)") == ["Valletta"]
