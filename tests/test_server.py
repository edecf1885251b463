"""The real service: gunicorn serving wsgi:app with the project's gunicorn settings, queried over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_gunicorn_serves_search_pages_api_and_health_over_http(live_server):
    status, headers, body = get(live_server.url + "healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"

    status, headers, body = get(live_server.url + "api/search?q=harbour&per_page=2")
    result = json.loads(body)
    assert status == 200 and result["total"] == 3 and len(result["hits"]) == 2
    assert headers["Content-Type"].startswith("application/json")

    status, headers, body = get(live_server.url + "?q=harbour")
    assert status == 200 and b"<mark>Harbour</mark>" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert b"Sample archive" in body  # SITE_TITLE from the environment

    status, _, body = get(live_server.url + "documents/briefs/2024-10-01-ferry?q=ferry")
    assert status == 200 and b'<mark id="hit-' in body


def test_gunicorn_answers_bad_requests_and_unknown_ids_without_server_errors(live_server):
    status, _, body = get(live_server.url + "api/search?from=2024-99-99")
    assert status == 400 and json.loads(body)["parameter"] == "from"
    status, _, body = get(live_server.url + "api/documents/..%2F..%2Fetc%2Fpasswd")
    assert status == 404
    status, _, _ = get(live_server.url + "documents/" + "x" * 5000)
    assert status in (404, 414)  # gunicorn refuses an over-long request line itself


def test_gunicorn_sends_cors_headers_for_the_configured_origin(live_server, widget_host_port):
    origin = f"http://127.0.0.1:{widget_host_port}"
    _, headers, _ = get(live_server.url + "api/search?q=x", {"Origin": origin})
    assert headers["Access-Control-Allow-Origin"] == origin
    _, headers, _ = get(live_server.url + "api/search?q=x", {"Origin": "http://127.0.0.1:1"})
    assert "Access-Control-Allow-Origin" not in headers


def test_gunicorn_takes_no_proxy_prefix_from_a_client_by_default(live_server):
    """X-Forwarded-* count only from a configured proxy (the prefix through one: test_hostile_headers, test_nginx)."""
    status, _, body = get(live_server.url + "?q=harbour", {"X-Forwarded-Prefix": "/archive"})
    assert status == 200
    assert b'href="/static/style.css"' in body and b"/archive/" not in body
