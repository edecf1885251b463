"""Phrases, fuzzy words and AND/OR matched over numpy postings give what Whoosh's own matchers give."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq

from search.index.storage import open_for_writing
from search.query import SearchRequest, open_index, search
from search.query.match.interpret import parsed_query as _parse
from search.query.match.vector_match import evaluate
from tests.test_query import build

ARTICLES = [
    dict(id="p1", title="Money supply grows", body="The money supply grew in March, the central bank said."),
    dict(id="p2", title="Supply of money", body="Money was short and the supply of grain fell; money markets eased."),
    dict(id="p3", title="Bank of England", body="The Bank of England held rates. A bank in England closed."),
    dict(id="p4", title="Banks", body="England's bank regulators met. The bank in the north of England was sound."),
    dict(id="p5", title="New York", body="New new York traders said New York stocks rose in New York."),
]
WORDS = [
    "oil",
    "price",
    "rise",
    "fall",
    "bank",
    "money",
    "supply",
    "trade",
    "talks",
    "market",
    "the",
    "of",
    "in",
    "and",
    "said",
    "new",
    "york",
    "grain",
]


def _filler(rng: random.Random, n: int, start: int) -> list[dict]:
    """Articles of random words from a small pool, so common words span several posting blocks."""
    return [
        dict(
            id=f"f{start + i}",
            title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))),
            body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))),
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    """Two segments (two commits) of the hand-made articles and 400 random ones, with one article deleted."""
    rng = random.Random(8)
    index_dir = tmp_path_factory.mktemp("vector-match")
    build(index_dir, [*ARTICLES[:3], *_filler(rng, 200, 0)])
    build(index_dir, [*ARTICLES[3:], *_filler(rng, 200, 200)])
    with open_for_writing(index_dir).writer() as w:
        w.delete_by_term("id", "f7")
    arch = open_index(index_dir)
    yield arch
    arch.close()


def ids(archive, q: str) -> set[str]:
    result = search(archive, SearchRequest(q=q, per_page=1000, collapse=False, facets=False, snippets=False))
    return {h.id for h in result.hits}


def whoosh_and_fast(archive, q: str) -> tuple[dict[int, float], dict[int, float]]:
    """Matched docnums with scores: from Whoosh's searcher, and from the numpy evaluation (live documents)."""
    snap = archive.snapshot()
    parsed = _parse(archive, snap, q)
    results = snap.searcher.search(parsed.query, limit=None, terms=False)
    slow = {int(d): float(s) for s, d in results.top_n}
    got = evaluate(snap.searcher, snap.terms, parsed.query, {})
    assert got is not None, f"{q!r} ({parsed.query!r}) was not evaluated over numpy postings"
    mask, scores = got
    mask = mask & snap.columns.live
    return slow, {int(d): float(scores[d]) for d in np.flatnonzero(mask)}


def test_a_phrase_whose_words_all_occur_apart_does_not_match(archive) -> None:
    assert "p1" in ids(archive, '"money supply"')
    assert "p2" not in ids(archive, '"money supply"')  # both words, never side by side in that order


def test_a_phrase_across_a_stop_word_matches_as_whoosh_numbers_positions(archive) -> None:
    found = ids(archive, '"bank of england"')
    assert "p3" in found
    assert "p4" not in found  # "bank regulators", "bank, England": the words are not adjacent
    slow, fast = whoosh_and_fast(archive, '"bank of england"')
    assert fast.keys() == slow.keys()


def test_a_repeated_word_in_a_phrase_needs_both_occurrences(archive) -> None:
    assert "p5" in ids(archive, '"new new york"')
    assert "p5" not in ids(archive, '"york york"')
    slow, fast = whoosh_and_fast(archive, '"new new york"')
    assert fast == pytest.approx(slow, rel=1e-12)


def test_a_deleted_article_is_not_matched(archive) -> None:
    snap = archive.snapshot()
    deleted = snap.searcher.document_number(id="f8")  # still there: only f7 was deleted
    assert deleted is not None
    assert all("f7" not in ids(archive, q) for q in ("oil", '"oil price"', "prise~", "oil OR trade"))


QUERIES = [
    '"money supply"',
    '"the bank of england"',
    '"oil price"',
    '"oil price rise"',
    '"price oil"',
    '"new york"',
    '"trade talks" oil',
    '"oil price" OR grain',
    'title:"money supply"',
    "prise~",
    "tarde~2",
    "prise~ market",
    "oil OR trade",
    "oil^2 OR trade",
    '"oil price" AND "trade talks"',
]


@pytest.mark.parametrize("q", QUERIES)
def test_numpy_matching_gives_whooshs_documents_and_scores(archive, q: str) -> None:
    slow, fast = whoosh_and_fast(archive, q)
    assert slow, f"{q!r} should match something in this archive"
    assert fast.keys() == slow.keys()
    assert fast == pytest.approx(slow, rel=1e-12)


@pytest.mark.parametrize(
    "query",
    [
        wq.Phrase("body", ["oil", "price"], boost=3.0),
        wq.Or([wq.Phrase("title", ["oil", "price"]), wq.Term("body", "grain", boost=0.5)], boost=2.0),
        wq.And([wq.Phrase("body", ["oil", "price"]), wq.Term("body", "trade")], boost=1.5),
    ],
)
def test_boosts_scale_scores_as_in_whoosh(archive, query: wq.Query) -> None:
    snap = archive.snapshot()
    slow = {int(d): float(s) for s, d in snap.searcher.search(query, limit=None, terms=False).top_n}
    mask, scores = evaluate(snap.searcher, snap.terms, query, {})
    fast = {int(d): float(scores[d]) for d in np.flatnonzero(mask & snap.columns.live)}
    assert slow and fast == pytest.approx(slow, rel=1e-12)


def test_random_phrases_match_as_whoosh_matches_them(archive) -> None:
    rng = random.Random(3)
    for _ in range(40):
        q = '"' + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3))) + '"'
        slow, fast = whoosh_and_fast(archive, q)
        assert fast.keys() == slow.keys(), q
        assert fast == pytest.approx(slow, rel=1e-12), q


@pytest.mark.parametrize(
    "query",
    [wq.Prefix("body", "oil"), wq.Phrase("body", ["oil", "price"], slop=3), wq.Not(wq.Term("body", "oil"))],
)
def test_queries_it_does_not_handle_are_left_to_whoosh(archive, query: wq.Query) -> None:
    snap = archive.snapshot()
    assert evaluate(snap.searcher, snap.terms, query, {}) is None


def test_a_phrase_added_by_a_new_commit_is_found_on_the_next_search(tmp_path: Path) -> None:
    arch = open_index(build(tmp_path / "ix", ARTICLES[:2]))
    assert ids(arch, '"central bank"') == {"p1"}
    build(tmp_path / "ix", [dict(id="n1", title="Rates", body="The central bank cut rates.")])
    assert ids(arch, '"central bank"') == {"p1", "n1"}
    arch.close()
