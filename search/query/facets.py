"""Facet counts from numpy columns: entity values with counts, a date histogram, the undated count."""

from __future__ import annotations

from datetime import date

import numpy as np

from search.query.archive import Facetable
from search.query.columns import UNDATED, Columns
from search.query.types import DateBucket, FacetValue

FACET_LIMIT = 15
_EPOCH = date(1970, 1, 1).toordinal()


def name_counts(fac: Facetable, columns: Columns, mask: np.ndarray) -> np.ndarray:
    """Documents per canonical value of a facet among the docnums set in mask (each document once)."""
    if not fac.names or not len(fac.pair_docs):
        return np.zeros(len(fac.names), dtype=np.int64)
    return np.bincount(fac.pair_names[mask[fac.pair_docs]], minlength=len(fac.names))


def term_facet(
    by_name: np.ndarray,
    fac: Facetable,
    selected: tuple[str, ...] = (),
    limit: int = FACET_LIMIT,
) -> tuple[FacetValue, ...]:
    """Top canonical values by count (ties by name); selected values are always listed."""
    names = fac.names
    if not len(names):
        return tuple(FacetValue(v, 0, True) for v in selected)
    nonzero = np.flatnonzero(by_name)
    if limit > 0 and nonzero.size > 4 * limit:  # only values that can make the top: count >= the limit-th count
        cut = np.partition(by_name[nonzero], nonzero.size - limit)[nonzero.size - limit]
        nonzero = nonzero[by_name[nonzero] >= cut]
    order = nonzero[np.lexsort((fac.rank[nonzero], -by_name[nonzero]))][:limit].tolist()
    chosen = set(selected)
    out = [FacetValue(names[i], int(by_name[i]), names[i] in chosen) for i in order]
    listed = {f.value for f in out}
    for value in selected:
        if value not in listed:
            i = fac.by_name.get(value)
            out.append(FacetValue(value, int(by_name[i]) if i is not None else 0, True))
    return tuple(out)


def date_histogram(columns: Columns, mask: np.ndarray) -> tuple[tuple[DateBucket, ...], str, int]:
    """Buckets that suit the span (years, months or days), and how many hits are undated."""
    days = columns.days[mask]
    dated = days[days != UNDATED]
    undated = int(days.size - dated.size)
    if not dated.size:
        return (), "", undated
    lo, hi = int(dated.min()), int(dated.max())
    span = hi - lo
    d64 = (dated.astype(np.int64) - _EPOCH).astype("datetime64[D]")
    if span > 3 * 366:
        unit, keys = "year", d64.astype("datetime64[Y]")
    elif span > 62:
        unit, keys = "month", d64.astype("datetime64[M]")
    else:
        unit, keys = "day", d64
    code = {"year": "Y", "month": "M", "day": "D"}[unit]
    values, counts = np.unique(keys.astype(np.int64), return_counts=True)
    found = dict(zip(values.tolist(), counts.tolist(), strict=True))
    # Every bucket from the first to the last, so gaps show as zeros.
    buckets = []
    for n in range(int(values[0]), int(values[-1]) + 1):
        start = np.datetime64(n, code).astype("datetime64[D]").astype(object)
        end = (np.datetime64(n + 1, code).astype("datetime64[D]") - np.timedelta64(1, "D")).astype(object)
        label = {"year": f"{start:%Y}", "month": f"{start:%Y-%m}", "day": f"{start:%Y-%m-%d}"}[unit]
        buckets.append(DateBucket(start, end, int(found.get(n, 0)), label))
    return tuple(buckets), unit, undated
