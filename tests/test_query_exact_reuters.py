"""Quoted names on Reuters-21578: a quoted word matches the word as written, not every word with its stem."""

from __future__ import annotations

import json
import re

import pytest

from bench.corpora import reuters_text
from search.enrich.analysis import snowball_stem
from search.ingest import index_paths
from search.query import SearchRequest, open_index, search

# Names whose Snowball stem other words share: Angell (a Fed governor) and Los Angeles, Carla Hills and hill,
# Wells Fargo and well, Owens-Corning and Owen, Hughes Tool and Hugh, Williams Cos and William.
NAMES = ("angell", "hills", "wells", "owens", "hughes", "williams")
PER_WORD = 25  # articles taken per name and per word that shares its stem


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


@pytest.fixture(scope="module")
def reuters_names(corpus, tmp_path_factory: pytest.TempPathFactory):
    """A real index of the Reuters articles that hold the names, and as many that hold only a same-stem word."""
    stems = {snowball_stem(n): n for n in NAMES}
    taken: dict[str, int] = {}
    chosen = []
    for art in reuters_text.articles(corpus / "reuters21578"):
        rec = reuters_text.record(art)
        words = _words(f"{rec['title']} {rec['body']}")
        keys = [n for n in NAMES if n in words]
        keys += [f"~{stems[snowball_stem(w)]}" for w in words if w not in NAMES and snowball_stem(w) in stems]
        if any(taken.get(k, 0) < PER_WORD for k in keys):
            for k in keys:
                taken[k] = taken.get(k, 0) + 1
            chosen.append(rec)
    folder = tmp_path_factory.mktemp("reuters-names")
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    index_dir = folder / "index"
    index_paths([folder / "articles.jsonl"], index_dir, workers=1, entities=False)
    arch = open_index(index_dir)
    yield arch, {r["id"]: _words(f"{r['title']} {r['body']}") for r in chosen}
    arch.close()


def _ids(arch, q: str) -> set[str]:
    req = SearchRequest(q=q, per_page=1000, collapse=False, facets=False, snippets=False, correct=False)
    return {h.id for h in search(arch, req).hits}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_quoted_name_finds_exactly_the_articles_holding_it(reuters_names, name: str) -> None:
    arch, words = reuters_names
    holding = {doc for doc, ws in words.items() if name in ws}
    assert holding, f"no Reuters article names {name!r}"
    stemmed = _ids(arch, name)
    assert stemmed > holding  # unquoted, the name also finds the words that share its stem
    assert _ids(arch, f'"{name}"') == holding
