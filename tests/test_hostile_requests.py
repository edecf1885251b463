"""Path traversal, oversized requests, pages past the end, odd methods: clean 4xx. Safe defaults: loopback only,
no debugger, no writes outside the index and log locations."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from search.web import create_app
from search.web.settings import Settings
from tests.test_live_reindex import free_port, gunicorn

ROOT = Path(__file__).resolve().parents[1]
SECRET_MARKERS = [b"create_app", b"root:x:0:0", b"SECRET", b"[core]", b"from __future__"]

TRAVERSALS = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\..\\..\\etc\\passwd",
    "....//....//etc/passwd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "..%00/etc/passwd",
    "..%c0%af..%c0%afetc/passwd",
    "../wsgi.py",
    "../../.git/config",
    "%2e%2e%2fwsgi.py",
    "file:///etc/passwd",
    "a/../../../search/web/settings.py",
    "~root/.bashrc",
]


@pytest.fixture(scope="module")
def client(samples_index: Path):
    return create_app(Settings(index_dir=samples_index)).test_client()


def _no_secret(body: bytes) -> None:
    for marker in SECRET_MARKERS:
        assert marker not in body, marker


def _get(client, path: str):
    """GET, following werkzeug's '//'-merging 308 only after checking it stays inside the app (no open redirect)."""
    response = client.get(path)
    if response.status_code == 308:
        location = response.headers["Location"]
        assert location.startswith(("/", "http://localhost/")) and not location.startswith("//"), location
        response = client.get(path, follow_redirects=True)
    return response


@pytest.mark.parametrize("raw", TRAVERSALS)
@pytest.mark.parametrize("prefix", ["/documents/", "/api/documents/", "/static/", "/api/documents/x/../"])
def test_path_traversal_in_ids_and_static_files_is_a_clean_404(client, prefix: str, raw: str) -> None:
    response = _get(client, prefix + raw)
    assert response.status_code in (400, 404), (prefix + raw, response.status_code)
    _no_secret(response.data)
    related = _get(client, "/api/documents/" + raw + "/related")
    assert related.status_code in (400, 404)
    _no_secret(related.data)


def test_an_existing_static_file_is_served_but_nothing_beside_it(client) -> None:
    assert client.get("/static/embed.js").status_code == 200
    for sibling in ["/static/../wsgi.py", "/static/%2e%2e/wsgi.py", "/static/..%2fMakefile", "/static//etc/passwd"]:
        response = _get(client, sibling)
        assert response.status_code == 404, sibling
        _no_secret(response.data)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/search?q=" + "x" * 1001, 400),
        ("/?q=" + "x" * 1001, 400),
        ("/api/search?page=1001", 400),
        ("/api/search?page=" + "9" * 50, 400),
        ("/api/search?per_page=101", 400),
        ("/api/search?per_page=0", 400),
        ("/api/search?" + "&".join(f"person=p{n}" for n in range(21)), 400),
        ("/api/search?person=" + "p" * 201, 400),
        ("/api/documents/" + "a" * 301, 404),
        ("/documents/" + "a" * 301, 404),
        ("/api/documents/a.txt?q=" + "x" * 1001, 400),
    ],
)
def test_oversized_parameters_get_a_clean_answer_naming_the_problem(client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status, (path[:80], response.status_code)
    if path.startswith("/api/") and status == 400:
        assert response.json["error"] == "bad_parameter" and response.json["fix"]


def test_a_request_body_is_refused_before_it_is_read(client) -> None:
    big = b"x" * (2 * 1024 * 1024)
    for method in (client.post, client.put, client.delete, client.patch):
        response = method("/api/search", data=big, content_type="application/octet-stream")
        assert response.status_code in (405, 413), (method, response.status_code)
    assert "GET" in client.post("/api/search").headers.get("Allow", "")


@pytest.mark.parametrize("endpoint", ["/api/search", "/", "/embed", "/feed.atom", "/export.json"])
def test_pages_past_the_end_answer_cleanly(client, endpoint: str) -> None:
    last = client.get("/api/search?q=council&per_page=1").json["total"]
    for page in (last + 1, 999, 1000):
        response = client.get(f"{endpoint}?q=council&per_page=1&page={page}")
        assert response.status_code in (200, 404), (endpoint, page, response.status_code)
        if endpoint == "/api/search" and response.status_code == 200:
            assert response.json["hits"] == [] and response.json["total"] == last


def test_unknown_paths_and_methods_are_404_and_405(client) -> None:
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/api/nothing-here").json["error"] == "not_found"
    assert client.get("/nothing-here").status_code == 404
    assert client.open("/api/search", method="TRACE").status_code == 405
    assert client.open("/", method="PROPFIND").status_code == 405


# -- over real gunicorn ---------------------------------------------------------------------------------


def _other_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.slow
def test_serve_binds_loopback_by_default_and_exposes_no_debugger(samples_index: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "FLASK_DEBUG": "1", "SEARCH_ACCESS_LOG": "/dev/null"}  # even with debug asked for
    cmd = [sys.executable, "-m", "search", "serve", "--index", str(samples_index), "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.3)
        other = _other_address()
        if other:
            with pytest.raises(OSError), socket.create_connection((other, port), timeout=3):
                pass
        console = requests.get(base + "/?__debugger__=yes&cmd=resource&f=debugger.js", timeout=30)
        assert b"Werkzeug" not in console.content and b"debugger" not in console.content.lower()
        console = requests.get(base + "/console", timeout=30)
        assert console.status_code == 404
        bad = requests.get(base + "/api/search?page=zzz", timeout=30)
        assert bad.status_code == 400 and "Traceback" not in bad.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)


AUDIT_CONF = textwrap.dedent(
    """
    import os, sys
    from search.web.gunicorn_conf import *  # noqa: F403 (the project's own settings)

    _LOG = os.environ["AUDIT_LOG"]
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def _hook(event, args):
        path = None
        if event == "open" and args[0] is not None and not isinstance(args[0], int):
            mode, flags = args[1] or "", args[2] or 0
            if any(c in str(mode) for c in "wax+") or flags & _WRITE:
                path = args[0]
        elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.truncate", "shutil.copyfile"):
            path = args[0] if event != "shutil.copyfile" else args[1]
        if path is not None and not str(path).startswith(_LOG):
            with open(_LOG, "a") as out:
                out.write(f"{event} {os.fsdecode(path) if isinstance(path, bytes) else path}\\n")

    sys.addaudithook(_hook)
    with open(_LOG, "a") as out:
        out.write("installed hook\\n")
    """
)


@pytest.fixture(scope="module")
def audited(samples_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """Real gunicorn with the project's config plus an audit hook logging every write its processes make."""
    base_dir = tmp_path_factory.mktemp("audited")
    conf = base_dir / "audit_conf.py"
    conf.write_text(AUDIT_CONF)
    audit = base_dir / "writes.log"
    os.environ["AUDIT_LOG"] = str(audit)
    try:
        with gunicorn(samples_index, workers=2, extra=("--config", str(conf))) as base:
            yield base, audit
    finally:
        del os.environ["AUDIT_LOG"]


@pytest.mark.slow
def test_gunicorn_refuses_oversized_lines_and_headers_cleanly(audited) -> None:
    base, _ = audited
    assert requests.get(base + "/api/search", params={"q": "x" * 9000}, timeout=30).status_code in (400, 414)
    many = {f"X-H{n}": "v" for n in range(150)}
    assert requests.get(base + "/api/search", headers=many, timeout=30).status_code in (400, 431)
    assert requests.get(base + "/healthz", headers={"X-Big": "v" * 9000}, timeout=30).status_code in (400, 431)
    response = requests.get(base + "/api/documents/" + quote("../../etc/passwd", safe=""), timeout=30)
    assert response.status_code == 404
    _no_secret(response.content)
    assert requests.get(base + "/healthz", timeout=30).status_code == 200  # still serving


@pytest.mark.slow
def test_serving_writes_nothing_outside_the_index_and_log_locations(audited, samples_index: Path) -> None:
    base, audit = audited
    urls = ["/", "/?q=council", "/api/search?q=harbour&person=x", "/embed?q=port", "/feed.atom?q=a"]
    urls += ["/export.csv?q=council", "/export.json?q=council", "/about", "/opensearch.xml"]
    urls += ["/api/openapi.json", "/api/search?page=zz", "/documents/nope", "/static/embed.js"]
    first = requests.get(base + "/api/search", params={"q": "council"}, timeout=30).json()["hits"][0]["id"]
    urls += [f"/documents/{first}?q=council", f"/api/documents/{first}", f"/api/documents/{first}/related"]
    for url in urls * 3:
        assert requests.get(base + url, timeout=30).status_code < 500, url
    writes = audit.read_text().splitlines()
    assert writes[0] == "installed hook"  # the probe was live
    allowed = (str(samples_index), "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/shm", "/tmp/wgunicorn-")
    outside = [w for w in writes[1:] if not w.split(" ", 1)[1].startswith(allowed)]
    assert _without_tempdir_probes(outside) == [], outside[:10]


def _without_tempdir_probes(writes: list[str]) -> list[str]:
    """Drop Python's own check of its temp folder: tempfile.gettempdir() (NLTK calls it when it loads the stop
    words) writes an empty file with a random 8-character name there and removes it at once."""
    temp = tempfile.gettempdir()
    paths = [write.split(" ", 1) for write in writes]
    opened = {path for event, path in paths if event == "open"}
    removed = {path for event, path in paths if event == "os.remove"}
    probes = {
        path
        for path in opened & removed
        if os.path.dirname(path) == temp and re.fullmatch(r"[a-z0-9_]{8}", os.path.basename(path))
    }
    return [write for write, (_, path) in zip(writes, paths, strict=True) if path not in probes]
