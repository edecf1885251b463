"""The deployment docs/deploying.md describes, for real: Debian's nginx with the shipped deploy/nginx.conf in front
of gunicorn, under a URL prefix. Slow-loris clients are held and cut off by nginx while everyone else is served,
and the forwarded headers the app trusts are nginx's, never a client's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import LiveServer, free_port
from tests.helpers.nginx import NGINX, nginx, start_slow_clients

pytestmark = pytest.mark.slow

PREFIX = "/archive/search"
SLOW_CLIENTS = 16
LINE_EVERY_S = 5.0  # one header line every 5 s: gunicorn's own timeouts never fire on such a client
MAX_LINES = 24  # a slow client gives up after 2 minutes even if nothing cuts it off


@pytest.fixture(scope="module")
def deployment(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """gunicorn told to trust one proxy on this machine, and nginx in front of it; yields (site URL, gunicorn URL)."""
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (make system-deps installs it)")
    env = {"PROXY_HOPS": "1", "FORWARDED_ALLOW_IPS": "127.0.0.1", "SEARCH_ACCESS_LOG": "/dev/null"}
    env["FRAME_ANCESTORS"] = "'self' https://portal.example"  # the embed page may be framed by a portal
    server = LiveServer(web_index, env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    server.wait_healthy()
    try:
        upstream = f"127.0.0.1:{server.port}"
        with nginx(tmp_path_factory.mktemp("nginx"), free_port(), upstream, PREFIX) as site:
            yield site, server.url.rstrip("/")
    finally:
        server.stop()


def test_slow_loris_clients_are_held_by_nginx_while_everyone_else_is_served(deployment) -> None:
    site, _ = deployment
    port = int(site.split(":")[2].split("/")[0])
    slow, threads = start_slow_clients(
        port, SLOW_CLIENTS, PREFIX + "/?q=harbour", every_s=LINE_EVERY_S, max_lines=MAX_LINES
    )
    try:
        # Every slow client now holds a connection (more than gunicorn has threads: 1 worker x 4 here).
        urls = ["/?q=harbour", "/api/search?q=council", "/documents/01_harbour_summit.txt", "/healthz"]
        answers = []
        for _ in range(5):
            for url in urls:
                answers.append(requests.get(site + url, timeout=30).status_code)
        assert answers == [200] * len(answers)
    finally:
        for thread in threads:
            thread.join(timeout=LINE_EVERY_S * (MAX_LINES + 2))
    # nginx, not the clients, ended every slow request (client_header_timeout), before any gave up by itself.
    assert all(client.cut_off for client in slow), [(c.lines_sent, c.answer[:60]) for c in slow]
    assert all(client.lines_sent < MAX_LINES for client in slow)


def test_the_prefix_deployment_works_through_nginx(deployment) -> None:
    site, _ = deployment
    origin = site.removesuffix(PREFIX)
    page = requests.get(site + "/?q=harbour", timeout=30)
    assert page.status_code == 200 and "<mark>Harbour</mark>" in page.text
    assert f'href="{PREFIX}/static/style.css"' in page.text and f'action="{PREFIX}/"' in page.text
    assert requests.get(origin + f"{PREFIX}/static/style.css", timeout=30).status_code == 200
    # Absolute URLs name the site as nginx serves it, from nginx's forwarded headers.
    opensearch = requests.get(site + "/opensearch.xml", timeout=30).text
    assert f'template="{site}/?q={{searchTerms}}"' in opensearch
    api = requests.get(site + "/api/documents/01_harbour_summit.txt", timeout=30).json()
    assert api["permalink"] == f"{site}/documents/01_harbour_summit.txt"
    assert requests.get(site + "/api/openapi.json", timeout=30).json()["servers"] == [{"url": site}]
    redirect = requests.get(origin + PREFIX, timeout=30, allow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith(PREFIX + "/")


def test_through_nginx_a_clients_forwarded_headers_are_replaced_by_nginxs(deployment) -> None:
    site, _ = deployment
    forged = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Prefix": "/evil",
        "X-Forwarded-Port": "6666",
        "X-Forwarded-Ssl": "on",
        "Forwarded": "host=evil.example;proto=https",
    }
    for route in ["/opensearch.xml", "/feed.atom?q=harbour", "/export.json?q=harbour", "/api/openapi.json"]:
        response = requests.get(site + route, headers=forged, timeout=30)
        assert response.status_code == 200, route
        assert site in response.text and "evil" not in response.text and "6666" not in response.text, route
        assert "https:" not in response.text, route


@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example", "a b", "<x>"])
def test_through_nginx_a_bad_host_is_a_400_with_security_headers(deployment, host: str) -> None:
    site, _ = deployment
    for route in ["/", "/opensearch.xml", "/feed.atom", "/api/search?q=x", "/healthz"]:
        response = requests.get(site + route, headers={"Host": host}, timeout=30)
        assert response.status_code == 400, (route, response.status_code)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"], route
        assert response.headers["X-Content-Type-Options"] == "nosniff", route


def test_nginxs_own_error_pages_carry_the_security_headers(deployment) -> None:
    site, gunicorn = deployment
    origin = site.removesuffix(PREFIX)
    outside = requests.get(origin + "/elsewhere", timeout=30)  # no location: nginx's own 404
    too_long = requests.get(site + "/?q=" + "x" * 9000, timeout=30)  # nginx's 414
    too_big = requests.get(site + "/", headers={"X-Big": "v" * 9000}, timeout=30)  # nginx's 400 (header too large)
    for response in (outside, too_long, too_big):
        assert response.status_code in (400, 404, 414), response.status_code
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The service's own answers keep their headers, not doubled: the embed page's framing parents stand.
    embed = requests.get(site + "/embed?q=harbour", timeout=30)
    assert embed.status_code == 200 and "," not in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    direct = requests.get(gunicorn + "/embed?q=harbour", timeout=30)
    assert embed.headers["Content-Security-Policy"] == direct.headers["Content-Security-Policy"]
