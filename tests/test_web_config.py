"""The web layer's configuration and edges: settings, URL prefixes, proxies, headers, CORS, health, OpenAPI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.web import create_app
from search.web.settings import Settings, SettingsError

# --- Settings from the environment ---------------------------------------------------------------


def test_settings_are_read_from_environment_variables(tmp_path):
    conf = Settings.from_env(
        {
            "SEARCH_INDEX": str(tmp_path),
            "SITE_TITLE": "Newsroom archive",
            "URL_PREFIX": "archive/search/",
            "ALLOWED_ORIGINS": "https://intranet.example.org, http://portal:8080/",
            "FRAME_ANCESTORS": "'self' https://intranet.example.org",
            "PER_PAGE": "20",
        }
    )
    assert conf.index_dir == tmp_path
    assert conf.site_title == "Newsroom archive"
    assert conf.url_prefix == "/archive/search"
    assert conf.allowed_origins == ("https://intranet.example.org", "http://portal:8080")
    assert conf.frame_ancestors == ("'self'", "https://intranet.example.org")
    assert conf.per_page == 20


def test_settings_defaults_are_safe():
    conf = Settings.from_env({})
    assert conf.allowed_origins == ()
    assert conf.frame_ancestors == ("'self'",)
    assert conf.url_prefix == ""
    assert conf.index_dir.name == "index"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLOWED_ORIGINS", "intranet.example.org"),
        ("ALLOWED_ORIGINS", "https://x.example/path"),
        ("FRAME_ANCESTORS", "https://x.example; script-src *"),
        ("URL_PREFIX", "/a b"),
        ("PER_PAGE", "many"),
        ("MAX_PER_PAGE", "0"),
        ("FORWARDED_ALLOW_IPS", "proxy.example"),
        ("ALLOWED_HOSTS", "https://archive.example.org"),
        ("PROXY_HOPS", "-1"),
    ],
)
def test_unusable_settings_are_refused_naming_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


# --- URL prefix behind a reverse proxy -----------------------------------------------------------


@pytest.fixture(scope="module")
def prefixed(web_settings):
    from dataclasses import replace

    return create_app(replace(web_settings, url_prefix="/archive/search")).test_client()


def _urls(html: str) -> list[str]:
    return [u for u in re.findall(r'(?:href|src|action|template)="([^"#]+)"', html) if not u.startswith("data:")]


@pytest.mark.parametrize("path", ["/archive/search/?q=harbour", "/?q=harbour"])
def test_with_url_prefix_every_link_form_and_asset_carries_it(prefixed, path):
    """Whether the proxy passes the prefix through or strips it, the pages link under the prefix."""
    response = prefixed.get(path)
    assert response.status_code == 200
    urls = _urls(response.get_data(as_text=True))
    assert len(urls) > 20
    local = [u for u in urls if not u.startswith("http")]
    assert all(u.startswith("/archive/search/") for u in local), [u for u in local if "/archive/" not in u]


def test_with_url_prefix_assets_api_and_documents_are_served(prefixed):
    assert prefixed.get("/archive/search/static/style.css").status_code == 200
    assert prefixed.get("/archive/search/api/search?q=harbour").get_json()["total"] == 3
    doc = prefixed.get("/archive/search/api/documents/01_harbour_summit.txt").get_json()
    assert doc["permalink"] == "http://localhost/archive/search/documents/01_harbour_summit.txt"
    feed = prefixed.get("/archive/search/feed.atom?q=harbour").get_data(as_text=True)
    assert "http://localhost/archive/search/documents/" in feed


def test_forwarded_prefix_host_and_scheme_from_the_proxy_are_respected(web_settings):
    from dataclasses import replace

    client = create_app(replace(web_settings, proxy_hops=1)).test_client()  # the test client is 127.0.0.1
    headers = {
        "X-Forwarded-Prefix": "/news",
        "X-Forwarded-Host": "intranet.example.org",
        "X-Forwarded-Proto": "https",
    }
    html = client.get("/documents/01_harbour_summit.txt", headers=headers).get_data(as_text=True)
    assert 'href="https://intranet.example.org/news/documents/01_harbour_summit.txt"' in html
    assert 'href="/news/static/style.css"' in html
    api = client.get("/api/openapi.json", headers=headers).get_json()
    assert api["servers"] == [{"url": "https://intranet.example.org/news"}]
    search = client.get("/opensearch.xml", headers=headers).get_data(as_text=True)
    assert 'template="https://intranet.example.org/news/?q={searchTerms}"' in search


@pytest.mark.parametrize(
    ("hops", "proxies"),
    [(0, ("127.0.0.1", "::1")), (1, ("10.0.0.0/8",)), (1, ())],
    ids=["no-proxy-configured", "peer-not-a-proxy", "no-proxy-address"],
)
def test_proxy_headers_are_ignored_unless_the_peer_is_a_configured_proxy(web_settings, hops, proxies):
    from dataclasses import replace

    app = create_app(replace(web_settings, proxy_hops=hops, forwarded_allow_ips=proxies))
    headers = {"X-Forwarded-Prefix": "/evil", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    html = app.test_client().get("/documents/01_harbour_summit.txt", headers=headers).get_data(as_text=True)
    assert "/evil" not in html and "evil.example" not in html and "https://" not in html
    assert 'href="http://localhost/documents/01_harbour_summit.txt"' in html


def test_proxy_headers_are_taken_from_a_configured_proxy_network(web_settings):
    from dataclasses import replace

    app = create_app(replace(web_settings, proxy_hops=1, forwarded_allow_ips=("10.0.0.0/8",)))
    environ = {"REMOTE_ADDR": "10.1.2.3"}
    html = app.test_client().get("/", headers={"X-Forwarded-Prefix": "/news"}, environ_base=environ)
    html = html.get_data(as_text=True)
    assert 'href="/news/static/style.css"' in html


def test_with_allowed_hosts_other_host_names_get_a_400_naming_the_problem(web_settings):
    from dataclasses import replace

    conf = Settings.from_env({"ALLOWED_HOSTS": "archive.example.org, .intranet.example, 127.0.0.1"})
    assert conf.allowed_hosts == ("archive.example.org", ".intranet.example", "127.0.0.1")
    client = create_app(replace(web_settings, allowed_hosts=conf.allowed_hosts)).test_client()
    for host in ["archive.example.org", "ARCHIVE.example.org:8443", "news.intranet.example", "127.0.0.1:8000"]:
        assert client.get("/opensearch.xml", headers={"Host": host}).status_code == 200, host
    for host in ["evil.example", "archive.example.org.evil.example", "intranet.example.evil"]:
        page = client.get("/opensearch.xml", headers={"Host": host})
        assert page.status_code == 400 and "does not answer for that host name" in page.get_data(as_text=True)
        assert client.get("/api/search?q=x", headers={"Host": host}).get_json()["error"] == "bad_host"
    assert client.get("/", headers={"Host": "a..b"}).status_code == 400


def test_trusted_proxies_default_to_none_and_are_read_from_the_environment():
    assert Settings.from_env({}).proxy_hops == 0
    conf = Settings.from_env({"PROXY_HOPS": "1", "FORWARDED_ALLOW_IPS": "10.0.0.0/8, 192.168.1.7"})
    assert conf.proxy_allowed("10.9.8.7") and conf.proxy_allowed("192.168.1.7")
    assert conf.proxy_allowed("::ffff:10.0.0.1")  # an IPv4 proxy through a dual-stack socket
    assert not conf.proxy_allowed("127.0.0.1") and not conf.proxy_allowed("") and not conf.proxy_allowed("unix")
    assert Settings.from_env({"PROXY_HOPS": "1", "FORWARDED_ALLOW_IPS": "*"}).proxy_allowed("unix")
    assert Settings.from_env({"PROXY_HOPS": "1"}).proxy_allowed("127.0.0.1")


# --- Security headers, framing, CORS ---------------------------------------------------------------

ROUTES = [
    "/",
    "/?q=harbour",
    "/documents/01_harbour_summit.txt",
    "/about",
    "/embed",
    "/api/search?q=x",
    "/api/documents/01_harbour_summit.txt",
    "/api/documents/01_harbour_summit.txt/related",
    "/api/openapi.json",
    "/feed.atom",
    "/export.csv",
    "/export.json",
    "/opensearch.xml",
    "/healthz",
    "/static/embed.js",
    "/nope",
    "/?from=bad",
]


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_sends_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src" in csp or "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_only_the_embed_page_may_be_framed_by_the_configured_parents(client):
    embed = client.get("/embed?q=harbour")
    assert "frame-ancestors 'self' https://portal.example" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    other = client.get("/?q=harbour")
    assert "frame-ancestors 'self'" in other.headers["Content-Security-Policy"]
    assert "portal.example" not in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_embed_page_is_compact_and_opens_articles_in_a_new_tab(client):
    html = client.get("/embed?q=harbour").get_data(as_text=True)
    assert 'class="site-header"' not in html
    assert 'target="_blank" rel="noopener"' in html
    assert 'action="/embed"' in html


@pytest.mark.parametrize("path", ["/api/search?q=harbour", "/feed.atom?q=harbour", "/export.json?q=x"])
def test_cors_allows_only_configured_origins(client, path):
    allowed = client.get(path, headers={"Origin": "http://allowed.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get(path, headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight_is_answered_for_allowed_origins(client):
    response = client.options(
        "/api/search",
        headers={"Origin": "http://allowed.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_pages_are_not_cors_readable(client):
    response = client.get("/?q=harbour", headers={"Origin": "http://allowed.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_wildcard_origin_allows_any_page(web_settings):
    from dataclasses import replace

    app = create_app(replace(web_settings, allowed_origins=("*",)))
    response = app.test_client().get("/api/search?q=x", headers={"Origin": "http://anything.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- A missing or broken index: 503 with a reason, never a stack trace ---------------------------


@pytest.mark.parametrize("state", ["missing", "empty", "garbage"])
def test_unreadable_index_makes_healthz_and_pages_503_with_a_reason(tmp_path, state, caplog):
    index_dir = tmp_path / "index"
    if state != "missing":
        index_dir.mkdir()
    if state == "garbage":
        (index_dir / "_MAIN_1.toc").write_bytes(b"\x00not an index")
    client = create_app(Settings(index_dir=index_dir)).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    assert health.get_json()["reason"]
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and api.get_json()["error"] == "index_unavailable"
    assert api.headers["Retry-After"]
    html = client.get("/?q=x")
    assert html.status_code == 503
    assert "cannot be read right now" in html.get_data(as_text=True)
    assert "Traceback" not in html.get_data(as_text=True)
    # The reason and the fix are shown, the server's folder only logged (clients never learn its paths).
    assert "python -m search index" in html.get_data(as_text=True) and api.get_json()["fix"]
    for response in (health, api, html):
        assert str(tmp_path) not in response.get_data(as_text=True) and "/index" not in response.get_data(as_text=True)
    assert str(index_dir) in caplog.text


def test_service_recovers_without_a_restart_once_the_index_appears(tmp_path, web_index):
    import shutil

    index_dir = tmp_path / "index"
    client = create_app(Settings(index_dir=index_dir)).test_client()
    assert client.get("/healthz").status_code == 503
    shutil.copytree(web_index, index_dir)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/search?q=harbour").get_json()["total"] == 3


# --- OpenAPI: the description matches what the endpoints answer ----------------------------------


def _check(schema: dict, value: object, spec: dict, where: str = "$") -> None:
    """A small validator for the OpenAPI 3.0 subset the description uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        _check(spec["components"]["schemas"][name], value, spec, where)
        return
    if value is None:
        assert schema.get("nullable"), f"{where} is null"
        return
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool}
    if kind:
        assert isinstance(value, types[kind]) and not (kind in ("integer", "number") and isinstance(value, bool)), (
            f"{where}: {value!r} is not {kind}"
        )
    if "enum" in schema:
        assert value in schema["enum"], where
    if "minimum" in schema:
        assert value >= schema["minimum"], where
    if kind == "object":
        for key in schema.get("required", []):
            assert key in value, f"{where}.{key} is missing"
        props = schema.get("properties", {})
        assert set(value) <= set(props), f"{where} has undocumented keys {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                _check(sub, value[key], spec, f"{where}.{key}")
    if kind == "array":
        for i, item in enumerate(value):
            _check(schema["items"], item, spec, f"{where}[{i}]")


@pytest.fixture(scope="module")
def spec(web_app):
    return web_app.test_client().get("/api/openapi.json").get_json()


@pytest.mark.parametrize(
    ("path", "operation", "status"),
    [
        ("/api/search?q=harbour&person=Helena+Sardinha", "/api/search", "200"),
        ("/api/search?q=bridge", "/api/search", "200"),
        ("/api/search?q=%22unclosed", "/api/search", "200"),
        ("/api/search?sort=nope", "/api/search", "400"),
        ("/api/documents/01_harbour_summit.txt?q=accord", "/api/documents/{id}", "200"),
        ("/api/documents/09_old_bridge.txt", "/api/documents/{id}", "200"),
        ("/api/documents/nope", "/api/documents/{id}", "404"),
        ("/api/documents/01_harbour_summit.txt/related", "/api/documents/{id}/related", "200"),
        ("/api/documents/nope/related", "/api/documents/{id}/related", "404"),
        ("/api/about", "/api/about", "200"),
    ],
)
def test_responses_match_the_openapi_description(client, spec, path, operation, status):
    response = client.get(path)
    assert str(response.status_code) == status
    described = spec["paths"][operation]["get"]["responses"][status]
    _check(described["content"]["application/json"]["schema"], response.get_json(), spec)


def test_the_about_pages_json_twin_holds_what_the_page_shows(client, web_settings):
    import html
    import re

    page = client.get("/about").get_data(as_text=True)
    about = client.get("/api/about").get_json()
    shown = dict(re.findall(r"<dt>([A-Z][a-z]+)</dt><dd>([\d,]+)", page))
    assert about["documents"] > 0
    assert shown == {k: f"{about[k.lower() if k != 'Articles' else 'documents']:,}" for k in shown}
    assert set(shown) == {"Articles", "Dated", "Undated"}
    named = [html.unescape(n) for n in re.findall(r'\?(?:person|org|place)=[^"]*">([^<]+)</a>', page)]
    assert named == [v["value"] for field in ("people", "organizations", "places") for v in about[field]]
    assert named  # the sample archive names people, organisations and places
    assert about["embedding"]["frame_ancestors"] == list(web_settings.frame_ancestors)
    assert about["embedding"]["allowed_origins"] == list(web_settings.allowed_origins)


def test_openapi_documents_every_parameter_the_search_endpoint_reads(spec):
    from search.web.params import EXCLUDE_PARAMS, FACET_PARAMS, PRECISION_PARAM

    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    expected = {"q", "from", "to", "sort", "page", "per_page", "cluster", "versions", "correct", *FACET_PARAMS}
    expected |= set(EXCLUDE_PARAMS)
    assert names == {*expected, PRECISION_PARAM}


# --- Hostile input: never a 500 --------------------------------------------------------------------

PARAMS = [
    "q", "from", "to", "person", "org", "place", "source", "author", "not_person", "not_source", "precision",
    "sort", "page", "per_page", "cluster", "versions", "correct", "contains", "order",
]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(PARAMS),
    value=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    path=st.sampled_from(["/api/search", "/", "/embed", "/feed.atom", "/facets/people", "/api/facets/sources"]),
)
def test_no_parameter_value_causes_a_server_error(client, name, value, path):
    response = client.get(path, query_string={name: value})
    assert response.status_code in (200, 400), (name, value, response.status_code)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc_id=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80))
def test_no_document_id_causes_a_server_error(client, doc_id):
    from urllib.parse import quote

    for path in (f"/documents/{quote(doc_id, safe='')}", f"/api/documents/{quote(doc_id, safe='')}"):
        assert client.get(path).status_code in (200, 404)


def test_static_embed_widget_is_served_as_javascript(client):
    response = client.get("/static/embed.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert "innerHTML" not in response.get_data(as_text=True)


def test_wsgi_module_builds_the_app_from_the_environment(monkeypatch, web_index: Path):
    import importlib

    monkeypatch.setenv("SEARCH_INDEX", str(web_index))
    monkeypatch.setenv("SITE_TITLE", "From the environment")
    import wsgi

    app = importlib.reload(wsgi).app
    assert "From the environment" in app.test_client().get("/about").get_data(as_text=True)
    assert app.debug is False


def test_service_answers_503_when_the_index_goes_away_and_recovers_when_it_returns(tmp_path, web_index):
    import shutil

    index_dir = tmp_path / "index"
    shutil.copytree(web_index, index_dir)
    client = create_app(Settings(index_dir=index_dir)).test_client()
    assert client.get("/api/search?q=harbour").status_code == 200
    shutil.rmtree(index_dir)
    assert client.get("/api/search?q=harbour").status_code == 503
    assert client.get("/documents/01_harbour_summit.txt").status_code == 503
    shutil.copytree(web_index, index_dir)
    assert client.get("/api/search?q=harbour").get_json()["total"] == 3
