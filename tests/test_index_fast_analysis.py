"""The indexer's own text-analysis loop must give exactly the postings Whoosh's field.index() gives."""

from __future__ import annotations

import pickle

import pytest
from whoosh.analysis import StemmingAnalyzer
from whoosh.formats import Positions

from search.enrich.analysis import exact_terms, terms, words
from search.index.analysis import exact_analyzer, news_analyzer, positions_postings
from search.index.schema import build_schema

TEXTS = [
    "",
    "the of and",
    "The U.S. Agriculture Department said the the exports rose 3.5 pct to 1,250,000 tonnes.",
    "Reagan's aides — and the Fed’s chairman — didn’t comment; REAGAN said: “no”. It's the Fed's.",
    "İstanbul ÉCOLE straße l’été naïve Œuvre 2nd 3rd  \n\n tabs\tand  spaces",
    "a a a b a b the a",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("name", ["title", "body", "title_exact", "body_exact"])
def test_fast_text_postings_equal_whooshs_field_index(name: str, text: str) -> None:
    field = build_schema()[name]
    fmt = field.format
    assert positions_postings(field.analyzer, text, fmt.encode, fmt.field_boost) == list(field.index(text))


@pytest.mark.parametrize("text", TEXTS)
def test_fast_text_postings_equal_whooshs_with_stock_positions(text: str) -> None:
    field = build_schema()["title"]
    field.format = Positions(field_boost=2.0)
    assert positions_postings(field.analyzer, text, field.format.encode, 2.0) == list(field.index(text))


@pytest.mark.parametrize("text", [*TEXTS, "Sergey Lavrov Sergei Lavrov S. Jaishankar O'Neill José Müller-Lüdenscheidt"])
@pytest.mark.parametrize("name", ["author", "people_words", "places_words"])
def test_fast_name_postings_equal_whooshs_field_index(name: str, text: str) -> None:
    field = build_schema()[name]
    fmt = field.format
    assert positions_postings(field.analyzer, text, fmt.encode, fmt.field_boost) == list(field.index(text))


def test_fast_text_postings_decline_other_analyzers() -> None:
    analyzer = StemmingAnalyzer()  # not a chain the fast loop knows: Whoosh's own path indexes it
    assert positions_postings(analyzer, "Jane Doe", Positions().encode) is None


@pytest.mark.parametrize("text", TEXTS)
def test_terms_are_what_the_whoosh_chain_gives(text: str) -> None:
    chain = [(t.pos, t.text) for t in news_analyzer()(text, positions=True)]
    assert terms(text) == chain
    assert exact_terms(text) == [(t.pos, t.text) for t in exact_analyzer()(text, positions=True)]
    assert words(text) == [t for _, t in chain]


def test_terms_renumber_stop_words_away() -> None:
    assert terms("The cats sat on the mat") == [(1, "cat"), (2, "sat"), (3, "mat")]
    assert terms("the of and") == []


def test_an_index_that_pickled_the_tokenizer_under_its_old_module_still_opens() -> None:
    schema = build_schema()
    old = pickle.dumps(schema, 0).replace(b"csearch.index.analysis\n", b"csearch.enrich.analysis\n")
    assert b"search.index.analysis" not in old
    assert pickle.loads(old)["body"].analyzer == schema["body"].analyzer
