"""The pages as an archivist's workbench: every facet value reachable, exclusions, date precision, datelines."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers.forms import submit


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- The core: every value of a facet, found by part of its name --------------------------------------


@pytest.fixture(scope="module")
def archive(web_index):
    from search import query

    return query.open_index(web_index)


def test_facet_values_page_through_every_value_by_count_or_name(archive):
    from search import query
    from search.query.types import SearchRequest

    req = SearchRequest()
    first = query.facet_values(archive, req, "people", per_page=5)
    everyone = query.facet_values(archive, req, "people", per_page=500)
    assert first.total == everyone.total > 15  # more people than the search page lists
    assert [v.count for v in everyone.values] == sorted((v.count for v in everyone.values), reverse=True)
    second = query.facet_values(archive, req, "people", page=2, per_page=5)
    assert [v.value for v in first.values + second.values] == [v.value for v in everyone.values[:10]]
    by_name = query.facet_values(archive, req, "people", order="name", per_page=500)
    names = [v.value for v in by_name.values]
    assert names == sorted(names, key=lambda n: (n.lower(), n)) and set(names) == {v.value for v in everyone.values}


@pytest.mark.parametrize("piece", ["sard", "SARDINHA", "ardinh", "sárdínha"])
def test_a_facet_search_matches_any_part_of_a_value_without_case_or_accents(archive, piece):
    from search import query
    from search.query.types import SearchRequest

    found = query.facet_values(archive, SearchRequest(), "people", contains=piece)
    assert [v.value for v in found.values] == ["Helena Sardinha"] and found.total == 1


def test_facet_values_count_within_the_search_and_its_other_filters(archive):
    from search import query
    from search.query.types import SearchRequest

    within = query.facet_values(archive, SearchRequest(q="harbour"), "people", per_page=500)
    overall = {v.value: v.count for v in query.facet_values(archive, SearchRequest(), "people", per_page=500).values}
    assert within.values and within.total < len(overall)
    assert all(v.count <= overall[v.value] for v in within.values)
    chosen = query.facet_values(archive, SearchRequest(people=("Helena Sardinha",)), "people", per_page=500)
    assert len(chosen.values) == len(overall)  # a facet's own choice does not narrow its values (any of)
    assert [v.value for v in chosen.values if v.selected] == ["Helena Sardinha"]


def test_an_excluded_value_leaves_out_every_article_naming_it(archive):
    from search import query
    from search.query.types import SearchRequest

    everything = query.search(archive, SearchRequest(per_page=100, collapse=False))
    without = query.search(
        archive, SearchRequest(per_page=100, collapse=False, excluded=(("people", "Helena Sardinha"),))
    )
    named = [h.id for h in everything.hits if "Helena Sardinha" in h.people]
    assert named and without.total == everything.total - len(named)
    assert not {h.id for h in without.hits} & set(named)
    shown = {v.value: v for v in without.facets.people}
    assert shown["Helena Sardinha"].excluded and shown["Helena Sardinha"].count == 0


def test_source_and_author_facets_count_articles(archive):
    from search import query
    from search.query.types import SearchRequest

    facets = query.search(archive, SearchRequest()).facets
    sources = {v.value: v.count for v in facets.sources}
    authors = {v.value: v.count for v in facets.authors}
    assert sources["Sample Gazette"] >= 10 and "Sample Wire Service" in sources and "" not in sources
    assert authors["Marta Quintela"] == 3 and authors["Joana Rebelo"] >= 2
    by_author = query.search(archive, SearchRequest(authors=("Marta Quintela",), collapse=False))
    assert by_author.total == 3 and all(h.author == "Marta Quintela" for h in by_author.hits)


@pytest.mark.parametrize(
    ("precision", "title"),
    [("year", "lighthouse"), ("month", "library"), ("undated", "old iron bridge")],
)
def test_articles_dated_to_a_year_or_a_month_or_undated_are_selectable_as_such(archive, precision, title):
    from search import query
    from search.query.types import SearchRequest

    counts = {v.value: v.count for v in query.search(archive, SearchRequest()).facets.precision}
    result = query.search(archive, SearchRequest(precision=(precision,), collapse=False))
    assert result.total == counts[precision] >= 1
    assert any(title in h.title.lower() for h in result.hits)
    expected = {"year": 4, "month": 7, "undated": None}[precision]
    assert all((len(h.date) if h.date else None) == expected for h in result.hits)


# --- The pages ------------------------------------------------------------------------------------------


def test_search_page_has_source_and_author_facets_and_a_more_link(client):
    html = page(client, "/?q=")
    for legend in ("People", "Organisations", "Places", "Sources", "Authors"):
        assert f"<legend>{legend}" in html
    assert 'name="author" value="Marta Quintela"' in html
    assert 'name="source" value="Sample Gazette"' in html
    assert "All " in html and "/facets/people" in html


def test_a_value_outside_the_top_is_reached_from_the_facet_page(client):
    home = page(client, "/?q=")
    listed = {value for value in _values(home, "person")}
    facet_page = page(client, "/facets/people?order=name&per_page=500")
    every = _values(facet_page, "person")
    hidden = [v for v in every if v not in listed]
    assert hidden, "the sample archive has more people than the search page lists"
    url = submit(facet_page, "facet-form", tick=("person", hidden[0]))
    assert urlsplit(url).path == "/" and params(url)["person"] == [hidden[0]]
    assert hidden[0] in page(client, url)


def test_the_facet_page_keeps_the_search_and_its_filters(client):
    html = page(client, "/facets/places?q=harbour&person=Helena+Sardinha&contains=lis")
    assert 'value="Lisbon"' in html and "Porto" not in _values(html, "place")
    url = submit(html, "facet-form", tick=("place", "Lisbon"))
    assert params(url) == {"q": ["harbour"], "person": ["Helena Sardinha"], "place": ["Lisbon"]}
    back = submit(html, "facet-form", press=("not_place", "Lisbon"))
    assert params(back)["not_place"] == ["Lisbon"]


def test_exclude_button_adds_a_not_chip_that_is_in_the_url(client):
    html = page(client, "/?q=harbour")
    url = submit(html, "facet-form", press=("not_person", "Helena Sardinha"))
    assert params(url) == {"q": ["harbour"], "not_person": ["Helena Sardinha"]}
    html = page(client, url)
    assert "Not person:</span> Helena Sardinha" in html
    assert "Harbour Cities Accord" not in html.split('id="results"')[1]


def test_several_values_of_one_facet_say_any_of(client):
    html = page(client, "/?person=Henrique+Almada&person=Clara+Valadares")
    assert "(any of the ticked people)" in html
    assert "Person, any of:</span> Henrique Almada" in html


def test_date_precision_check_boxes_filter_the_results(client):
    html = page(client, "/?q=")
    url = submit(html, "facet-form", tick=("precision", "undated"))
    assert params(url) == {"precision": ["undated"]}
    html = page(client, url)
    assert "The old iron bridge at Mirandela" in html and "Dates:</span> undated" in html


def test_api_facets_is_the_json_twin_of_the_facet_page(client):
    body = client.get("/api/facets/people?contains=SARD&q=harbour").get_json()
    assert body == {
        "query": "harbour",
        "facet": "people",
        "contains": "SARD",
        "order": "count",
        "page": 1,
        "per_page": 50,
        "total": 1,
        "unit": "stories",
        "values": [{"value": "Helena Sardinha", "count": 1}],  # one story: her two reports are versions of it
    }
    every = client.get("/api/facets/people?contains=SARD&q=harbour&versions=all").get_json()
    assert every["values"] == [{"value": "Helena Sardinha", "count": 2}] and every["unit"] == "articles"
    assert client.get("/api/facets/nothing").status_code == 404
    bad = client.get("/api/facets/people?order=size")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "order"


def test_api_returns_a_hits_dateline(client):
    body = client.get("/api/search?q=flood").get_json()
    assert any(h["dateline"] for h in body["hits"])
    hit = next(h for h in body["hits"] if h["dateline"])
    assert client.get(f"/api/documents/{hit['id']}").get_json()["dateline"] == hit["dateline"]


def _values(html: str, name: str) -> list[str]:
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find("form", id="facet-form")
    return [box["value"] for box in form.find_all("input", attrs={"type": "checkbox", "name": name})]


def test_the_facet_page_pages_through_values_keeping_its_order(client):
    html = page(client, "/facets/people?order=name&per_page=12&page=2")
    assert "showing 13–24, A to Z" in html
    prev = re.search(r'href="([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    nxt = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert params(prev) == {"order": ["name"], "per_page": ["12"]}
    assert params(nxt) == {"order": ["name"], "page": ["3"], "per_page": ["12"]}
    first = _values(page(client, prev), "person")
    assert first == sorted(first, key=lambda n: (n.lower(), n)) and len(first) == 12


# --- Exports ------------------------------------------------------------------------------------------------


def _csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    import csv
    import io

    lines = text.split("\n")
    notes = int(re.search(r"(\d+) lines of notes", lines[0]).group(1))
    assert all(line.startswith(("# ", '"# ')) for line in lines[:notes])
    return lines[:notes], list(csv.DictReader(io.StringIO("\n".join(lines[notes:]))))


def test_csv_export_states_its_search_and_holds_every_field(client):
    response = client.get("/export.csv?q=harbour&person=Helena+Sardinha&sort=newest")
    disposition = response.headers["Content-Disposition"]
    assert re.search(r'filename="archive-harbour-helena-sardinha-\d{4}-\d{2}-\d{2}\.csv"', disposition)
    notes, rows = _csv(response.get_data(as_text=True))
    text = "\n".join(notes)
    assert "query: harbour" in text and "person=Helena Sardinha" in text and "sort: newest" in text
    assert "all 1 matching story" in text and "2 articles: 1 other version left out" in text
    assert [r["id"] for r in rows] == ["01_harbour_summit.txt"]
    notes, rows = _csv(client.get("/export.csv?q=harbour&person=Helena+Sardinha&sort=newest&versions=all").text)
    assert "all 2 matching articles" in "\n".join(notes) and "every version of a story is its own row" in notes[5]
    assert [r["id"] for r in rows] == ["01_harbour_summit.txt", "02_harbour_summit_wire.txt"]
    assert set(rows[0]) == {
        "id", "title", "date", "dateline", "author", "source", "url", "permalink", "score", "cluster",
        "people", "organizations", "places", "snippet",
    }  # fmt: skip
    assert rows[0]["source"] == "Sample Gazette" and rows[1]["source"] == "Sample Wire Service"
    assert "Helena Sardinha" in rows[0]["people"].split("; ")


def test_csv_without_notes_is_a_bare_table(client):
    import csv
    import io

    body = client.get("/export.csv?q=flood&notes=0").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and rows[0]["id"] and any(r["dateline"] for r in rows)


def test_export_with_full_text_holds_each_articles_body(client):
    import json

    lines = client.get("/export.jsonl?q=flood&text=1").get_data(as_text=True).splitlines()
    head = json.loads(lines[0])["export"]
    assert head["full_text"] is True and head["exported"] == head["total"] == len(lines) - 1
    first = json.loads(lines[1])
    document = client.get(f"/api/documents/{first['id']}").get_json()
    assert first["text"] == document["body"] and first["dateline"] == document["dateline"]
    assert "text" not in json.loads(client.get("/export.jsonl?q=flood").get_data(as_text=True).splitlines()[1])


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_a_configured_cap_is_stated_in_the_file_and_on_the_page(web_settings, fmt):
    import json
    from dataclasses import replace

    from search.web import create_app

    client = create_app(replace(web_settings, export_limit=5)).test_client()
    html = client.get("/?q=&versions=all").get_data(as_text=True)
    assert "caps exports at 5 articles (EXPORT_LIMIT): the file will hold the first 5 of 18" in html
    folded = client.get("/?q=").get_data(as_text=True)
    assert "caps exports at 5 stories (EXPORT_LIMIT): the file will hold the first 5 of 17" in folded
    body = client.get(f"/export.{fmt}?q=&sort=oldest&versions=all").get_data(as_text=True)
    if fmt == "csv":
        notes, rows = _csv(body)
        assert len(rows) == 5 and "5 of 18 matching articles" in "\n".join(notes) and "EXPORT_LIMIT" in notes[4]
    elif fmt == "jsonl":
        lines = body.splitlines()
        head = json.loads(lines[0])["export"]
        assert (head["exported"], head["total"], head["limit"], head["truncated"]) == (5, 18, 5, True)
        assert len(lines) == 6
    else:
        data = json.loads(body)
        assert data["export"]["truncated"] and len(data["hits"]) == data["exported"] == 5 and data["total"] == 18


def test_export_rows_follow_the_searchs_order_and_filters(client):
    import json

    data = json.loads(client.get("/export.json?q=&sort=oldest&not_source=Sample+Gazette").data)
    assert data["export"]["filters"] == {"not_source": ["Sample Gazette"]}
    assert data["hits"] and all(h["source"] != "Sample Gazette" for h in data["hits"])
    dates = [h["date"] for h in data["hits"] if h["date"]]
    assert dates == sorted(dates)


# --- The document page ------------------------------------------------------------------------------------


def test_a_hits_document_link_carries_the_whole_search_and_the_page_leads_back_to_it(client):
    search = "/?q=harbour&from=2024-01-01&person=Helena+Sardinha&sort=newest&page=1&per_page=5"
    html = page(client, search)
    doc = re.search(r'<h2 class="hit-title"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert params(doc) == {
        "q": ["harbour"], "from": ["2024-01-01"], "person": ["Helena Sardinha"], "sort": ["newest"], "per_page": ["5"],
    }  # fmt: skip
    back = re.search(r'<p class="back"><a href="([^"]+)"', page(client, doc)).group(1).replace("&amp;", "&")
    assert urlsplit(back).path == "/" and params(back) == params(doc)
    second = page(client, "/documents/01_harbour_summit.txt?q=harbour&page=2&not_place=Porto")
    back = re.search(r'<p class="back"><a href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert params(back) == {"q": ["harbour"], "page": ["2"], "not_place": ["Porto"]}
    assert "← Back to search" in page(client, "/documents/01_harbour_summit.txt?q=harbour&from=nonsense")


def test_the_jump_list_gives_each_hit_a_few_words_of_context(client):
    html = page(client, "/documents/01_harbour_summit.txt?q=accord")
    entries = re.findall(r'<span class="hit-context">…(.*?) <strong>(.*?)</strong> (.*?)…</span>', html)
    assert len(entries) >= 3
    before, hit, after = entries[0]
    assert hit.lower() == "accord" and 1 <= len(before.split()) <= 6 and len(after.split()) <= 6


def test_the_document_page_suggests_a_citation_pinned_to_the_permalink(client):
    html = page(client, "/documents/01_harbour_summit.txt?q=accord")
    citation = re.search(r'<p id="citation-text" class="citation-text">(.*?)</p>', html).group(1)
    assert "Marta Quintela." in citation and "Sample Gazette, 2024-03-14" in citation
    assert "http://localhost/documents/01_harbour_summit.txt (accessed " in citation and "?q=" not in citation


def test_bibtex_and_ris_downloads(client):
    bib = client.get("/documents/01_harbour_summit.txt/cite.bib")
    assert bib.status_code == 200 and "attachment" in bib.headers["Content-Disposition"]
    text = bib.get_data(as_text=True)
    assert text.startswith("@article{samplegazette2024-") and "  month = mar," in text
    assert "  url = {http://localhost/documents/01_harbour_summit.txt}," in text
    assert "  journal = {Sample Gazette}," in text and "  author = {Marta Quintela}," in text
    ris = client.get("/documents/briefs/2024-10-15-library/cite.ris").get_data(as_text=True)
    assert ris.startswith("TY  - NEWS\r\n") and "DA  - 2024/10//\r\n" in ris and ris.endswith("ER  - \r\n")
    assert "UR  - http://localhost/documents/briefs/2024-10-15-library\r\n" in ris
    assert client.get("/documents/01_harbour_summit.txt/cite.doc").status_code == 404
    assert client.get("/documents/nothing-here/cite.bib").status_code == 404


def test_bibtex_escapes_what_tex_would_read_as_commands():
    from datetime import date

    from search.web.citation import Citation

    cite = Citation("50% of {all} & more_x", "", "A#1", "1987", "", "Archive", "http://h/d", date(2026, 1, 1), "d")
    text = cite.bibtex()
    assert "title = {50\\% of \\{all\\} \\& more\\_x}" in text and "journal = {A\\#1}" in text


def test_each_facet_has_a_find_box_that_searches_its_values_within_the_search(client):
    from bs4 import BeautifulSoup

    html = page(client, "/?q=harbour&from=2024-01-01")
    soup = BeautifulSoup(html, "html.parser")
    box = soup.find("input", attrs={"form": "find-people", "name": "contains"})
    assert box is not None and "Find a person" in box["aria-label"]
    form = soup.find("form", id="find-people")
    fields = [(i["name"], i["value"]) for i in form.find_all("input")] + [("contains", "SARD")]
    url = form["action"] + "?" + "&".join(f"{k}={v}" for k, v in fields)
    listing = page(client, url)
    assert params(url) == {"q": ["harbour"], "from": ["2024-01-01"], "contains": ["SARD"]}
    assert _values(listing, "person") == ["Helena Sardinha"]
