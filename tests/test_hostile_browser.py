"""XSS in a real headless Chromium: nothing from an article or a query runs, on any page a reader can reach.

Every payload would set ``window.__xss`` and open a dialog if it ran. Beyond that, each page's DOM is checked for
markup that must never come from data (event-handler attributes, script elements, javascript:/data: links), so an
escaping bug is caught even where the Content-Security-Policy would have blocked the script from running.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.conftest import LiveServer, free_port
from tests.helpers.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN = "window.__xss=(window.__xss||0)+1;alert(1)"
PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src=x onerror="{RUN}">',
    f"<svg onload={RUN}>",
    f'<a href="javascript:{RUN}">click</a>',
    f"</textarea><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f'"><script>{RUN}</script>',
    f"'><img src=x onerror={RUN}>",
    f"</script><script>{RUN}</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    f"{{{{constructor.constructor('{RUN}')()}}}}",
    f"＜script＞{RUN}＜/script＞",  # fullwidth brackets: harmless unless something normalises them (NFKC)
    f"\u2039script\u203a{RUN}\u2039/script\u203a",
    f"＜img src=x onerror={RUN}＞",
    f"ｊａｖａｓｃｒｉｐｔ:{RUN}",
    f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}>",
    f'<!--<img src="--><img src=x onerror={RUN}>">',
    f"<mark onmouseover={RUN} id=hit-1>harbour</mark>",  # imitates the highlighter's own markup
    f'<mark id="hit-1" onclick="{RUN}">',
]
HOSTILE_URLS = [
    f"javascript:{RUN}",
    f" JaVaScRiPt:{RUN}",
    f"java\tscript:{RUN}",
    f"data:text/html,<script>{RUN}</script>",
    f"vbscript:{RUN}",
    "https://example.org/ok?a=1&b=<script>",
]

# Finds what data must never become: handlers, scripts that are not ours, dangerous URLs, the payload's marker.
DOM_CHECK = """() => {
  const bad = [];
  const danger = /^(javascript|data|vbscript):/i;
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\u0000-\\u0020]/g, '');
      if (name.startsWith('on')) bad.push(el.tagName + ' ' + name);
      const ownIcon = el.tagName === 'LINK' && value === 'data:,';  // the templates' empty favicon
      const urlish = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(name);
      if (urlish && danger.test(value) && !ownIcon)
        bad.push(el.tagName + ' ' + name + '=' + a.value.slice(0, 60));
      if (name === 'srcdoc') bad.push(el.tagName + ' srcdoc');
    }
    const foreign = el.src && !el.src.startsWith(location.origin) && !el.src.endsWith('/static/embed.js');
    if (el.tagName === 'SCRIPT' && (el.textContent.includes('__xss') || foreign))
      bad.push('script ' + (el.src || el.textContent.slice(0, 60)));
  }
  return bad;
}"""


def _write_archive(folder: Path) -> list[str]:
    """Hostile articles in every input format; returns their document ids."""
    folder.mkdir(parents=True)
    records = []
    for n, payload in enumerate(PAYLOADS):
        records.append(
            {
                "id": f"xss/{n}",
                "title": f"Harbour notice {n} {payload}",
                "author": payload,
                "source": f"Wire {payload}",
                "url": HOSTILE_URLS[n % len(HOSTILE_URLS)],
                "date": "2024-07-05",
                "body": f"The harbour council met. {payload} The harbour pilots agreed. {payload} Harbour news ends.",
            }
        )
    (folder / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    text = " date 2024-07-04 Harbour " + PAYLOADS[0] + " council\n\nBy Eve " + PAYLOADS[1] + "\n\n"
    text += "PORTO: " + " The harbour office said. ".join(PAYLOADS) + "\n"
    (folder / "notice.txt").write_text(text)
    escaped = " ".join(p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for p in PAYLOADS)
    page = (
        f"<html><head><title>Harbour page {escaped}</title>"
        f'<meta name="author" content="{escaped.replace(chr(34), "&quot;")}">'
        f'<link rel="canonical" href="javascript:{RUN}"><script>{RUN}</script></head><body>'
        f"<article><h1>Harbour page</h1><p>The harbour council met on Tuesday to discuss the pilots. {escaped}</p>"
        f"<p>The harbour office published a long notice about it. {escaped}</p>"
        f'<p><a href="javascript:{RUN}">harbour link</a> <img src=x onerror="{RUN}"></p></article></body></html>'
    )
    (folder / "page.html").write_text(page)
    csv_payload = PAYLOADS[4].replace('"', '""')
    row = f'csv-1,"Harbour {csv_payload}","The harbour {csv_payload} met."'
    (folder / "table.csv").write_text(f"id,title,body\n{row}\n")
    return [r["id"] for r in records] + ["notice.txt", "page.html", "csv-1"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """An index of hostile articles, served by real gunicorn, plus another origin embedding the widget."""
    from search.ingest import index_paths

    base = tmp_path_factory.mktemp("xss")
    ids = _write_archive(base / "articles")
    summary = index_paths([base / "articles"], base / "index", workers=1)
    assert not summary.skipped, summary.skipped
    host_port = free_port()
    host = f"http://127.0.0.1:{host_port}"
    env = {"ALLOWED_ORIGINS": host, "FRAME_ANCESTORS": f"'self' {host}", "SITE_TITLE": "XSS <b>archive</b>"}
    server = LiveServer(base / "index", env, base / "gunicorn.log")
    server.wait_healthy()
    pages = base / "intranet"
    pages.mkdir()
    (pages / "widget.html").write_text(
        "<!doctype html><html><head><title>Intranet</title></head><body>"
        '<div id="archive" data-archive-search data-per-page="50" data-label="Search the news archive"></div>'
        f'<script src="{server.url}static/embed.js" defer></script></body></html>'
    )
    (pages / "frame.html").write_text(
        f'<!doctype html><html><body><iframe id="f" title="Archive" src="{server.url}embed?q=harbour&per_page=50"'
        ' width="900" height="700"></iframe></body></html>'
    )
    handler = functools.partial(_Quiet, directory=str(pages))
    intranet = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    threading.Thread(target=intranet.serve_forever, daemon=True).start()
    try:
        yield {"url": server.url, "ids": ids, "host": host + "/"}
    finally:
        intranet.shutdown()
        intranet.server_close()
        server.stop()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """A fresh Chromium profile; never a downloaded browser."""
    with chromium(tmp_path_factory.mktemp("chromium-profile"), timeout_ms=20_000) as context:
        yield context


@pytest.fixture(scope="module")
def page(browser):
    """One tab for the module (fast); dialogs and CSP refusals are recorded, never answered."""
    tab = browser.new_page()
    tab.dialogs = []
    tab.csp = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on("console", lambda m: tab.csp.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    tab.close()


def _visit(page, url: str) -> None:
    page.dialogs.clear()
    page.csp.clear()
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # let deferred scripts and image errors fire
    _assert_clean(page, url)


def _assert_clean(page, where: str) -> None:
    assert page.dialogs == [], (where, page.dialogs)
    assert page.evaluate("typeof window.__xss") == "undefined", where
    bad = page.evaluate(DOM_CHECK)
    for frame in page.frames[1:]:
        bad += frame.evaluate(DOM_CHECK)
    assert bad == [], (where, bad[:10])
    assert page.csp == [], (where, "markup from data reached the page and was only stopped by the CSP", page.csp[:3])


def test_search_results_with_hostile_articles_run_nothing(page, hostile) -> None:
    for q in ["harbour", "notice", "script", "alert", "onerror", "javascript", "wire", "eve"]:
        _visit(page, f"{hostile['url']}?q={q}&per_page=50")
    assert page.locator("ol.hits > li").count() >= 1


@pytest.mark.parametrize("payload", PAYLOADS + HOSTILE_URLS)
def test_a_hostile_query_runs_nothing_on_the_search_embed_and_error_pages(page, hostile, payload) -> None:
    q = quote(payload, safe="")
    for path in [f"?q={q}&person={q}&place={q}", f"embed?q={q}", f"?from={q}&page=999"]:
        _visit(page, hostile["url"] + path)


def test_every_hostile_document_page_runs_nothing(page, hostile) -> None:
    for doc_id in hostile["ids"]:
        for q in ["harbour", quote(PAYLOADS[0], safe="")]:
            _visit(page, f"{hostile['url']}documents/{quote(doc_id, safe='/')}?q={q}")
        assert page.locator("h1").count() >= 1


def test_hostile_ids_in_the_url_run_nothing_on_the_not_found_page(page, hostile) -> None:
    for payload in PAYLOADS[:8]:
        _visit(page, f"{hostile['url']}documents/{quote(payload, safe='')}")


def test_the_embed_page_in_an_iframe_runs_nothing(page, hostile) -> None:
    _visit(page, hostile["host"] + "frame.html")
    frame = page.frame_locator("#f")
    frame.locator("ol.hits > li").first.wait_for()
    _assert_clean(page, "iframe")


def test_the_widget_on_another_origin_runs_nothing(page, hostile) -> None:
    _visit(page, hostile["host"] + "widget.html")
    box = page.get_by_label("Search the news archive")
    for q in ["harbour", "script alert", PAYLOADS[0], PAYLOADS[1], "javascript"]:
        box.fill(q)
        box.press("Enter")
        page.wait_for_timeout(400)
        _assert_clean(page, f"widget q={q}")
    box.fill("harbour")
    box.press("Enter")
    page.wait_for_selector(".nas-hit")
    assert page.locator(".nas-hit").count() >= 3  # near-duplicate notices collapse into fewer hits
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
    assert all(h.startswith(("http://127.0.0.1", "/", "#", "?")) or h == "" for h in hrefs), hrefs


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))


def test_the_feed_is_well_formed_and_its_html_summaries_hold_only_highlights(page, hostile) -> None:
    for q in ["harbour", quote(PAYLOADS[0], safe=""), "alert"]:
        url = f"{hostile['url']}feed.atom?q={q}"
        response = requests.get(url, timeout=30)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        for summary in root.iterfind(".//a:entry/a:summary", ns):
            parser = _Tags()
            parser.feed(summary.text or "")  # what a feed reader renders as HTML
            assert all(tag == "mark" and all(k == "id" for k, _ in attrs) for tag, attrs in parser.tags), parser.tags
        for link in root.iterfind(".//a:link", ns):
            assert link.get("href", "").startswith("http://127.0.0.1"), link.get("href")
        _visit(page, url)


def test_the_json_api_hands_the_widget_only_escaped_snippets(hostile) -> None:
    data = requests.get(f"{hostile['url']}api/search", params={"q": "harbour", "per_page": 50}, timeout=30).json()
    assert data["hits"]
    for hit in data["hits"]:
        parser = _Tags()
        parser.feed(hit["snippet"])
        assert all(tag == "mark" for tag, _ in parser.tags), (hit["id"], parser.tags)
