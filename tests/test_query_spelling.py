"""The speller's parts: the noisy channel's edit costs and the English-word test that keeps real words."""

from __future__ import annotations

import pytest

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
