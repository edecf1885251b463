"""Filters: one boolean mask per active filter of a request (date, date precision, facets, exclusions, cluster)."""

from __future__ import annotations

import numpy as np

from search.documents import ENTITY_FIELDS
from search.index.columns import PRECISIONS, UNDATED
from search.query.archive import Snapshot
from search.query.types import FACET_FIELDS, SearchRequest


def filter_masks(snap: Snapshot, request: SearchRequest, notes: list[str]) -> dict[str, np.ndarray]:
    """One boolean mask per active filter: date, date precision, each facet, exclusions, cluster."""
    cols = snap.columns
    out: dict[str, np.ndarray] = {}
    if request.date_from or request.date_to:
        lo = request.date_from.toordinal() if request.date_from else -(2**31) + 1
        hi = request.date_to.toordinal() if request.date_to else 2**31 - 1
        out["date"] = (cols.days != UNDATED) & (cols.days >= lo) & (cols.days <= hi)
    if request.precision:
        wanted = [PRECISIONS.index(p) for p in request.precision if p in PRECISIONS]
        out["precision"] = np.isin(cols.precision, wanted) if wanted else np.zeros(cols.size, dtype=bool)
    for fname in FACET_FIELDS:
        selected = getattr(request, fname)
        if selected:
            out[fname] = values_mask(snap, fname, selected)
    if request.excluded:
        left_out = np.zeros(cols.size, dtype=bool)
        for fname in FACET_FIELDS:
            values = tuple(v for f, v in request.excluded if f == fname)
            if values:
                left_out |= values_mask(snap, fname, values)
        out["excluded"] = ~left_out
    if request.cluster is not None:
        out["cluster"] = _cluster_mask(snap, request.cluster, notes)
    return out


def _cluster_mask(snap: Snapshot, cluster: str, notes: list[str]) -> np.ndarray:
    cols = snap.columns
    number = cols.cluster_number(cluster)
    if number is not None:
        return cols.clusters == number
    mask = np.zeros(cols.size, dtype=bool)
    d = snap.docnum(cluster)  # a singleton's "cluster" is its own id
    if d is not None:
        mask[d] = True
    else:
        notes.append(f"No near-duplicate cluster “{cluster}”.")
    return mask


def values_mask(snap: Snapshot, fname: str, values: tuple[str, ...]) -> np.ndarray:
    """Documents holding any of a facet's values (kept per commit: the same filters recur page after page)."""
    key = (fname, tuple(sorted(values)))
    mask = snap.cache.filters.get(key)
    if mask is None:
        mask = _values_mask(snap, fname, values)
        mask.flags.writeable = False  # shared by every request that filters on these values
        snap.cache.filters.put(key, mask)
    return mask


def _values_mask(snap: Snapshot, fname: str, values: tuple[str, ...]) -> np.ndarray:
    cols = snap.columns
    if fname == "sources":  # source:reuters finds "Reuters": sources match without regard to case
        col = cols.keywords["source"]
        wanted = {s.lower() for s in values}
        return col.docs_with({v for v in col.values if v.lower() in wanted}, cols.size)
    if fname == "authors":
        return cols.keywords["author"].docs_with(set(values), cols.size)
    pairs: set[tuple[str, str]] = set()
    fac = snap.facetable[fname]
    for v in values:
        pairs |= snap.entity_names.variants(fname, v)
        if v in fac.by_name:  # every indexed value that maps to this canonical value
            i = fac.by_name[v]
            for column_field, mapping in fac.maps.items():
                col = cols.keywords[column_field]
                pairs |= {(column_field, col.values[j]) for j in np.flatnonzero(mapping == i)}
    mask = np.zeros(cols.size, dtype=bool)
    for column_field in ENTITY_FIELDS:
        wanted = {v for f, v in pairs if f == column_field}
        if wanted:
            mask |= cols.keywords[column_field].docs_with(wanted, cols.size)
    return mask
