"""The speller: the noisy channel's edit costs, the English-word test that keeps real words, and the typos
reported on Reuters corrected on a real index."""

from __future__ import annotations

import json
import re

import pytest

from bench.corpora import reuters_text
from search.enrich.analysis import stop_words
from search.ingest import index_paths
from search.query import SearchRequest, SearchResult, open_index, search
from search.query.spelling import edit_cost, plain_words, replace_words
from search.query.vocabulary import is_english


@pytest.mark.parametrize(
    ("typed", "cheaper", "dearer"),
    [
        ("cofee", "coffee", "comee"),  # a dropped double letter costs less than a changed one
        ("prcies", "prices", "pricks"),  # a transposition costs less than two changes
        ("volker", "volcker", "walker"),  # the first letter is seldom wrong
    ],
)
def test_likely_typing_errors_cost_less(typed: str, cheaper: str, dearer: str) -> None:
    assert edit_cost(typed, cheaper) < edit_cost(typed, dearer)


@pytest.mark.parametrize("word", ["stations", "tenses", "processors", "freed", "biases"])
def test_inflections_of_english_words_are_english(word: str) -> None:
    assert is_english(word)


@pytest.mark.parametrize("word", ["cofee", "crudd", "goverment", "compuyter", "volker"])
def test_typos_are_not_english(word: str) -> None:
    assert not is_english(word)


def test_only_plain_words_are_replaced() -> None:
    text = 'cofee "cofee" title:cofee cofee* Cofee'
    assert plain_words(text) == ["cofee", "Cofee"]
    assert replace_words(text, {"cofee": "coffee", "Cofee": "coffee"}) == 'coffee "cofee" title:cofee cofee* Coffee'


# ---- on a real index: the reported failures -------------------------------------------------------

TARGETS = ("coffee", "carcass", "cereals", "museum", "harbour", "pilots", "ports", "volcker", "prices")
PER_TARGET = 40


@pytest.fixture(scope="module")
def reuters_words(corpus, tmp_path_factory: pytest.TempPathFactory):
    """A real index of Reuters articles: the first few hundred, and some holding each word the tests need."""
    taken: dict[str, int] = {}
    chosen = []
    for n, art in enumerate(reuters_text.articles(corpus / "reuters21578")):
        rec = reuters_text.record(art)
        words = {w.lower() for w in re.findall(r"\w+", f"{rec['title']} {rec['body']}")}
        keys = [t for t in TARGETS if t in words and taken.get(t, 0) < PER_TARGET]
        if n < 300 or keys:
            for t in keys:
                taken[t] = taken.get(t, 0) + 1
            chosen.append(rec)
    folder = tmp_path_factory.mktemp("reuters-spelling")
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    index_dir = folder / "index"
    index_paths([folder / "articles.jsonl"], index_dir, workers=1, entities=False)
    arch = open_index(index_dir)
    yield arch
    arch.close()


def _corrected(arch, q: str) -> SearchResult:
    return search(arch, SearchRequest(q=q, facets=False, snippets=False))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("cercass", "carcass"),  # a changed letter beats a commoner word two edits away (was: cereals)
        ("musem", "museum"),  # never a contraction (was: mustn)
        ("cofee prices", "coffee prices"),  # a dropped double letter (was: comee)
        ("volker", "volcker"),
    ],
)
def test_reported_typos_are_corrected(reuters_words, typed: str, meant: str) -> None:
    result = _corrected(reuters_words, typed)
    assert result.correction is not None and result.correction.corrected == meant
    plain = _corrected(reuters_words, meant)
    assert [h.id for h in result.hits] == [h.id for h in plain.hits]


@pytest.mark.slow
def test_a_content_word_is_never_corrected_to_a_stop_word(reuters_words) -> None:
    result = _corrected(reuters_words, "harbour pilts")  # was: harbour its
    assert result.correction is not None
    ((typed, better),) = result.correction.words
    assert typed == "pilts" and better not in stop_words() and result.total > 0


@pytest.mark.slow
@pytest.mark.parametrize("q", ["coffee prices", "carcass", "harbour pilots", "volcker", "museum"])
def test_words_the_archive_holds_are_left_alone(reuters_words, q: str) -> None:
    result = _corrected(reuters_words, q)
    assert result.correction is None and result.suggestion is None and result.unmatched == ()
