"""search(), document(), export(), related(), similar(), facet_values() and stats(): the core's functions.

Each is short: it takes a snapshot of the open Archive and composes the steps that live in their own modules
(selection: parse, spell, match, filter; facets; order; hits).
"""

from __future__ import annotations

import functools
import time as _time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

from search.documents import ENTITY_FIELDS
from search.index.storage import index_size
from search.query.archive import Archive, Snapshot
from search.query.didyoumean import suggestion
from search.query.facets import FACETABLE, facet_mask, facet_page, facets, name_counts, term_facet
from search.query.highlight import MatchTerms
from search.query.hits import document_view, export_row, hit, related_hits, similar_hits
from search.query.match.interpret import parsed_query
from search.query.match.terms import match_terms
from search.query.order import group_count, ordered, page_scores
from search.query.selection import MAX_PAGE, MAX_PER_PAGE, folds, sane, select
from search.query.types import (
    FACET_FIELDS,
    ArchiveStats,
    Correction,
    DocumentView,
    Export,
    ExportRow,
    FacetPage,
    Facets,
    Hit,
    SearchRequest,
    SearchResult,
    Sort,
)

T = TypeVar("T")
EXPORT_BATCH = 200  # articles read under the archive's lock at a time while an export streams


def _serialised(fn: Callable[..., T]) -> Callable[..., T]:
    """Run a core function under the archive's read lock (Whoosh readers are not thread-safe)."""

    @functools.wraps(fn)
    def wrapper(archive: Archive, *args: Any, **kwargs: Any) -> T:
        with archive.read_lock:
            return fn(archive, *args, **kwargs)

    return wrapper


@_serialised
def search(archive: Archive, request: SearchRequest) -> SearchResult:
    """Run one search: parse, match, filter, facet, rank, collapse, page, highlight. Never raises on input.

    A request answered before on the same commit and entity map is served from the archive's result cache.
    """
    started = _time.perf_counter()
    snap = archive.snapshot()
    key = _cache_key(request)
    cached = snap.cache.results.get(key) if key is not None else None
    if cached is not None:
        return replace(cached, took_ms=round((_time.perf_counter() - started) * 1000, 2))
    result = _search(archive, snap, request, started)
    if key is not None:
        snap.cache.results.put(key, result)
    return result


def remember(archive: Archive, key: Hashable, compute: Callable[[], T]) -> T:
    """A value made from this commit's search results (a rendered page), kept beside them in the result cache.

    Like a cached result it is dropped with its snapshot, on a new commit or an entity-map or authority edit.
    compute() runs outside the archive's lock; with the cache off it runs every time.
    """
    with archive.read_lock:
        snap = archive.snapshot()
    return snap.cache.results.get_or_make(key, compute)


def _cache_key(request: SearchRequest) -> SearchRequest | None:
    """The request itself (every field: query, filters, sort, page, options); None if it cannot be hashed."""
    try:
        hash(request)
    except TypeError:  # e.g. a list where a tuple belongs, from a caller outside the web layer
        return None
    return request


def _search(archive: Archive, snap: Snapshot, request: SearchRequest, started: float) -> SearchResult:
    notes: list[str] = []
    request = sane(request, notes)
    cols = snap.columns
    sel = select(archive, snap, request, notes)
    parsed, checked, final = sel.parsed, sel.checked, sel.final
    correction = None
    if checked is not None and checked.fixed and request.correct:
        correction = Correction(request.q, checked.corrected, checked.fixed)

    collapse = folds(request)
    found = facets(snap, request, sel.matches.mask, sel.filters, collapse) if request.facets else Facets()
    total_articles = int(final.sum())
    stories = group_count(cols, final)

    docs, scores, groups = ordered(snap, parsed, sel.matches, request, final, collapse)
    total = groups if collapse else total_articles
    if request.facets:
        counted = found.undated + sum(b.count for b in found.dates)
        found = replace(found, overlap=max(0, counted - total))
    start = (request.page - 1) * request.per_page
    page_docs = docs[start : start + request.per_page]
    if request.sort != Sort.RELEVANCE or not request.q.strip():
        scores = page_scores(sel.matches, request, page_docs)
    group_sizes = np.bincount(cols.groups[final], minlength=cols.n_groups) if collapse else None
    terms = match_terms(snap, parsed) if request.snippets else None
    hits = tuple(
        hit(snap, d, scores.get(d, 0.0), terms, int(group_sizes[cols.groups[d]]) - 1 if collapse else 0)
        for d in page_docs
    )
    offered = None
    unmatched: tuple[str, ...] = ()
    if checked is not None:
        unmatched = checked.unmatched
        if checked.fixed and not request.correct:
            offered = checked.corrected
            typed = (*unmatched, *(t for t, _ in checked.fixed))
            unmatched = tuple(sorted(typed, key=request.q.find))  # in the order typed
        elif checked.suggestion:
            offered = checked.suggestion
        if unmatched:
            notes.append("No article contains " + " or ".join(f"“{w}”" for w in unmatched) + ".")
    elif request.q.strip() and parsed.words and not parsed.long:
        offered = suggestion(snap, parsed.text or request.q, parsed.words)
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=found,
        suggestion=offered,
        notes=tuple(notes),
        correction=correction,
        unmatched=unmatched,
        total_articles=total_articles,
        stories=stories,
        took_ms=round((_time.perf_counter() - started) * 1000, 2),
    )


@_serialised
def document(archive: Archive, doc_id: str, q: str | None = None) -> DocumentView | None:
    """One whole article; with q, every hit marked <mark id="hit-N"> so the page can step between them."""
    snap = archive.snapshot()
    docnum = snap.docnum(doc_id)
    if docnum is None:
        return None
    terms = match_terms(snap, parsed_query(archive, snap, q)) if q and q.strip() else MatchTerms()
    return document_view(snap, docnum, terms)


def export(archive: Archive, request: SearchRequest, limit: int = 0, text: bool = False) -> Export:
    """The rows a search gives, in its order, the first `limit` (0: all): one per story when the request folds
    near-duplicates (as its results page does), else every article, each version its own row.

    The matches are computed once, on one commit; the rows are read lazily in batches (each under the archive's
    lock), so a caller can stream any number of them. With text, each row holds the article's whole body.
    """
    notes: list[str] = []
    with archive.read_lock:
        snap = archive.snapshot()
        request = sane(replace(request, page=1, facets=False), notes)
        folded = folds(request)
        sel = select(archive, snap, request, notes)
        articles = int(sel.final.sum())
        stories = group_count(snap.columns, sel.final)
        total = stories if folded else articles
        count = total if limit <= 0 else min(total, limit)
        request_all = replace(request, per_page=max(count, 1))
        docs, scores, _ = ordered(snap, sel.parsed, sel.matches, request_all, sel.final, folded)
        docs = docs[:count]
        if (request.sort != Sort.RELEVANCE or not request.q.strip()) and sel.matches.scores is not None:
            scores = page_scores(sel.matches, request, docs)
        terms = match_terms(snap, sel.parsed) if request.snippets and request.q.strip() else None

    def rows() -> Iterator[ExportRow]:
        for start in range(0, len(docs), EXPORT_BATCH):
            with archive.read_lock:
                batch = [
                    export_row(snap, d, scores.get(d, 0.0), terms, text) for d in docs[start : start + EXPORT_BATCH]
                ]
            yield from batch

    return Export(request, total, len(docs), limit, tuple(notes), rows(), articles, stories, folded)


@_serialised
def related(archive: Archive, doc_id: str, limit: int = 5) -> list[Hit]:
    """More like this: articles sharing the document's most telling words, one per near-duplicate cluster."""
    snap = archive.snapshot()
    docnum = snap.docnum(doc_id)
    if docnum is None or limit < 1:
        return []
    return related_hits(snap, docnum, limit)


@_serialised
def similar(archive: Archive, doc_id: str) -> list[Hit]:
    """The other members of a document's near-duplicate cluster, newest first."""
    snap = archive.snapshot()
    docnum = snap.docnum(doc_id)
    return [] if docnum is None else similar_hits(snap, docnum)


@_serialised
def facet_values(
    archive: Archive,
    request: SearchRequest,
    field: str,
    contains: str = "",
    order: str = "count",
    page: int = 1,
    per_page: int = 50,
) -> FacetPage:
    """Every value of one facet among a search's results (its own filter aside), a page at a time.

    contains keeps the values holding that text anywhere, without regard to case or accents; order is "count"
    (most articles first, ties A to Z) or "name" (A to Z). Selected and excluded values are marked.
    """
    if field not in FACET_FIELDS:
        raise ValueError(f"no facet {field!r}: one of {', '.join(FACET_FIELDS)}")
    snap = archive.snapshot()
    notes: list[str] = []
    request = sane(request, notes)
    sel = select(archive, snap, request, notes)  # the same articles as the results page
    fac = snap.facetable[FACETABLE[field]]
    counts = name_counts(fac, snap.columns, facet_mask(sel.matches.mask, sel.filters, field), folds(request))
    excluded = tuple(v for f, v in request.excluded if f == field)
    page = max(1, min(page, MAX_PAGE))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    values, total = facet_page(counts, fac, contains, order, page, per_page, getattr(request, field), excluded)
    order = "name" if order == "name" else "count"
    counted = "stories" if folds(request) else "articles"
    return FacetPage(field, values, total, page, per_page, contains, order, counted)


@_serialised
def stats(archive: Archive) -> ArchiveStats:
    """Counts, date span, top entities per type, size on disk and time of the last commit.

    Made once per snapshot (a commit, or an edit of the entity names): /healthz and the about page ask often.
    """
    snap = archive.snapshot()
    if snap.cache.stats is None:
        snap.cache.stats = _stats(archive, snap)
    return snap.cache.stats


def _stats(archive: Archive, snap: Snapshot) -> ArchiveStats:
    cols = snap.columns
    live = cols.live
    dated = live & cols.dated
    days = cols.days[dated]
    tops = {}
    for fname in ENTITY_FIELDS:
        fac = snap.facetable[fname]
        tops[fname] = term_facet(name_counts(fac, cols, live), fac, (), 20)
    try:
        size = index_size(archive.index_dir)
        mtime = max(p.stat().st_mtime for p in archive.index_dir.iterdir() if p.name.endswith(".toc"))
        last = datetime.fromtimestamp(mtime, UTC)
    except (OSError, ValueError):
        size, last = 0, None
    return ArchiveStats(
        documents=int(live.sum()),
        dated=int(dated.sum()),
        undated=int(live.sum() - dated.sum()),
        date_min=datetime.fromordinal(int(days.min())).date() if days.size else None,
        date_max=datetime.fromordinal(int(days.max())).date() if days.size else None,
        people=tops["people"],
        organizations=tops["organizations"],
        places=tops["places"],
        size_bytes=size,
        last_update=last,
    )
