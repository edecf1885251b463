"""Small numpy helpers the query core shares (no Whoosh, no index: plain arrays in, plain arrays out)."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values in ascending order, as np.unique gives them: sort and drop repeats (np.unique itself
    is many times slower on the large integer arrays of facet counts and document frequencies)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if ordered.size else ordered
