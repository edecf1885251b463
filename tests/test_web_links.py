"""Links a page builds in bulk (facet toggles, entity filters, pages, histogram bars) equal the plain way."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import pytest
from flask import url_for

from search.query.types import SearchRequest, Sort
from search.web.params import to_params, toggle
from search.web.present import Presenter

REQUESTS = [
    SearchRequest(),
    SearchRequest(q="oil prices"),
    SearchRequest(q='"money supply" & <b>', people=("Sergey Lavrov",), page=3),
    SearchRequest(
        q="talks",
        date_from=date(1987, 3, 1),
        date_to=date(1987, 3, 31),
        people=("A", "B & C"),
        organizations=("OPEC",),
        places=("São Paulo", "Goa"),
        sources=("AP",),
        sort=Sort.NEWEST,
        page=2,
        per_page=50,
        cluster="c1",
    ),
]


def plain(endpoint: str, req: SearchRequest, per_page: int) -> str:
    """The URL as the pages built it before: a request per link, urlencode, url_for."""
    params = to_params(req, per_page=per_page)
    base = url_for(endpoint)
    return f"{base}?{urlencode(params)}" if params else base


@pytest.mark.parametrize("req", REQUESTS)
def test_bulk_links_equal_links_built_one_request_at_a_time(web_app, web_settings, req: SearchRequest) -> None:
    endpoint = "pages.search_page"
    n = web_settings.per_page
    with web_app.test_request_context("/"):
        p = Presenter(endpoint, req, web_settings)
        for field in ("people", "organizations", "places", "sources"):
            for value in ("Sergey Lavrov", "B & C", "OPEC", "AP", "Goa", "ü/?#=&+"):
                assert p.toggle_link(field, value) == plain(endpoint, toggle(req, field, value), n)
                if field != "sources":
                    expected = replace(req, page=1) if value in getattr(req, field) else toggle(req, field, value)
                    assert p.entity_link(field, value) == plain(endpoint, expected, n)
        assert p.url_with(page=7) == plain(endpoint, replace(req, page=7), n)
        assert p.url_with(date_from=None, date_to=None, page=1) == plain(
            endpoint, replace(req, date_from=None, date_to=None, page=1), n
        )
        assert p.suggestion_link("oil price") == plain(endpoint, replace(req, q="oil price", page=1), n)
        assert p.similar_link("c 9") == plain(endpoint, replace(req, cluster="c 9", page=1), n)
        assert p.url(req) == plain(endpoint, req, n)
        for changes in (
            {"sort": Sort.RELEVANCE, "page": 1},
            {"sort": Sort.OLDEST},
            {"date_from": date(2000, 1, 1), "date_to": None, "page": 1},
            {"per_page": n, "cluster": None},
            {"q": "", "people": ()},
        ):
            assert p.url_with(**changes) == plain(endpoint, replace(req, **changes), n)


@pytest.mark.parametrize("script_root", ["", "/news", "/arch ive"])
def test_a_hits_document_link_equals_url_for_for_awkward_ids(web_app, web_settings, script_root: str) -> None:
    ids = ["reuters-1", "a/b//c/", "a b", "ü-ñ/ß", "50%", "what?", "x#y", "a&b=c+d", "'\"<>", "~.-_", "😀"]
    with web_app.test_request_context("/", environ_overrides={"SCRIPT_NAME": script_root}):
        for q in ("", "oil", "a b & c", "ü?#%/+=", "~!*()';:@$,"):
            p = Presenter("pages.search_page", SearchRequest(q=q), web_settings)
            for doc_id in ids:
                assert p.document_link(doc_id) == url_for("pages.document_page", doc_id=doc_id, q=q or None)


@pytest.mark.parametrize("req", REQUESTS)
def test_a_requests_parameters_read_back_as_the_same_request(web_settings, req: SearchRequest) -> None:
    from werkzeug.datastructures import MultiDict

    from search.web.params import parse_search

    excluded = replace(req, excluded=(("people", "Reagan"), ("sources", "AP & Co")), precision=("year",))
    for r in (req, excluded, replace(req, collapse=False, correct=False)):
        params = to_params(r, per_page=web_settings.per_page)
        assert parse_search(MultiDict(params), web_settings) == r


def test_a_hits_names_are_links_in_kind_order_at_most_six_of_a_kind(web_app, web_settings) -> None:
    from search.documents import EntityKind
    from search.query.types import Hit

    people = tuple(f"Person {n}" for n in range(8))
    hit = Hit("x", "", None, "", "", "", "", 1.0, places=("Goa",), people=people)
    with web_app.test_request_context("/"):
        p = Presenter("pages.search_page", SearchRequest(q="oil"), web_settings)
        links = p.entity_links(hit)
        assert [(link.kind, link.label) for link in links] == [
            *((EntityKind.PERSON, name) for name in people[:6]),
            (EntityKind.PLACE, "Goa"),
        ]
        assert links[-1].href == p.entity_link("places", "Goa")


def test_facet_values_and_their_buttons_are_escaped_once(client) -> None:
    page = client.get("/", query_string={"person": "<b>\"x'&y", "q": "harbour"}).get_data(as_text=True)
    assert "<b>" not in page and "&amp;amp;" not in page
    shown = "&lt;b&gt;&#34;x&#39;&amp;y"
    assert f'name="person" value="{shown}" checked>' in page
    assert f'aria-label="Exclude {shown}"' in page
