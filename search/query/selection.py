"""What a request selects: its query read and spelled, what that matches, each filter's mask, what they keep."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from search.query.archive import Archive, Snapshot
from search.query.didyoumean import spelled
from search.query.filters import filter_masks
from search.query.match.interpret import widen, widenable
from search.query.match.matching import Matches, match
from search.query.match.parse import ParsedQuery
from search.query.spelling import Checked
from search.query.types import SearchRequest, Sort

MAX_PER_PAGE = 1000
MAX_PAGE = 10_000


@dataclass(frozen=True, eq=False)
class Selection:
    """A request's parsed query (widened when nothing held every word), its words checked, what it matches,
    each filter's mask, and the matches every filter keeps (the results)."""

    parsed: ParsedQuery
    checked: Checked | None
    matches: Matches
    filters: dict[str, np.ndarray]
    final: np.ndarray


def select(archive: Archive, snap: Snapshot, request: SearchRequest, notes: list[str]) -> Selection:
    """Parse, spell, match and filter a (sane) request; what it notes is added to notes."""
    parsed, checked = spelled(archive, snap, request.q, request.correct)
    notes.extend(parsed.notes)
    cols = snap.columns

    matches = match(snap, parsed)
    filters = filter_masks(snap, request, notes)
    final = _kept(matches.mask, filters)

    if not final.any() and not parsed.long and widenable(parsed):
        widened = widen(archive, snap, parsed.text)  # the cleaned text: a dropped "^3" stays dropped
        if widened is not None:
            w_matches = match(snap, widened)
            w_final = _kept(w_matches.mask, filters)
            if w_final.any():
                parsed, matches, final = widened, w_matches, w_final
                notes.append("No article contains every word; showing articles with most of them.")

    if request.date_from or request.date_to:
        left_out = int((matches.mask & ~cols.dated).sum())
        if left_out:
            notes.append(
                f"{left_out} undated article(s) matching the query are not shown: a date filter"
                " only keeps dated articles."
            )
    return Selection(parsed, checked, matches, filters, final)


def _kept(mask: np.ndarray, filters: dict[str, np.ndarray]) -> np.ndarray:
    """The documents of mask that every filter keeps."""
    final = mask.copy()
    for m in filters.values():
        final &= m
    return final


def folds(request: SearchRequest) -> bool:
    """Whether a request's results fold near-duplicates into stories (and so count stories everywhere)."""
    return request.collapse and request.cluster is None


def sane(request: SearchRequest, notes: list[str]) -> SearchRequest:
    """The request with out-of-range pages, a backwards date range and an unknown sort put right, each noted."""
    changes: dict = {}
    if request.page < 1 or request.page > MAX_PAGE:
        changes["page"] = min(max(1, request.page), MAX_PAGE)
    if request.per_page < 1 or request.per_page > MAX_PER_PAGE:
        changes["per_page"] = min(max(1, request.per_page), MAX_PER_PAGE)
        notes.append(f"Showing {changes['per_page']} results per page.")
    if request.date_from and request.date_to and request.date_from > request.date_to:
        changes["date_from"], changes["date_to"] = request.date_to, request.date_from
        notes.append("The date range was given backwards, so its ends were swapped.")
    if not isinstance(request.sort, Sort):
        try:
            changes["sort"] = Sort(str(request.sort))
        except ValueError:
            changes["sort"] = Sort.RELEVANCE
            notes.append(f"Unknown sort “{request.sort}”: sorted by relevance.")
    return replace(request, **changes) if changes else request
