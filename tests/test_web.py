"""The web front end over a real index: pages, states in URLs, facets, documents, escaping, errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

HOSTILE = ("<script>alert", "<script>window", "<img src=x", "<svg onload", "<iframe src", "<b onmouseover")


class Links(HTMLParser):
    """Collects <a href> targets and their text, and every attribute, from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.attrs: list[tuple[str, str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def link_to(html: str, text: str) -> str:
    """The href of the first link whose text contains ``text``."""
    for href, label in links(html):
        if text in label:
            return href
    raise AssertionError(f"no link with text {text!r}")


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- The search page -------------------------------------------------------------------------------


def test_search_page_keeps_the_query_and_shows_highlighted_hits(client):
    html = page(client, "/?q=harbour")
    assert 'value="harbour"' in html
    assert "Harbour Cities Accord" in html
    assert "<mark>Harbour</mark>" in html
    assert "Showing 1–3 of 3 stories" in html  # the two reports of the summit are one story
    assert "3 stories, 4 articles: 1 near-duplicate version folded" in html


def test_every_hit_links_to_its_document_with_the_query_for_highlighting(client):
    html = page(client, "/?q=ferry")
    href = link_to(html, "New ferry links Setubal and Troia")
    assert urlsplit(href).path == "/documents/briefs/2024-10-01-ferry"
    assert params(href) == {"q": ["ferry"]}


def test_undated_article_is_shown_as_undated_and_counted(client):
    html = page(client, "/?q=bridge")
    assert "The old iron bridge at Mirandela" in html
    assert '<span class="date undated">undated</span>' in html
    assert "Undated: 1 article." in html


def test_facet_values_are_check_boxes_that_add_and_remove_a_filter(client):
    from tests.helpers.forms import submit

    html = page(client, "/?q=harbour")
    add = submit(html, "facet-form", tick=("person", "Helena Sardinha"))
    assert params(add) == {"q": ["harbour"], "person": ["Helena Sardinha"]}
    html = page(client, add)
    assert "Harbour pilots" not in html  # the filter narrowed the hits
    assert "Person:</span> Helena Sardinha" in html  # shown as a chip
    second = submit(html, "facet-form", tick=("place", "Lisbon"))
    assert params(second) == {"q": ["harbour"], "person": ["Helena Sardinha"], "place": ["Lisbon"]}
    html = page(client, second)
    assert 'name="person" value="Helena Sardinha" checked' in html
    remove = re.search(r'href="([^"]+)" class="chip-remove" aria-label="Remove filter Person Helena Sardinha"', html)
    assert remove is not None
    assert params(remove.group(1).replace("&amp;", "&")) == {"q": ["harbour"], "place": ["Lisbon"]}
    untick = submit(html, "facet-form", tick=("place", "Lisbon"))
    assert params(untick) == {"q": ["harbour"], "person": ["Helena Sardinha"]}


def test_entity_links_in_results_filter_by_that_entity(client):
    html = page(client, "/?q=coimbra")
    href = link_to(html, "Henrique Almada")
    assert params(href)["person"] == ["Henrique Almada"]
    assert "Henrique Almada won the race" in page(client, href)


def test_histogram_bars_are_links_that_narrow_the_date_range(client):
    html = page(client, "/?q=harbour")
    bars = re.findall(r'<a href="([^"]+)" class="bar" aria-label="([^"]+)"', html)
    assert [label for _, label in bars] == ["2024-03: 1 story", "2024-07: 2 stories"]  # as the results count
    march = bars[0][0].replace("&amp;", "&")
    assert params(march) == {"q": ["harbour"], "from": ["2024-03-01"], "to": ["2024-03-31"]}
    every = page(client, "/?q=harbour&versions=all")
    bars = re.findall(r'<a href="([^"]+)" class="bar" aria-label="([^"]+)"', every)
    assert [label for _, label in bars] == ["2024-03: 2 articles", "2024-07: 2 articles"]
    assert params(bars[0][0].replace("&amp;", "&"))["versions"] == ["all"]
    narrowed = page(client, march)
    assert "Harbour pilots" not in narrowed
    assert 'value="2024-03-01"' in narrowed and 'value="2024-03-31"' in narrowed
    assert "2024-03-01 to 2024-03-31" in narrowed  # the date chip


def test_date_range_inputs_filter_and_year_or_month_mean_the_whole_span(client):
    html = page(client, "/?q=&from=2024-10&to=2024-10")
    assert "New ferry links" in html and "Braga library" in html
    assert "Harbour Cities Accord" not in html
    assert 'value="2024-10-01"' in html and 'value="2024-10-31"' in html


def test_near_duplicates_are_collapsed_with_a_link_listing_every_version(client):
    html = page(client, "/?q=harbour")
    href = link_to(html, "1 similar article")
    assert params(href)["cluster"]
    versions = page(client, href)
    assert versions.count('class="hit"') == 2
    assert "Similar:</span> one story" in versions


def test_sort_and_pagination_are_in_the_url(client):
    html = page(client, "/?q=&sort=newest&per_page=5")
    assert '<option value="newest" selected>' in html
    nxt = link_to(html, "Next →")
    assert params(nxt) == {"sort": ["newest"], "page": ["2"], "per_page": ["5"]}
    second = page(client, nxt)
    assert 'aria-current="page" class="current">2<' in second
    assert "Showing 6–10 of" in second


@pytest.mark.parametrize(("sort", "reverse"), [("newest", True), ("oldest", False)])
def test_sorting_by_date_orders_dated_hits_and_puts_undated_last(client, sort, reverse):
    hits = client.get(f"/api/search?sort={sort}&per_page=100").get_json()["hits"]
    dates = [h["date"] for h in hits]
    starts = [(d + "-01-01")[:10] if len(d) == 4 else (d + "-01")[:10] for d in dates if d]  # first day meant
    assert len(starts) >= 10
    assert starts == sorted(starts, reverse=reverse)
    assert dates[-1] is None  # the undated bridge article is still listed


def test_a_word_that_matches_nothing_is_corrected_with_a_link_to_search_it_as_typed(client):
    html = page(client, "/?q=harbur")
    assert "Showing results for <em>harbour</em>" in html
    assert 'class="hit' in html
    href = link_to(html, "harbur")
    assert params(href) == {"q": ["harbur"], "correct": ["0"]}
    as_typed = page(client, href)
    assert "Showing results for" not in as_typed
    assert "No article contains “harbur”." in as_typed
    assert "Did you mean" in as_typed
    assert params(link_to(as_typed, "harbour")) == {"q": ["harbour"]}


def test_the_api_returns_the_correction_and_the_unmatched_words(client):
    body = client.get("/api/search?q=harbur").get_json()
    assert body["correction"] == {
        "original": "harbur",
        "corrected": "harbour",
        "words": [{"typed": "harbur", "corrected": "harbour"}],
    }
    assert body["total"] > 0 and body["unmatched"] == []
    typed = client.get("/api/search?q=harbur+zzqxv&correct=0").get_json()
    assert typed["correction"] is None and typed["unmatched"] == ["harbur", "zzqxv"]
    assert client.get("/api/search?q=harbur&correct=maybe").status_code == 400


def test_empty_state_says_what_to_try(client):
    html = page(client, "/?q=zzzzqqqq&person=Helena+Sardinha")
    assert "No articles match" in html
    assert "search without filters" in html


def test_a_query_not_fully_understood_gets_a_note(client):
    html = page(client, "/?q=%22unclosed+harbour")
    assert "How this search was read" in html
    assert "Ignored a quotation mark that was not closed." in html


def test_a_date_filter_says_how_many_undated_matches_it_leaves_out(client):
    html = page(client, "/?q=bridge&from=2024-01-01")
    assert "undated article(s) matching the query are not shown" in html


def test_page_past_the_end_says_so_without_an_error(client):
    html = page(client, "/?q=harbour&page=50")
    assert "past the last" in html
    assert params(link_to(html, "← Previous")) == {"q": ["harbour"]}  # back to the only page


# --- Bad parameters: a 400 that names the parameter and the fix, never a 500 ---------------------

BAD = [
    ("from=2024-13-01", "from"),
    ("from=yesterday", "from"),
    ("to=2024-02-30", "to"),
    ("from=2024-05-01&to=2024-04-01", "to"),
    ("sort=random", "sort"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=1001", "page"),
    ("per_page=1000", "per_page"),
    ("per_page=-1", "per_page"),
    ("q=" + "a" * 1001, "q"),
    ("sort=newest&sort=oldest", "sort"),
    ("&".join(f"person=p{i}" for i in range(21)), "person"),
    ("place=" + "x" * 201, "place"),
]


@pytest.mark.parametrize(("query", "parameter"), BAD)
def test_bad_parameter_is_a_400_naming_it_in_the_api(client, query, parameter):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_parameter"
    assert body["parameter"] == parameter
    assert body["message"] and body["fix"]


@pytest.mark.parametrize(("query", "parameter"), BAD[:6])
def test_bad_parameter_is_a_400_page_that_keeps_the_form(client, query, parameter):
    html = page(client, "/?" + query, status=400)
    assert f"The <code>{parameter}</code> parameter is wrong" in html
    assert "To fix it:" in html
    assert 'id="search-form"' in html
    retry = link_to(html, "Search again without")
    assert parameter not in params(retry)


@pytest.mark.parametrize("path", ["/feed.atom", "/export.csv", "/export.json", "/embed"])
def test_other_routes_refuse_bad_parameters_with_400(client, path):
    assert client.get(path + "?from=nope").status_code == 400


# --- Documents --------------------------------------------------------------------------------------


def test_document_page_highlights_every_hit_with_anchors_to_step_through(client):
    html = page(client, "/documents/01_harbour_summit.txt?q=accord")
    marks = re.findall(r'<mark id="(hit-\d+)">', html)
    assert len(marks) >= 3
    assert f'href="#{marks[0]}" class="hit-next"' in html  # works without JavaScript
    jump = re.findall(r'<li><a href="#(hit-\d+)" data-hit-index="\d+"><span class="hit-no">Hit \d+</span>', html)
    assert jump == marks


def test_document_page_shows_metadata_entities_related_and_a_permalink(client):
    html = page(client, "/documents/01_harbour_summit.txt")
    assert "Marta Quintela" in html
    assert 'rel="canonical" href="http://localhost/documents/01_harbour_summit.txt"' in html
    assert params(link_to(html, "Helena Sardinha")) == {"person": ["Helena Sardinha"]}
    assert "Other versions of this story" in html
    assert "Related articles" in html


def test_document_ids_with_slashes_work_in_pages_and_api(client):
    assert "Blue Estuary Lines" in page(client, "/documents/briefs/2024-10-01-ferry")
    assert client.get("/api/documents/briefs/2024-10-01-ferry").get_json()["id"] == "briefs/2024-10-01-ferry"
    related = client.get("/api/documents/briefs/2024-10-01-ferry/related")
    assert related.status_code == 200 and related.get_json()["id"] == "briefs/2024-10-01-ferry"


@pytest.mark.parametrize(
    "doc_id",
    ["nope", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "x" * 400, "01_harbour_summit.txt%0A"],
)
def test_unknown_or_hostile_document_ids_are_404(client, doc_id):
    assert client.get(f"/documents/{doc_id}").status_code == 404
    for path in (f"/api/documents/{doc_id}", f"/api/documents/{doc_id}/related"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


def test_unknown_route_is_a_404_page_and_a_json_404_under_api(client):
    assert "nothing at this address" in page(client, "/no/such/page", status=404)
    assert client.get("/api/nope").get_json()["error"] == "not_found"


def test_writing_methods_are_refused_with_405(client):
    response = client.post("/api/search", data={"q": "x"})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


# --- Escaping everywhere ----------------------------------------------------------------------------


OUR_SCRIPT = re.compile(r'<script src="(?:http://localhost)?/static/site\.js" defer></script>')


def _assert_inert(text: str) -> None:
    """No tag, handler or javascript: link from an article or a query; only our own script file."""
    lowered = OUR_SCRIPT.sub("", text).lower()
    for needle in HOSTILE:
        assert needle not in lowered, needle
    parser = Links()
    parser.feed(text)
    for tag, name, value in parser.attrs:
        assert not name.startswith("on"), (tag, name)
        assert not value.strip().lower().startswith("javascript:"), (tag, name, value)


@pytest.mark.parametrize(
    "url",
    [
        "/?q=harbour",
        "/?q=pilots",
        "/embed?q=harbour",
        "/documents/hostile_article.txt?q=harbour",
        "/documents/hostile/record-1?q=pilots",
        "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/?q=%22%3E%3Cimg+src=x+onerror=alert(1)%3E",
        "/documents/%3Cscript%3E",
        "/?from=%3Cscript%3E",
        "/about",
    ],
)
def test_article_and_query_text_is_escaped_on_every_page(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    _assert_inert(response.get_data(as_text=True))


def test_hostile_article_shows_its_text_escaped_not_dropped(client):
    html = page(client, "/documents/hostile/record-1?q=pilots")
    assert "&lt;svg onload=alert(6)&gt; Harbour pilots" in html
    assert "javascript:alert(8)" not in html  # an article's own link is shown only when it is http(s)


def test_feed_escapes_hostile_articles(client):
    _assert_inert(page(client, "/feed.atom?q=pilots"))
    _assert_inert(page(client, "/feed.atom?q=harbour"))


def test_site_title_is_escaped(client):
    html = page(client, "/")
    assert "Test &lt;Archive&gt; &amp; Co" in html
    assert "<Archive>" not in html


# --- JSON API ------------------------------------------------------------------------------------


HIT_KEYS = {
    "id", "title", "date", "author", "source", "url", "snippet", "score",
    "people", "organizations", "places", "similar", "on_page", "origin", "dateline",
}  # fmt: skip


def test_api_search_has_exactly_the_documented_shape(client):
    body = client.get("/api/search?q=harbour&person=Helena+Sardinha").get_json()
    assert set(body) == {
        "query",
        "total",
        "counts",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "correction",
        "unmatched",
        "notes",
    }
    assert body["query"] == "harbour" and body["page"] == 1 and body["per_page"] == 10
    assert body["total"] == len(body["hits"]) == 1
    assert set(body["hits"][0]) == HIT_KEYS
    assert body["hits"][0]["similar"] == 1
    assert set(body["facets"]) == {
        "people", "organizations", "places", "sources", "authors", "dates", "undated", "date_precision", "more",
    }  # fmt: skip
    assert {"value": "Helena Sardinha", "count": 1, "selected": True} in body["facets"]["people"]  # as the total
    assert body["counts"]["stories"] == 1 and body["counts"]["articles"] == 2 and body["counts"]["unit"] == "stories"
    assert set(body["facets"]["dates"][0]) == {"start", "end", "count"}


def test_api_snippets_are_escaped_text_with_only_mark_tags(client):
    for hit in client.get("/api/search?q=harbour").get_json()["hits"]:
        assert re.sub(r"</?mark>", "", hit["snippet"]).count("<") == 0


def test_api_repeated_values_of_one_facet_match_any_of_them(client):
    both = client.get("/api/search?person=Henrique+Almada&person=Clara+Valadares&per_page=50").get_json()
    one = client.get("/api/search?person=Clara+Valadares").get_json()
    assert 1 <= one["total"] <= both["total"]
    for hit in both["hits"]:
        assert {"Henrique Almada", "Clara Valadares"} & set(hit["people"])


def test_api_document_highlights_with_q_and_keeps_only_marks(client):
    body = client.get("/api/documents/hostile_article.txt?q=harbour").get_json()
    assert body["hits"] >= 3
    assert '<mark id="hit-' in body["body_html"]
    assert "<script" not in body["body_html"]
    assert "<script>window.__pwned" in body["body"]  # plain text stays the article's own words
    assert body["permalink"] == "http://localhost/documents/hostile_article.txt"
    plain = client.get("/api/documents/hostile_article.txt").get_json()
    assert "<mark" not in plain["body_html"]


def test_api_related_lists_other_articles_and_the_near_duplicate(client):
    body = client.get("/api/documents/01_harbour_summit.txt/related").get_json()
    assert [h["id"] for h in body["similar"]] == ["02_harbour_summit_wire.txt"]
    assert body["related"] and all(set(h) == HIT_KEYS for h in body["related"])
    assert "01_harbour_summit.txt" not in [h["id"] for h in body["related"]]


# --- Feed, exports, OpenSearch, health ----------------------------------------------------------


def test_atom_feed_lists_matches_newest_first(client):
    import xml.etree.ElementTree as ET

    response = client.get("/feed.atom?q=sample+OR+harbour+OR+mayor")
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)
    published = [e.findtext("a:published", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(published) >= 3
    dated = [p for p in published if p]
    assert dated == sorted(dated, reverse=True)
    assert published[: len(dated)] == dated  # undated articles come last
    first = root.find("a:entry", ns)
    assert first.find("a:link", ns).get("href").startswith("http://localhost/documents/")
    assert root.find("a:link[@rel='self']", ns).get("href") == "http://localhost/feed.atom?q=sample+OR+harbour+OR+mayor"


def test_csv_export_has_every_hit_and_defuses_formulas(client):
    import csv
    import io

    response = client.get("/export.csv?q=harbour")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    notes = int(re.search(r"(\d+) lines of notes", text).group(1))
    rows = list(csv.DictReader(io.StringIO(text.split("\n", notes)[notes])))
    ids = {r["id"] for r in rows}
    assert len(rows) == len(ids) == 3  # as the page lists them: the two reports of the summit are one row
    every = client.get("/export.csv?q=harbour&versions=all").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(every.split("\n", notes)[notes])))) == 4
    assert ids >= {"hostile/record-1"} and len(ids & {"01_harbour_summit.txt", "02_harbour_summit_wire.txt"}) == 1
    author = next(r["author"] for r in rows if r["id"] == "hostile/record-1")
    assert author.startswith('"><script>')  # kept as text
    assert rows[0]["permalink"].startswith("http://localhost/documents/")


def test_json_export_has_every_hit_with_permalinks(client):
    import json

    response = client.get("/export.json?q=&sort=oldest&versions=all")
    body = json.loads(response.data)
    assert body["exported"] == body["total"] == len(body["hits"]) == 18  # every article, near-duplicates too
    assert body["export"]["rows_are"] == "articles"
    folded = json.loads(client.get("/export.json?q=&sort=oldest").data)
    assert folded["total"] == len(folded["hits"]) == folded["export"]["stories"] == 17
    assert folded["export"]["rows_are"] == "stories" and folded["export"]["articles"] == 18
    assert body["hits"][0]["date"] == "1998"
    assert all(h["permalink"].startswith("http://localhost/documents/") for h in body["hits"])


def test_opensearch_description_points_at_the_search_page(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    text = response.get_data(as_text=True)
    assert 'template="http://localhost/?q={searchTerms}"' in text
    assert 'rel="search"' in page(client, "/")


def test_about_page_shows_counts_and_date_span(client):
    html = page(client, "/about")
    assert re.search(r"<dt>Articles</dt><dd>18</dd>", html)
    assert re.search(r"<dt>Undated</dt><dd>1 ", html)
    assert "1998-01-01 to 2024-10-01" in html


def test_healthz_is_200_with_the_document_count(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "documents": 18, "last_update": response.get_json()["last_update"]}
