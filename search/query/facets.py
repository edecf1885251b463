"""Facet counts from numpy columns: entity values with counts, a date histogram, the undated count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from search.index.columns import PRECISIONS, Columns
from search.query.archive import Facetable, Snapshot, fold
from search.query.arrays import sorted_unique
from search.query.types import DATE_PRECISIONS, FACET_FIELDS, DateBucket, Facets, FacetValue, SearchRequest

FACET_LIMIT = 15
# A request's facet field -> the snapshot's Facetable that holds its values.
FACETABLE = {
    "people": "people",
    "organizations": "organizations",
    "places": "places",
    "sources": "source",
    "authors": "author",
}
_EPOCH = date(1970, 1, 1).toordinal()


def facets(snap: Snapshot, request: SearchRequest, matched: np.ndarray, filters: dict, stories: bool) -> Facets:
    """Counts over the whole result set; each facet ignores its own filter (OR within, AND across).

    stories: count near-duplicate stories as the folded results do (a story once per value or bucket that any
    of its matching articles has), so that a value or bar counted N gives N results when clicked.
    """
    cols = snap.columns
    result = {}
    distinct = []
    for fname in FACET_FIELDS:
        fac = snap.facetable[FACETABLE[fname]]
        counts = name_counts(fac, cols, facet_mask(matched, filters, fname), stories)
        excluded = tuple(v for f, v in request.excluded if f == fname)
        result[fname] = term_facet(counts, fac, getattr(request, fname), FACET_LIMIT, excluded)
        distinct.append((fname, int(np.count_nonzero(counts))))
    all_mask = matched.copy()
    for m in filters.values():
        all_mask &= m
    buckets, unit, undated = date_histogram(cols, all_mask, stories)
    return Facets(
        people=result["people"],
        organizations=result["organizations"],
        places=result["places"],
        sources=result["sources"],
        authors=result["authors"],
        dates=buckets,
        date_unit=unit,
        undated=undated,
        precision=precision_facet(cols, facet_mask(matched, filters, "precision"), request.precision, stories),
        distinct=tuple(distinct),
        counted="stories" if stories else "articles",
    )


def facet_mask(matched: np.ndarray, filters: dict[str, np.ndarray], own: str) -> np.ndarray:
    """The results as a facet counts them: every filter but its own (OR within a facet, AND across)."""
    mask = matched.copy()
    for key, m in filters.items():
        if key != own:
            mask &= m
    return mask


def story_counts(keys: np.ndarray, docs: np.ndarray, columns: Columns, minlength: int) -> np.ndarray:
    """How many near-duplicate stories (clusters; a lone article is its own) have a document under each key.

    keys[i] is the key (facet value, histogram bucket) of document docs[i]. Articles of one-article stories
    are counted by a plain bincount; only those of shared clusters are made unique per (key, story).
    """
    minlength = max(minlength, int(keys.max()) + 1 if keys.size else 0)
    counts = np.bincount(keys, minlength=minlength)
    shared = columns.shared[docs]
    if shared.any():
        k = keys[shared].astype(np.int64)
        n = max(columns.n_groups, 1)
        pairs = sorted_unique(k * n + columns.groups[docs[shared]])
        counts = counts - np.bincount(k, minlength=minlength) + np.bincount(pairs // n, minlength=minlength)
    return counts


def name_counts(fac: Facetable, columns: Columns, mask: np.ndarray, stories: bool = False) -> np.ndarray:
    """Documents per canonical value of a facet among the docnums set in mask (each document once).

    stories: count near-duplicate stories instead (a cluster once per value, when any of its articles has it).
    """
    if not fac.names or not len(fac.pair_docs):
        return np.zeros(len(fac.names), dtype=np.int64)
    hits = np.flatnonzero(mask)
    if hits.size * 8 > mask.size:  # a large share of the archive: one pass over all pairs is cheaper
        chosen = mask[fac.pair_docs]
        names = fac.pair_names[chosen]
        docs = fac.pair_docs[chosen] if stories else None
    else:  # few hits: read only their pairs (pairs are sorted by document; offsets give each document's run)
        starts, ends = fac.offsets[hits], fac.offsets[hits + 1]
        lengths = ends - starts
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        at = shift + np.arange(int(lengths.sum()))
        names = fac.pair_names[at]
        docs = fac.pair_docs[at] if stories else None
    if docs is not None:
        return story_counts(names, docs, columns, len(fac.names))
    return np.bincount(names, minlength=len(fac.names))


def term_facet(
    by_name: np.ndarray,
    fac: Facetable,
    selected: tuple[str, ...] = (),
    limit: int = FACET_LIMIT,
    excluded: tuple[str, ...] = (),
) -> tuple[FacetValue, ...]:
    """Top canonical values by count (ties by name); selected and excluded values are always listed."""
    names = fac.names
    if not len(names):
        return tuple(FacetValue(v, 0, True) for v in selected) + tuple(FacetValue(v, 0, False, True) for v in excluded)
    nonzero = np.flatnonzero(by_name)
    if limit > 0 and nonzero.size > 4 * limit:  # only values that can make the top: count >= the limit-th count
        cut = np.partition(by_name[nonzero], nonzero.size - limit)[nonzero.size - limit]
        nonzero = nonzero[by_name[nonzero] >= cut]
    order = nonzero[np.lexsort((fac.rank[nonzero], -by_name[nonzero]))][:limit].tolist()
    return _marked(by_name, fac, order, selected, excluded, keep=True)


def _marked(
    by_name: np.ndarray,
    fac: Facetable,
    order: list[int],
    selected: tuple[str, ...],
    excluded: tuple[str, ...],
    keep: bool,
) -> tuple[FacetValue, ...]:
    """FacetValues for the name ids in order, marked selected or excluded; keep: add the chosen ones not listed."""
    names = fac.names
    chosen, left_out = set(selected), set(excluded)
    out = [FacetValue(names[i], int(by_name[i]), names[i] in chosen, names[i] in left_out) for i in order]
    if keep:
        listed = {f.value for f in out}
        for value, is_selected in [*((v, True) for v in selected), *((v, False) for v in excluded)]:
            if value not in listed:
                i = fac.by_name.get(value)
                count = int(by_name[i]) if i is not None and i < len(by_name) else 0
                out.append(FacetValue(value, count, is_selected, not is_selected))
                listed.add(value)
    return tuple(out)


def facet_page(
    by_name: np.ndarray,
    fac: Facetable,
    contains: str,
    order: str,
    page: int,
    per_page: int,
    selected: tuple[str, ...] = (),
    excluded: tuple[str, ...] = (),
) -> tuple[tuple[FacetValue, ...], int]:
    """One page of the values with articles among the results (and of those holding `contains`), and how many."""
    ids = np.flatnonzero(by_name)
    wanted = fold(contains.strip())
    if wanted:
        folded = fac.folded
        ids = np.array([i for i in ids.tolist() if wanted in folded[i]], dtype=np.int64)
    if order == "name":
        ids = ids[np.argsort(fac.rank[ids], kind="stable")]
    else:
        ids = ids[np.lexsort((fac.rank[ids], -by_name[ids]))]
    start = (page - 1) * per_page
    return _marked(by_name, fac, ids[start : start + per_page].tolist(), selected, excluded, keep=False), int(ids.size)


def precision_facet(
    columns: Columns, mask: np.ndarray, selected: tuple[str, ...] = (), stories: bool = False
) -> tuple[FacetValue, ...]:
    """Articles (or stories) among the results per date precision: a full day, a month only, a year only, none."""
    counts = None
    if columns.precision.size:
        docs = np.flatnonzero(mask)
        keys = columns.precision[docs].astype(np.int64)
        n = len(PRECISIONS)
        counts = story_counts(keys, docs, columns, n) if stories else np.bincount(keys, minlength=n)
    out = []
    for name in DATE_PRECISIONS:
        n = int(counts[PRECISIONS.index(name)]) if counts is not None else 0
        out.append(FacetValue(name, n, name in selected))
    return tuple(out)


def date_histogram(
    columns: Columns, mask: np.ndarray, stories: bool = False
) -> tuple[tuple[DateBucket, ...], str, int]:
    """Buckets that suit the span (days, months, years, or runs of years), and how many hits are undated.

    However wide the span (one article dated 9999 among ones from 1987 made 7,980 yearly bars), there are at
    most MAX_BUCKETS bars: years are grouped into decades, centuries, ... as the span needs.
    stories: count near-duplicate stories, each once in every bucket holding one of its articles (what a
    click on the bar, a date range, then shows), instead of articles.
    """
    chosen = mask & columns.dated
    if stories:
        lone = np.flatnonzero(mask & ~columns.dated)
        undated = int(story_counts(np.zeros(lone.size, dtype=np.int64), lone, columns, 1)[0])
    else:
        undated = int(np.count_nonzero(mask)) - int(np.count_nonzero(chosen))
    days = columns.days[chosen]
    if not days.size:
        return (), "", undated
    span = int(days.max()) - int(days.min())
    if span > 3 * 366:
        unit, keys = "year", columns.years[chosen]
    elif span > 62:
        unit, keys = "month", columns.months[chosen]
    else:
        unit, keys = "day", days.astype(np.int64) - _EPOCH
    docs = np.flatnonzero(chosen)

    def tally(offsets: np.ndarray) -> list[int]:
        """Hits per bucket from the first to the last (gaps show as zeros): stories or articles."""
        return (story_counts(offsets, docs, columns, 0) if stories else np.bincount(offsets)).tolist()

    if unit == "year" and int(keys.max()) - int(keys.min()) >= MAX_BUCKETS:
        return _year_runs(keys + 1970, tally), _run_unit(_run_length(keys + 1970)), undated
    first = int(keys.min())
    counts = tally(keys - first)
    return tuple(_bucket(unit, first + n, count) for n, count in enumerate(counts)), unit, undated


MAX_BUCKETS = 100  # bars in a date histogram, at most
_RUNS = (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


def _run_length(years: np.ndarray) -> int:
    """The shortest run of years (from a short list of round ones) that covers the span in MAX_BUCKETS bars."""
    lo, hi = int(years.min()), int(years.max())
    return next(k for k in _RUNS if hi // k - lo // k < MAX_BUCKETS)


def _run_unit(k: int) -> str:
    return {10: "decade", 100: "century", 1000: "millennium"}.get(k, f"{k} years")


def _year_runs(years: np.ndarray, tally: Callable[[np.ndarray], list[int]]) -> tuple[DateBucket, ...]:
    """Bars of k years each, aligned on multiples of k (1980-1989), from the first hit's to the last's."""
    k = _run_length(years)
    runs = years // k
    first = int(runs.min())
    out = []
    for n, count in enumerate(tally(runs - first)):
        lo = max(1, (first + n) * k)
        hi = min(9999, (first + n + 1) * k - 1)
        out.append(DateBucket(date(lo, 1, 1), date(hi, 12, 31), count, f"{lo}–{hi}"))
    return tuple(out)


def _bucket(unit: str, n: int, count: int) -> DateBucket:
    """Bucket n of the unit (years, months or days since 1970) with its first and last day and its label."""
    if unit == "year":
        start = date(1970 + n, 1, 1)
        return DateBucket(start, date(start.year, 12, 31), count, f"{start:%Y}")
    if unit == "month":
        start = _month_start(n)
        end = date(9999, 12, 31) if n == _LAST_MONTH else date.fromordinal(_month_start(n + 1).toordinal() - 1)
        return DateBucket(start, end, count, f"{start:%Y-%m}")
    day = date.fromordinal(_EPOCH + n)
    return DateBucket(day, day, count, f"{day:%Y-%m-%d}")


def _month_start(n: int) -> date:
    return date(1970 + n // 12, n % 12 + 1, 1)


_LAST_MONTH = (9999 - 1970) * 12 + 11  # December 9999: no month after it
