"""Partial ordering shortcuts give exactly what sorting everything gives (ties, collapsing, facet tops)."""

from __future__ import annotations

import numpy as np
import pytest

from search.query.archive import Facetable
from search.query.facets import term_facet
from search.query.order import first_ranked as _first_ranked


def _reference(docs: np.ndarray, key: np.ndarray, need: int, groups: np.ndarray | None) -> list[int]:
    order = docs[np.lexsort((docs, key))]
    if groups is not None:
        _, first = np.unique(groups[order], return_index=True)
        order = order[np.sort(first)]
    return order[:need].tolist()


@pytest.mark.parametrize("seed", range(12))
def test_first_ranked_equals_a_full_sort_with_ties_and_groups(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    docs = np.sort(rng.choice(5000, size=size, replace=False))
    key = rng.integers(0, int(rng.integers(2, 50)), size=size).astype(np.float32)  # many ties
    groups = rng.integers(0, int(rng.integers(1, 400)), size=5000)  # few groups: collapsing needs many rounds
    for need in (1, 10, 500, 5000):
        assert _first_ranked(docs, key, need, None).tolist() == _reference(docs, key, need, None)
        assert _first_ranked(docs, key, need, groups).tolist() == _reference(docs, key, need, groups)


def test_first_ranked_of_nothing_is_empty() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert _first_ranked(empty, empty.astype(np.float32), 10, np.zeros(5, dtype=np.int64)).size == 0


def test_facet_top_values_equal_a_full_sort_with_ties() -> None:
    rng = np.random.default_rng(1)
    names = [f"v{i:04d}" for i in range(2000)]
    fac = Facetable(names, {}, {n: i for i, n in enumerate(names)})
    fac.finish()
    counts = rng.integers(0, 6, size=len(names))
    got = term_facet(counts, fac, ("v0001",), 15)
    nonzero = np.flatnonzero(counts)
    expected = nonzero[np.lexsort((fac.rank[nonzero], -counts[nonzero]))][:15]
    assert [f.value for f in got[:15]] == [names[i] for i in expected]
    assert [f.count for f in got[:15]] == counts[expected].tolist()
