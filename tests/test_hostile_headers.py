"""Hostile Host and forwarded headers, and requests gunicorn itself refuses, against the real gunicorn service:
a bad Host is a 400 on every route, forwarded headers count only from a configured proxy, and gunicorn's own
error pages carry the security headers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from search.web.proxy import valid_host
from tests.conftest import LiveServer

pytestmark = pytest.mark.slow

DOC = "01_harbour_summit.txt"
ROUTES = [
    "/",
    "/?q=harbour",
    f"/documents/{DOC}",
    "/about",
    "/embed?q=harbour",
    "/api/search?q=harbour",
    f"/api/documents/{DOC}",
    f"/api/documents/{DOC}/related",
    "/api/openapi.json",
    "/feed.atom?q=harbour",
    "/export.csv?q=harbour",
    "/export.json?q=harbour",
    "/opensearch.xml",
    "/healthz",
    "/static/embed.js",
    "/nope",
]
# Every route whose answer holds absolute URLs built from the request's host, scheme and prefix.
ABSOLUTE_URL_ROUTES = [
    f"/documents/{DOC}",
    f"/api/documents/{DOC}",
    "/api/openapi.json",
    "/feed.atom?q=harbour",
    "/export.csv?q=harbour",
    "/export.json?q=harbour",
    "/opensearch.xml",
]
BAD_HOSTS = ["a..b", "x" * 64 + ".example", "a..b:8000", ".", "a b", "<script>", "host:99999", "caf\xe9.example"]
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _server(web_index: Path, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]):
    server = LiveServer(web_index, {"SEARCH_ACCESS_LOG": "/dev/null", **env}, tmp_path_factory.mktemp("g") / "log")
    server.wait_healthy()
    return server


@pytest.fixture(scope="module")
def plain(web_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """The service as configured by default: no proxy trusted."""
    server = _server(web_index, tmp_path_factory, {})
    yield server.url.rstrip("/")
    server.stop()


@pytest.fixture(scope="module")
def proxied(web_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """The service told that one proxy on this machine stands in front of it."""
    server = _server(web_index, tmp_path_factory, {"PROXY_HOPS": "1", "FORWARDED_ALLOW_IPS": "127.0.0.1"})
    yield server.url.rstrip("/")
    server.stop()


def _get(url: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(url, headers=headers or {}, timeout=30, allow_redirects=False)


def test_host_values_are_judged_as_urls_need_them() -> None:
    for good in ["example.org", "intranet.example.org:8080", "127.0.0.1:8000", "[::1]:8000", "localhost"]:
        assert valid_host(good), good
    for bad in BAD_HOSTS:
        assert not valid_host(bad), bad


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_bad_host_is_a_400_with_security_headers_on_every_route(plain: str, host: str) -> None:
    for route in ROUTES:
        response = _get(plain + route, {"Host": host})
        assert response.status_code == 400, (route, response.status_code)
        assert all(name in response.headers for name in SECURITY_HEADERS), route
        assert "<script>" not in response.text
        if route.startswith(("/api/", "/healthz", "/export.json")):
            assert response.json()["error"] == "bad_host", route
        else:
            assert "not a valid host name" in response.text, route


def test_forwarded_headers_from_an_unconfigured_peer_change_nothing(plain: str) -> None:
    hostile = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Ssl": "on",  # gunicorn's own scheme header, trusted from 127.0.0.1 by its default
        "X-Forwarded-Prefix": "/evil",
        "X-Forwarded-Port": "6666",
        "SCRIPT_NAME": "/evil",  # gunicorn's forwarder header, mapped into the environ by its default
    }
    for route in ABSOLUTE_URL_ROUTES:
        clean, forged = _get(plain + route), _get(plain + route, hostile)
        assert forged.status_code == clean.status_code == 200, route
        assert plain in forged.text, route  # absolute URLs still name this server
        for marker in ("evil", "https:", "6666"):
            assert marker not in forged.text, (route, marker)
        assert forged.content == clean.content or route.startswith("/export"), route  # exports carry a date
    for route in ROUTES:
        assert _get(plain + route, {"X-Forwarded-Host": "a..b"}).status_code < 500, route


def test_a_configured_proxy_sets_host_scheme_and_prefix(proxied: str) -> None:
    forwarded = {"X-Forwarded-Host": "intranet.example", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/news"}
    for route in ABSOLUTE_URL_ROUTES:
        response = _get(proxied + route, forwarded)
        assert response.status_code == 200 and "https://intranet.example/news" in response.text, route
        assert "127.0.0.1" not in response.text, route
    page = _get(proxied + "/?q=harbour", forwarded).text
    assert 'href="/news/static/style.css"' in page and 'action="/news/"' in page


@pytest.mark.parametrize("host", ["a..b", "y" * 64 + ".example", "a b"])
def test_a_bad_forwarded_host_from_the_proxy_is_a_400_on_every_route(proxied: str, host: str) -> None:
    for route in ROUTES:
        response = _get(proxied + route, {"X-Forwarded-Host": host})
        assert response.status_code == 400, (route, response.status_code)
        assert all(name in response.headers for name in SECURITY_HEADERS), route


def _raw(base: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; return the status, headers and body of the answer (read until the server closes)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


MALFORMED = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /<script>alert(1)</script> HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    (b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % n for n in range(150)) + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
]


@pytest.mark.parametrize(("data", "status"), MALFORMED, ids=[str(n) for n in range(len(MALFORMED))])
def test_gunicorns_own_error_pages_carry_the_security_headers(plain: str, data: bytes, status: int) -> None:
    got, headers, body = _raw(plain, data)
    assert got == status, (got, body[:200])
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Content-Type"] == "text/html; charset=utf-8" and int(headers["Content-Length"]) == len(body)
    assert b"<script>" not in body
    assert _get(plain + "/healthz").status_code == 200  # and it goes on serving
