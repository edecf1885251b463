"""Shared fixtures: the shared corpus, and real indexes on disk built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = CORPUS / "seeds"
SAMPLES = ROOT / "samples"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is beside the project on CI and developer machines)")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return _need(CORPUS)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _need(SEEDS)


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """A real Whoosh index of the five seed articles, built once by the product's own indexer."""
    from search.ingest import index_paths

    index_dir = tmp_path_factory.mktemp("seeds-index")
    index_paths([seeds_dir], index_dir, workers=1)
    return index_dir


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the project's own sample archive (what `make serve` shows)."""
    from search.ingest import index_paths

    index_dir = tmp_path_factory.mktemp("samples-index")
    index_paths([SAMPLES], index_dir, workers=1)
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path: Path, seeds_dir: Path) -> Path:
    """A writable copy of the seeds, for tests that change, add or delete files."""
    target = tmp_path / "articles"
    shutil.copytree(seeds_dir, target)
    return target


# --- Web layer (search/web): the real app over a real index, and the real service under gunicorn ---

WEB_FIXTURES = ROOT / "tests" / "fixtures" / "web"
WEB_ALLOWED_ORIGIN = "http://allowed.example"
WEB_FRAME_PARENT = "https://portal.example"


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive plus hostile articles (script tags, javascript: links), indexed once."""
    from search.ingest import index_paths

    index_dir = tmp_path_factory.mktemp("web-index")
    index_paths([SAMPLES, WEB_FIXTURES], index_dir, workers=1)
    return index_dir


@pytest.fixture(scope="session")
def web_settings(web_index: Path):
    """Settings as an intranet would set them: one allowed origin, one framing parent."""
    from search.web.settings import Settings

    return Settings(
        index_dir=web_index,
        site_title="Test <Archive> & Co",
        allowed_origins=(WEB_ALLOWED_ORIGIN,),
        frame_ancestors=("'self'", WEB_FRAME_PARENT),
    )


@pytest.fixture(scope="session")
def web_app(web_settings):
    """One real app for the read-only route tests (building it per test would reopen the index)."""
    from search.web import create_app

    return create_app(web_settings)


@pytest.fixture
def client(web_app):
    return web_app.test_client()


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real service under gunicorn on a loopback port; .url ends with '/'."""

    def __init__(self, index_dir: Path, env: dict[str, str], log_path: Path) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        full_env = {**os.environ, "SEARCH_INDEX": str(index_dir), "SEARCH_ACCESS_LOG": "-", **env}
        argv = [sys.executable, "-m", "gunicorn", "wsgi:app", "--config", "python:search.web.gunicorn_conf"]
        argv += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(argv, cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, deadline_s: float = 60.0) -> None:
        """Poll /healthz until it answers 200 (a start-up deadline, not a speed assertion)."""
        import time
        import urllib.error
        import urllib.request

        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy; log:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def widget_host_port() -> int:
    """The port of the 'other intranet page' that embeds the widget (a different origin)."""
    return free_port()


@pytest.fixture(scope="session")
def live_server(web_index: Path, widget_host_port: int, tmp_path_factory: pytest.TempPathFactory):
    """The real service under gunicorn, allowing the widget host's origin (CORS) and framing by it."""
    host = f"http://127.0.0.1:{widget_host_port}"
    env = {"ALLOWED_ORIGINS": host, "FRAME_ANCESTORS": f"'self' {host}", "SITE_TITLE": "Sample archive"}
    server = LiveServer(web_index, env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    server.wait_healthy()
    yield server
    server.stop()
