"""The result cache: repeated requests are answered from it, never across a new commit or an authority edit."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from search.__main__ import main as cli
from search.query import SearchRequest, open_index, search
from search.web import create_app
from search.web.settings import Settings
from tests.test_query import ARTICLES, build


def total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_json()["total"]


def test_a_repeated_request_is_answered_from_the_cache_with_the_same_result(tmp_path: Path) -> None:
    archive = open_index(build(tmp_path / "ix", ARTICLES), result_cache=8)
    request = SearchRequest(q="talks", people=("Sergey Lavrov",))
    first = search(archive, request)
    again = search(archive, request)
    assert len(archive.snapshot().cache.results) == 1
    assert again.hits == first.hits and again.facets == first.facets and again.total == first.total
    search(archive, SearchRequest(q="talks", people=("Sergey Lavrov",), page=2))  # another page: another entry
    assert len(archive.snapshot().cache.results) == 2
    archive.close()


def test_the_cache_keeps_at_most_its_size(tmp_path: Path) -> None:
    archive = open_index(build(tmp_path / "ix", ARTICLES), result_cache=3)
    for q in ("talks", "goa", "moscow", "oil", "gaza"):
        search(archive, SearchRequest(q=q))
    assert len(archive.snapshot().cache.results) == 3
    archive.close()


@pytest.mark.parametrize("settled", [False, True])
def test_a_new_commit_is_seen_on_the_next_request(tmp_path: Path, settled: bool) -> None:
    index_dir = build(tmp_path / "ix", ARTICLES[:2])

    def settle(ago: float) -> None:  # as if the folder had been left unchanged for a while
        if settled:
            for path in [index_dir, *index_dir.iterdir()]:
                os.utime(path, (time.time() - ago, time.time() - ago))

    settle(60)  # requests then check the folder's time instead of listing it
    client = create_app(Settings(index_dir=index_dir, result_cache=64)).test_client()
    for _ in range(2):  # the second time from the cache
        assert total(client, "/api/search?q=moscow") == 0
        assert "Lavrov in Moscow" not in client.get("/?q=moscow").get_data(as_text=True)
    build(index_dir, ARTICLES[2:4])  # a new commit with two Moscow articles
    settle(30)
    assert total(client, "/api/search?q=moscow") == 2
    assert "Lavrov in Moscow" in client.get("/?q=moscow").get_data(as_text=True)


def test_an_authority_edit_is_seen_on_the_next_request(seeds_index: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index, index_dir)
    client = create_app(Settings(index_dir=index_dir, result_cache=64)).test_client()

    def places() -> set[str]:
        return {f["value"] for f in client.get("/api/search?q=").get_json()["facets"]["places"]}

    def page_links() -> bool:
        return "place=Ukraine" in client.get("/?q=").get_data(as_text=True)

    for _ in range(2):  # the second time from the cache
        assert "Ukraine" in places() and page_links()
    assert cli(["entities", "hide", "Ukraine", "--index", str(index_dir)]) == 0
    assert "Ukraine" not in places()
    assert not page_links()


def test_a_cached_page_keeps_its_url_prefix_apart(tmp_path: Path) -> None:
    settings = Settings(index_dir=build(tmp_path / "ix", ARTICLES), result_cache=64, proxy_hops=1)
    client = create_app(settings).test_client()
    plain = client.get("/?q=talks").get_data(as_text=True)
    behind = client.get("/?q=talks", headers={"X-Forwarded-Prefix": "/archive"}).get_data(as_text=True)
    assert 'action="/archive/"' in behind and 'action="/archive/"' not in plain


def test_result_cache_zero_turns_the_cache_off(tmp_path: Path) -> None:
    settings = Settings.from_env({"SEARCH_INDEX": str(build(tmp_path / "ix", ARTICLES)), "RESULT_CACHE": "0"})
    assert settings.result_cache == 0
    app = create_app(settings)
    client = app.test_client()
    assert total(client, "/api/search?q=talks") == total(client, "/api/search?q=talks")
    assert len(app.extensions["search.archive"].get().snapshot().cache.results) == 0
