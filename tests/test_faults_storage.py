"""Index folder missing, empty, unreadable, read-only, damaged or on a full disk: a clear message, never a trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.index.storage import open_for_reading
from search.web import create_app
from search.web.settings import Settings
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
PAGES = ["/", "/?q=council", "/embed?q=council", "/documents/a.txt", "/feed.atom?q=council", "/about"]
API = ["/api/search?q=council", "/api/documents/a.txt", "/api/documents/a.txt/related", "/export.json?q=x"]


def _cli(*args: str, user: int | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "search", *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    full_env = {**os.environ, **(env or {}), "HOME": "/tmp"}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=full_env)


def _assert_clean_failure(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[-1], (word, lines[-1])


def _can_drop_privileges() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "true"])
    return probe.returncode == 0


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder another user can enter (pytest's own tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="faults-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from search.ingest import index_paths

    base = tmp_path_factory.mktemp("small")
    write_articles(base / "articles", 4)
    index_paths([base / "articles"], base / "index", workers=1)
    return base / "index"


# -- the command line ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["stats", "query"])
def test_cli_on_a_missing_index_folder_says_so_in_one_line(tmp_path: Path, command: str) -> None:
    args = [command, "council"] if command == "query" else [command]
    done = _cli(*args, "--index", str(tmp_path / "nowhere"))
    _assert_clean_failure(done, "does not exist")


@pytest.mark.parametrize("command", ["stats", "query"])
def test_cli_on_an_empty_index_folder_says_it_holds_no_index(tmp_path: Path, command: str) -> None:
    args = [command, "council"] if command == "query" else [command]
    done = _cli(*args, "--index", str(tmp_path))
    _assert_clean_failure(done, "no index")


def test_cli_on_a_damaged_index_says_it_cannot_be_read(tmp_path: Path, small_index: Path) -> None:
    damaged = tmp_path / "index"
    shutil.copytree(small_index, damaged)
    for toc in damaged.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage" * 10)
    done = _cli("query", "council", "--index", str(damaged))
    _assert_clean_failure(done, str(damaged))


def test_cli_index_into_a_path_that_is_a_file_says_so(tmp_path: Path) -> None:
    write_articles(tmp_path / "articles", 2)
    blocker = tmp_path / "index"
    blocker.write_text("not a folder")
    done = _cli("index", str(tmp_path / "articles"), "--index", str(blocker), "--quiet", "--workers", "1")
    _assert_clean_failure(done, str(blocker))


@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root and setpriv to run as an unprivileged user")
def test_cli_index_into_a_read_only_folder_says_permission_denied(shared_tmp: Path) -> None:
    write_articles(shared_tmp / "articles", 2)
    folder = shared_tmp / "readonly"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    done = _cli("index", str(shared_tmp / "articles"), "--index", str(folder), "--quiet", "--workers", "1", user=NOBODY)
    _assert_clean_failure(done, "permission denied")


@pytest.mark.slow
@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root and setpriv to run as an unprivileged user")
def test_cli_update_of_an_index_it_may_only_read_fails_cleanly_and_leaves_it_intact(
    shared_tmp: Path, small_index: Path
) -> None:
    index = shared_tmp / "index"
    shutil.copytree(small_index, index)
    for path in [index, *index.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    write_articles(shared_tmp / "more", 3, start=100)
    (shared_tmp / "more").chmod(0o755)
    done = _cli("index", str(shared_tmp / "more"), "--index", str(index), "--quiet", "--workers", "1", user=NOBODY)
    _assert_clean_failure(done, str(index))
    read = _cli("stats", "--index", str(index), "--json", user=NOBODY)  # reading a read-only index is fine
    assert read.returncode == 0, read.stderr
    assert '"documents": 4' in read.stdout


@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root and setpriv to run as an unprivileged user")
def test_cli_on_an_index_it_may_not_read_says_permission_denied(shared_tmp: Path, small_index: Path) -> None:
    index = shared_tmp / "index"
    shutil.copytree(small_index, index)
    index.chmod(0o700)
    done = _cli("query", "council", "--index", str(index), user=NOBODY)
    _assert_clean_failure(done, "permission denied")


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 1 MB tmpfs: a real full disk (root only; skipped where mounting is not allowed)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="fulldisk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.mark.slow
def test_cli_index_on_a_full_disk_says_the_disk_is_full_and_keeps_the_last_commit(
    tmp_path: Path, tiny_disk: Path
) -> None:
    write_articles(tmp_path / "first", 3)
    index = tiny_disk / "index"
    first = _cli("index", str(tmp_path / "first"), "--index", str(index), "--quiet", "--workers", "1")
    assert first.returncode == 0, first.stderr
    # Fill what is left of the disk, then ask for more.
    fd = os.open(tiny_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    write_articles(tmp_path / "second", 40, start=10)
    done = _cli("index", str(tmp_path / "second"), "--index", str(index), "--quiet", "--workers", "1")
    _assert_clean_failure(done, "disk is full")
    ix = open_for_reading(index)
    with ix.searcher() as searcher:
        ids = sorted(f["id"] for f in searcher.all_stored_fields())
    assert ids == [f"article-{n:05d}.txt" for n in range(3)]
    (tiny_disk / "filler").unlink()
    again = _cli("index", str(tmp_path / "second"), "--index", str(index), "--quiet", "--workers", "1")
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_cli_index_past_a_file_size_limit_fails_cleanly(tmp_path: Path) -> None:
    """The same fault without root: RLIMIT_FSIZE makes writes fail with EFBIG (SIGXFSZ ignored)."""
    write_articles(tmp_path / "articles", 30)
    index = tmp_path / "index"
    code = (
        "import resource, signal, sys, runpy\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))\n"
        "sys.argv = ['search'] + sys.argv[1:]\n"
        "runpy.run_module('search', run_name='__main__')\n"
    )
    cmd = [sys.executable, "-c", code, "index", str(tmp_path / "articles"), "--index", str(index), "--quiet"]
    done = subprocess.run([*cmd, "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    _assert_clean_failure(done, str(index))


# -- the web service -----------------------------------------------------------------------------------


def _client(index_dir: Path):
    return create_app(Settings(index_dir=index_dir)).test_client()


@pytest.mark.parametrize("state", ["missing", "empty", "damaged", "a file"])
def test_service_without_a_readable_index_is_unhealthy_and_answers_every_request_cleanly(
    tmp_path: Path, small_index: Path, state: str
) -> None:
    index = tmp_path / "index"
    if state == "empty":
        index.mkdir()
    elif state == "damaged":
        shutil.copytree(small_index, index)
        for seg in index.glob("*.seg"):
            seg.write_bytes(b"\x00" * 64)
        for toc in index.glob("_MAIN_*.toc"):
            toc.write_bytes(b"not a table of contents")
    elif state == "a file":
        index.write_text("oops")
    client = _client(index)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "unavailable" and health.json["reason"]
    for url in API:
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.json["error"] == "index_unavailable" and response.json["reason"], url
        assert response.headers.get("Retry-After")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 503, url
        assert b"Traceback" not in response.data
        assert b"not available" in response.data or b"cannot be read" in response.data, url


def test_service_recovers_without_a_restart_when_the_index_appears(tmp_path: Path, small_index: Path) -> None:
    index = tmp_path / "index"
    client = _client(index)
    assert client.get("/healthz").status_code == 503
    assert client.get("/api/search?q=council").status_code == 503
    shutil.copytree(small_index, index)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["documents"] == 4
    assert client.get("/api/search?q=council").status_code == 200


def test_service_reports_unhealthy_when_its_index_is_removed_while_serving(tmp_path: Path, small_index: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(small_index, index)
    client = _client(index)
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/search?q=council").status_code == 200
    shutil.rmtree(index)
    health = client.get("/healthz")
    assert health.status_code == 503, health.data
    for url in [*API, *PAGES]:
        assert client.get(url).status_code in (404, 503), url
