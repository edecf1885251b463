"""search(), document(), related(), similar() and stats(): the core's functions over an open Archive."""

from __future__ import annotations

import functools
import json
import logging
import math
import time as _time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.classify import Bo1Model

from search.documents import PAGE_BREAK, page_at
from search.enrich.analysis import news_analyzer
from search.index.columns import PRECISIONS, UNDATED, Columns
from search.index.schema import EXACT_FIELDS
from search.index.storage import index_size
from search.query import bm25, ranking, vector_match
from search.query.archive import Archive, Snapshot
from search.query.expand import Expansion, vocabulary
from search.query.expand import expand as expand_node
from search.query.facets import (
    FACET_LIMIT,
    FACETABLE,
    date_histogram,
    facet_page,
    name_counts,
    precision_facet,
    term_facet,
)
from search.query.highlight import MatchTerms, analyse_terms, highlight_document, mark_pages, snippet_at
from search.query.parse import DEFAULT_FIELDS, ParsedQuery, parse
from search.query.spelling import Checked, Speller, Vocabulary, check, stem_of
from search.query.suggest import suggest
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

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PER_PAGE = 1000
MAX_PAGE = 10_000
ENTITY_FILTERS = {"people": "people", "organizations": "organizations", "places": "places"}
_analyzer = news_analyzer()
_EXACT = frozenset(EXACT_FIELDS.values())


def _null(q: wq.Query) -> bool:
    return q is wq.NullQuery or type(q).__name__ == "_NullQuery"


# ---- search ------------------------------------------------------------------------------


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
    cached = snap.results.get(key) if key is not None else None
    if cached is not None:
        return replace(cached, took_ms=round((_time.perf_counter() - started) * 1000, 2))
    result = _search(archive, snap, request, started)
    if key is not None:
        snap.results.put(key, result)
    return result


def remember(archive: Archive, key: Hashable, compute: Callable[[], T]) -> T:
    """A value made from this commit's search results (a rendered page), kept beside them in the result cache.

    Like a cached result it is dropped with its snapshot, on a new commit or an entity-map or authority edit.
    compute() runs outside the archive's lock; with the cache off it runs every time.
    """
    with archive.read_lock:
        snap = archive.snapshot()
    hit = snap.results.get(key)
    if hit is None:
        hit = compute()
        snap.results.put(key, hit)
    return hit


def _cache_key(request: SearchRequest) -> SearchRequest | None:
    """The request itself (every field: query, filters, sort, page, options); None if it cannot be hashed."""
    try:
        hash(request)
    except TypeError:  # e.g. a list where a tuple belongs, from a caller outside the web layer
        return None
    return request


def _selection(
    archive: Archive, snap: Snapshot, request: SearchRequest, notes: list[str]
) -> tuple[ParsedQuery, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """What a request selects: its parsed query, the matches, each filter's mask, and the matches they keep."""
    parsed, _ = _spelled(archive, snap, request)
    notes.extend(parsed.notes)
    cols = snap.columns

    matched = _matched(snap, parsed)
    filters = _filter_masks(snap, request, notes)
    final = matched.copy()
    for m in filters.values():
        final &= m

    if not final.any() and not parsed.long and _widenable(parsed):
        widened = _widen(archive, snap, parsed.text)  # the cleaned text: a dropped "^3" stays dropped
        if widened is not None:
            w_matched = _matched(snap, widened)
            w_final = w_matched.copy()
            for m in filters.values():
                w_final &= m
            if w_final.any():
                parsed, matched, final = widened, w_matched, w_final
                notes.append("No article contains every word; showing articles with most of them.")

    if request.date_from or request.date_to:
        left_out = int((matched & ~cols.dated).sum())
        if left_out:
            notes.append(
                f"{left_out} undated article(s) matching the query are not shown: a date filter"
                " only keeps dated articles."
            )
    return parsed, matched, filters, final


def _spelled(archive: Archive, snap: Snapshot, request: SearchRequest) -> tuple[ParsedQuery, Checked | None]:
    """The query to search (with the words that matched nothing corrected, unless the request says not to),
    and its words checked; the notes are those of the query as typed."""
    parsed = _parse(archive, snap, request.q)
    checked = _check_spelling(snap, parsed.text) if request.q.strip() else None
    if checked is not None and checked.fixed and request.correct:
        return replace(_parse(archive, snap, checked.corrected), notes=parsed.notes), checked
    return parsed, checked


def _search(archive: Archive, snap: Snapshot, request: SearchRequest, started: float) -> SearchResult:
    notes: list[str] = []
    request = _sane(request, notes)
    cols = snap.columns
    parsed, matched, filters, final = _selection(archive, snap, request, notes)
    _, checked = _spelled(archive, snap, request)  # each step cached per commit
    correction = None
    if checked is not None and checked.fixed and request.correct:
        correction = Correction(request.q, checked.corrected, checked.fixed)

    collapse = _folds(request)
    facets = _facets(snap, request, matched, filters, collapse) if request.facets else Facets()
    total_articles = int(final.sum())
    stories = _group_count(cols, final)

    docs, scores, groups = _ordered(snap, parsed, request, final, collapse)
    total = groups if collapse else total_articles
    if request.facets:
        counted = facets.undated + sum(b.count for b in facets.dates)
        facets = replace(facets, overlap=max(0, counted - total))
    start = (request.page - 1) * request.per_page
    page_docs = docs[start : start + request.per_page]
    if request.sort != Sort.RELEVANCE or not request.q.strip():
        scores = (
            {d: float(parsed.scores[d]) for d in page_docs}
            if parsed.scores is not None and request.q.strip()
            else _scores_for(snap, parsed, page_docs)
        )
    group_sizes = np.bincount(cols.groups[final], minlength=cols.n_groups) if collapse else None
    terms = _match_terms(snap, parsed) if request.snippets else MatchTerms()
    hits = tuple(
        _hit(
            snap,
            d,
            scores.get(d, 0.0),
            terms if request.snippets else None,
            int(group_sizes[cols.groups[d]]) - 1 if group_sizes is not None else 0,
        )
        for d in page_docs
    )
    suggestion = None
    unmatched: tuple[str, ...] = ()
    if checked is not None:
        unmatched = checked.unmatched
        if checked.fixed and not request.correct:
            suggestion = checked.corrected
            typed = (*unmatched, *(t for t, _ in checked.fixed))
            unmatched = tuple(sorted(typed, key=request.q.find))  # in the order typed
        elif checked.suggestion:
            suggestion = checked.suggestion
        if unmatched:
            notes.append("No article contains " + " or ".join(f"“{w}”" for w in unmatched) + ".")
    elif request.q.strip() and parsed.words and not parsed.long:
        suggestion = _suggestion(snap, parsed.text or request.q, parsed.words)
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=facets,
        suggestion=suggestion,
        notes=tuple(notes),
        correction=correction,
        unmatched=unmatched,
        total_articles=total_articles,
        stories=stories,
        took_ms=round((_time.perf_counter() - started) * 1000, 2),
    )


def _suggestion(snap: Snapshot, text: str, words: list[str]) -> str | None:
    """Did-you-mean for a query text, worked out once per commit (it reads many term frequencies)."""
    key = ("suggest", text, tuple(words))
    if key in snap.masks:
        return snap.masks[key]
    try:
        found = suggest(snap.searcher.reader(), text, words)
    except Exception as exc:
        log.info("no suggestion for %r: %s", text, exc)
        return None
    if len(snap.masks) > 2048:
        snap.masks.clear()
    snap.masks[key] = found
    return found


def _speller(snap: Snapshot) -> Speller | None:
    """The commit's speller, made on first need (it reads the unstemmed lexicons); None for an older index."""
    if snap.speller is None:
        reader = snap.searcher.reader()
        vocabulary = Vocabulary.from_reader(reader)
        terms = snap.terms

        def df(word: str) -> int:
            return terms.df(stem_of(word))

        def docs(word: str) -> np.ndarray:
            stem = stem_of(word)
            ids = [terms.postings(f, stem)[0] for f in ("title", "body")]
            return np.union1d(ids[0], ids[1])

        snap.speller = Speller(vocabulary, df, docs, terms.count) if vocabulary else False
    return snap.speller or None


def _check_spelling(snap: Snapshot, text: str) -> Checked | None:
    """The query's words checked against the archive's: corrections, a suggestion, words that match nothing."""
    speller = _speller(snap)
    if speller is None:
        return None
    reader = snap.searcher.reader()

    def exact_df(word: str) -> int:
        return sum(reader.doc_frequency(f, word) for f in EXACT_FIELDS.values())

    try:
        return check(speller, text, exact_df)
    except Exception as exc:  # a nicety: never fail a search over it
        log.warning("spelling check of %r failed: %s", text, exc)
        return None


def _sane(request: SearchRequest, notes: list[str]) -> SearchRequest:
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


def _parse(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery:
    """Parse q, reusing the parse of the same text on this commit (Whoosh's parser costs milliseconds)."""
    key = ("parsed", q or "")
    hit = snap.masks.get(key)
    if hit is None:
        hit = _parse_fresh(archive, snap, q)
        if len(snap.masks) > 2048:
            snap.masks.clear()
        snap.masks[key] = hit
    return replace(hit, notes=list(hit.notes), scores=None)


def _parse_fresh(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery:
    lexicon, expand = _parse_helpers(archive, snap)
    parsed = parse(q or "", snap.searcher.schema, _analyzer, lexicon, expand)
    if "source:" in parsed.text:
        parsed.query = _sources_any_case(snap, parsed.query)
        parsed.must = [_sources_any_case(snap, c) for c in parsed.must]
    return parsed


def _parse_helpers(archive: Archive, snap: Snapshot) -> tuple[Callable, Callable]:
    """What parsing asks of the index: whether it holds a word, and the bounded expansions of a pattern."""
    reader = snap.searcher.reader()

    def lexicon(field: str, term: str) -> bool:
        return reader.doc_frequency(field, term) > 0

    def expand(node: wq.Query, limit: int) -> Expansion | None:
        key = ("vocabulary", node.fieldname)
        vocab = snap.masks.get(key)
        if vocab is None:
            vocab = snap.masks[key] = vocabulary(reader, node.fieldname, archive.vocab_cache)
        return expand_node(vocab, node, limit)

    return lexicon, expand


def _sources_any_case(snap: Snapshot, q: wq.Query) -> wq.Query:
    """source:reuters finds "Reuters": sources are exact values, matched here without regard to case."""
    values = snap.columns.keywords["source"].values

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "source":
            wanted = str(node.text).lower()
            same = [v for v in values if v.lower() == wanted]
            if same and same != [node.text]:
                return wq.Or([wq.Term("source", v, boost=node.boost) for v in same])
            return node
        return node if node.is_leaf() else node.apply(fix)

    try:
        return fix(q)
    except Exception as exc:
        log.debug("source case folding failed for %r: %s", q, exc)
        return q


def _widenable(parsed: ParsedQuery) -> bool:
    return len(parsed.words) >= 2 and not any(op in parsed.text for op in (" OR ", " NOT ", '"', ":", "("))


def _widen(archive: Archive, snap: Snapshot, q: str) -> ParsedQuery | None:
    """The same words with a minimum-should-match of all but one."""
    from search.query.parse import _long_query, make_parser, tidy

    try:
        or_query = make_parser(snap.searcher.schema, long=True).parse(q)
        or_query = tidy(or_query, snap.searcher.schema, *_parse_helpers(archive, snap))
    except Exception:
        return None
    parsed = _long_query(or_query, q, [], [])
    if len(parsed.should) < 2:
        return None
    parsed.min_should = len(parsed.should) - 1
    parsed.words = []
    return parsed


def _ids(snap: Snapshot, q: wq.Query) -> np.ndarray:
    return np.fromiter(snap.searcher.docs_for_query(q), dtype=np.int64)


def _matched(snap: Snapshot, parsed: ParsedQuery) -> np.ndarray:
    cols = snap.columns
    if _null(parsed.query):
        return np.zeros(cols.size, dtype=bool)
    if isinstance(parsed.query, wq.Every) and not parsed.text:
        return cols.live.copy()
    if parsed.bag_of_words:
        weights = parsed.should_weights or [1.0] * len(parsed.should_terms)
        scores, counts = bm25.score(snap.terms, list(zip(parsed.should_terms, weights, strict=True)))
        parsed.scores = scores
        mask = (counts >= max(1, parsed.min_should)) & cols.live
        if parsed.nots:
            mask &= ~_mask_of(snap, wq.Or(parsed.nots))
        return mask
    fast = vector_match.evaluate(snap.searcher, snap.terms, parsed.query, _match_cache(snap))
    if fast is not None:  # terms, phrases, AND/OR over numpy postings, scored as Whoosh scores them
        mask = fast[0] & cols.live
        parsed.scores = np.where(mask, fast[1], 0.0).astype(np.float32)
        return _min_should(snap, parsed, mask)
    mask = np.zeros(cols.size, dtype=bool)
    try:  # one scored pass over every match: the matched set and the ranking together
        results = snap.searcher.search(parsed.query, limit=None, terms=False)
        pairs = np.array(results.top_n, dtype=np.float64).reshape(-1, 2)
    except Exception as exc:  # e.g. an expansion too large for memory; report nothing rather than fail
        log.warning("query %r failed: %s", parsed.query, exc)
        return mask
    docs = pairs[:, 1].astype(np.int64)
    mask[docs] = True
    scores = np.zeros(cols.size, dtype=np.float32)
    scores[docs] = pairs[:, 0]
    parsed.scores = scores
    return _min_should(snap, parsed, mask & cols.live)


def _min_should(snap: Snapshot, parsed: ParsedQuery, mask: np.ndarray) -> np.ndarray:
    """Keep the documents holding at least min_should of a long query's optional clauses."""
    if parsed.min_should > 1 and len(parsed.should) > 1:
        counts = np.zeros(snap.columns.size, dtype=np.int32)
        for clause in parsed.should:
            counts += _mask_of(snap, clause)
        mask &= counts >= parsed.min_should
    return mask


def _mask_of(snap: Snapshot, q: wq.Query) -> np.ndarray:
    """The documents a query matches (deleted ones included), by numpy postings where possible."""
    fast = vector_match.evaluate(snap.searcher, snap.terms, q, _match_cache(snap))
    if fast is not None:
        return fast[0]
    mask = np.zeros(snap.columns.size, dtype=bool)
    mask[_ids(snap, q)] = True
    return mask


def _match_cache(snap: Snapshot) -> dict:
    """Phrase matches and terms' BM25F figures kept per commit (bounded; each entry is small)."""
    cache = snap.masks.get("matching")
    if cache is None or len(cache) > 4096:
        cache = snap.masks["matching"] = {}
    return cache


def _filter_masks(snap: Snapshot, request: SearchRequest, notes: list[str]) -> dict[str, np.ndarray]:
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
            out[fname] = _values_mask(snap, fname, selected)
    if request.excluded:
        left_out = np.zeros(cols.size, dtype=bool)
        for fname in FACET_FIELDS:
            values = tuple(v for f, v in request.excluded if f == fname)
            if values:
                left_out |= _values_mask(snap, fname, values)
        out["excluded"] = ~left_out
    if request.cluster is not None:
        number = cols.cluster_number(request.cluster)
        mask = np.zeros(cols.size, dtype=bool)
        if number is not None:
            mask = cols.clusters == number
        else:  # a singleton's "cluster" is its own id
            d = _docnum(snap, request.cluster)
            if d is not None:
                mask[d] = True
            else:
                notes.append(f"No near-duplicate cluster “{request.cluster}”.")
        out["cluster"] = mask
    return out


def _values_mask(snap: Snapshot, fname: str, values: tuple[str, ...]) -> np.ndarray:
    """Documents holding any of a facet's values (kept per commit: the same filters recur page after page)."""
    cols = snap.columns
    key = (fname, tuple(sorted(values)))
    cached = snap.masks.get(key)
    if cached is not None:
        return cached
    if fname == "sources":  # source:reuters finds "Reuters": sources match without regard to case
        col = cols.keywords["source"]
        wanted = {s.lower() for s in values}
        mask = col.docs_with({v for v in col.values if v.lower() in wanted}, cols.size)
    elif fname == "authors":
        mask = cols.keywords["author"].docs_with(set(values), cols.size)
    else:
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
        for column_field in ENTITY_FILTERS:
            wanted = {v for f, v in pairs if f == column_field}
            if wanted:
                mask |= cols.keywords[column_field].docs_with(wanted, cols.size)
    if len(snap.masks) > 512:
        snap.masks.clear()
    snap.masks[key] = mask
    return mask


def _facet_mask(matched: np.ndarray, filters: dict[str, np.ndarray], own: str) -> np.ndarray:
    """The results as a facet counts them: every filter but its own (OR within a facet, AND across)."""
    mask = matched.copy()
    for key, m in filters.items():
        if key != own:
            mask &= m
    return mask


def _folds(request: SearchRequest) -> bool:
    """Whether a request's results fold near-duplicates into stories (and so count stories everywhere)."""
    return request.collapse and request.cluster is None


def _facets(snap: Snapshot, request: SearchRequest, matched: np.ndarray, filters: dict, stories: bool) -> Facets:
    """Counts over the whole result set; each facet ignores its own filter (OR within, AND across).

    stories: count near-duplicate stories as the folded results do (a story once per value or bucket that any
    of its matching articles has), so that a value or bar counted N gives N results when clicked.
    """
    cols = snap.columns
    result = {}
    distinct = []
    for fname in FACET_FIELDS:
        fac = snap.facetable[FACETABLE[fname]]
        counts = name_counts(fac, cols, _facet_mask(matched, filters, fname), stories)
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
        precision=precision_facet(cols, _facet_mask(matched, filters, "precision"), request.precision, stories),
        distinct=tuple(distinct),
        counted="stories" if stories else "articles",
    )


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
    request = _sane(request, notes)
    _, matched, filters, _ = _selection(archive, snap, request, notes)  # the same articles as the results page
    fac = snap.facetable[FACETABLE[field]]
    counts = name_counts(fac, snap.columns, _facet_mask(matched, filters, field), _folds(request))
    excluded = tuple(v for f, v in request.excluded if f == field)
    page = max(1, min(page, MAX_PAGE))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    values, total = facet_page(counts, fac, contains, order, page, per_page, getattr(request, field), excluded)
    order = "name" if order == "name" else "count"
    counted = "stories" if _folds(request) else "articles"
    return FacetPage(field, values, total, page, per_page, contains, order, counted)


def _ordered(
    snap: Snapshot, parsed: ParsedQuery, request: SearchRequest, final: np.ndarray, collapse: bool
) -> tuple[list[int], dict[int, float], int]:
    """Docnums in result order (collapsed when asked) far enough for the page, scores, and group count."""
    cols = snap.columns
    need = request.page * request.per_page
    groups = _group_count(cols, final) if collapse else int(final.sum())
    if request.sort == Sort.RELEVANCE and request.q.strip() and not _null(parsed.query):
        return (*_by_relevance(snap, parsed, final, need, collapse), groups)
    docs = np.flatnonzero(final)
    days = cols.days[docs].astype(np.int64)
    key = np.where(days == UNDATED, 2**40, -days if request.sort != Sort.OLDEST else days)
    # undated last, then by date, then index order
    return _first_ranked(docs, key, need, cols.groups if collapse else None).tolist(), {}, groups


def _group_count(cols: Columns, final: np.ndarray) -> int:
    """How many near-duplicate groups the documents in final fall into."""
    return int(np.count_nonzero(np.bincount(cols.groups[final], minlength=cols.n_groups)))


def _first_ranked(docs: np.ndarray, key: np.ndarray, need: int, groups: np.ndarray | None) -> np.ndarray:
    """The first `need` docs by (key, docnum), one per group when groups are given, without sorting them all."""
    n = docs.size
    k = min(n, need if groups is None else need * 2 + 32)
    while True:
        if k >= n:
            sel, sel_key = docs, key
        else:  # the k smallest keys, and every document tied with the largest of them
            cut = key[np.argpartition(key, k - 1)[k - 1]]
            keep = key <= cut
            sel, sel_key = docs[keep], key[keep]
        order = sel[np.lexsort((sel, sel_key))]
        if groups is None:
            return order[:need]
        # The leaders of the groups seen in this prefix are the first leaders of the whole order.
        _, first = np.unique(groups[order], return_index=True)
        leaders = order[np.sort(first)]
        if leaders.size >= need or sel.size >= n:
            return leaders[:need]
        k = min(n, k * 4)


def _by_relevance(
    snap: Snapshot, parsed: ParsedQuery, final: np.ndarray, need: int, collapse: bool
) -> tuple[list[int], dict[int, float]]:
    if parsed.scores is not None:
        return _by_array(snap, parsed, final, need, collapse)
    searcher = snap.searcher
    allowed = set(np.flatnonzero(final).tolist())
    query = parsed.query
    if parsed.long and ranking.PRF_DOCS and ranking.PRF_TERMS:
        query = _feedback(snap, parsed, allowed)
    total = len(allowed)
    limit = need * 2 + 10 if collapse else need
    while True:
        results = searcher.search(query, limit=min(limit, max(total, 1)), filter=allowed, terms=False)
        top = [(d, s) for s, d in ((-neg, doc) for neg, doc in _top(results))]
        if not collapse:
            return [d for d, _ in top], dict(top)
        seen: set[int] = set()
        docs = []
        for d, _ in top:
            c = int(snap.columns.clusters[d])
            if c not in seen:
                seen.add(c)
                docs.append(d)
        if len(docs) >= need or len(top) >= total:
            return docs[:need], dict(top)
        limit *= 4


def _by_array(
    snap: Snapshot, parsed: ParsedQuery, final: np.ndarray, need: int, collapse: bool
) -> tuple[list[int], dict[int, float]]:
    """Order by the vectorised BM25F scores, with pseudo-relevance feedback, then collapse."""
    scores = np.where(final, parsed.scores, -np.inf).astype(np.float32)
    if parsed.long and ranking.PRF_DOCS and ranking.PRF_TERMS and ranking.PRF_WEIGHT:
        top = _top_docs(scores, final, ranking.PRF_DOCS)
        if top:  # only documents that score close to the best: fewer, surer feedback documents
            floor = ranking.PRF_MIN_SHARE * float(scores[top[0]])
            top = [d for d in top if float(scores[d]) >= floor]
        extra = _feedback_terms(snap, top, [float(scores[d]) for d in top])
        if extra:
            more, _ = bm25.score(snap.terms, extra)
            scores = np.where(final, scores + ranking.PRF_WEIGHT * more, -np.inf)
    if parsed.long and ranking.PROXIMITY_WEIGHT and ranking.PROXIMITY_DOCS:
        scores = _proximity(snap, parsed, scores, final)
    docs = np.flatnonzero(final)
    top = _first_ranked(docs, -scores[docs], need, snap.columns.groups if collapse else None).tolist()
    return top, {d: float(scores[d]) for d in top}


def _proximity(snap: Snapshot, parsed: ParsedQuery, scores: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Re-rank the top documents: a bonus for query words that stand close together (BM25TP-style)."""
    top = _top_docs(scores, final, ranking.PROXIMITY_DOCS)
    wanted = set(parsed.should_terms)
    window = ranking.PROXIMITY_WINDOW
    out = scores.copy()
    for docnum in top:
        fields = snap.searcher.stored_fields(docnum)
        text = (fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS]
        hits = [(i, t) for i, t in enumerate(analyse_terms(text)) if t in wanted]
        bonus = 0.0
        for a in range(len(hits)):
            pa, ta = hits[a]
            for b in range(a + 1, len(hits)):
                pb, tb = hits[b]
                gap = pb - pa
                if gap > window:
                    break
                if ta != tb:
                    bonus += 1.0 / (gap * gap)
        out[docnum] += ranking.PROXIMITY_WEIGHT * math.log1p(bonus)
    return out


def _top_docs(scores: np.ndarray, final: np.ndarray, n: int) -> list[int]:
    docs = np.flatnonzero(final)
    if not docs.size:
        return []
    k = min(n, docs.size)
    part = docs[np.argpartition(-scores[docs], k - 1)[:k]]
    return part[np.argsort(-scores[part], kind="stable")].tolist()


def _feedback_terms(snap: Snapshot, docs: list[int], doc_scores: list[float]) -> list[tuple[str, float]]:
    """Feedback terms (RM3 by default, Bo1 if ranking.PRF_MODEL says so) from the text of the top documents."""
    searcher = snap.searcher
    texts = []
    for docnum in docs:
        fields = searcher.stored_fields(docnum)
        texts.append((fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS])
    if not texts:
        return []
    if ranking.PRF_MODEL == "rm3":
        return bm25.rm3_terms(snap.terms, texts, doc_scores, analyse_terms, ranking.PRF_TERMS)
    return bm25.bo1_terms(snap.terms, texts, analyse_terms, ranking.PRF_TERMS)


def _top(results) -> list[tuple[float, int]]:
    return [(-score, docnum) for score, docnum in results.top_n]


def _feedback(snap: Snapshot, parsed: ParsedQuery, allowed: set[int]) -> wq.Query:
    """Pseudo-relevance feedback: Bo1 expansion terms from the top documents, as optional clauses."""
    searcher = snap.searcher
    try:
        first = searcher.search(parsed.query, limit=ranking.PRF_DOCS, filter=allowed, terms=False)
        texts = []
        for _, docnum in first.top_n:
            fields = searcher.stored_fields(docnum)
            texts.append((fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS])
        if not texts:
            return parsed.query
        terms = searcher.key_terms_from_text("body", "\n".join(texts), numterms=ranking.PRF_TERMS, model=Bo1Model)
        return ranking.expand(parsed.query, terms)
    except Exception as exc:
        log.info("no feedback for %r: %s", parsed.text, exc)
        return parsed.query


def _scores_for(snap: Snapshot, parsed: ParsedQuery, docs: list[int]) -> dict[int, float]:
    if not docs or _null(parsed.query) or not parsed.text:
        return {}
    results = snap.searcher.search(parsed.query, limit=len(docs), filter=set(docs), terms=False)
    return {d: s for s, d in results.top_n}


def _match_terms(snap: Snapshot, parsed: ParsedQuery) -> MatchTerms:
    """The analysed terms a hit can contain: leaves of the query outside NOT, wildcards expanded."""
    stems: set[str] = set()
    names: set[str] = set()
    exact: set[str] = set()
    reader = snap.searcher.reader()

    def walk(q: wq.Query) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            walk(q.a)
            return
        if q.is_leaf():
            field = getattr(q, "fieldname", None)
            if field is None:
                return
            target = (
                stems
                if field in DEFAULT_FIELDS
                else exact
                if field in _EXACT
                else names
                if field.endswith("_words")
                else None
            )
            if target is None:
                return
            if isinstance(q, wq.Phrase):
                target.update(q.words)
            elif isinstance(q, wq.Term) and not isinstance(q, wq.MultiTerm):
                target.add(str(q.text))
            else:
                try:
                    for i, (_, text) in enumerate(q.existing_terms(reader, expand=True)):
                        target.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
                        if i > 500:
                            break
                except Exception as exc:
                    log.debug("cannot expand %r: %s", q, exc)
            return
        for sub in q.children():
            walk(sub)

    if not _null(parsed.query):
        walk(parsed.query)
    return MatchTerms(frozenset(stems), frozenset(names), frozenset(exact))


# ---- hits and documents --------------------------------------------------------------------


def _docnum(snap: Snapshot, doc_id: str) -> int | None:
    try:
        return snap.searcher.document_number(id=doc_id)
    except Exception:
        return None


def _entities(snap: Snapshot, fields: dict) -> dict[str, tuple[str, ...]]:
    """The document's canonical values per facet (people, organizations, places; hidden ones dropped).

    One pass over the stored values: an archivist's retype may move a value to another facet.
    """
    out: dict[str, list[str]] = {fname: [] for fname in ENTITY_FILTERS}
    names = snap.entity_names
    for column_field in ENTITY_FILTERS:
        raw = fields.get(column_field) or ""
        values = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        for v in values:
            v = v.strip()
            if not v:
                continue
            target = out.get(names.field_of(column_field, v))
            if target is None:
                continue
            canon = names.canonical(column_field, v)
            if canon and canon not in target:
                target.append(canon)
    return {fname: tuple(vals) for fname, vals in out.items()}


def _cluster_name(snap: Snapshot, docnum: int, fields: dict) -> str:
    return str(fields.get("cluster") or "")


def _hit(snap: Snapshot, docnum: int, score: float, terms: MatchTerms | None, similar: int) -> Hit:
    fields = snap.searcher.stored_fields(docnum)
    body = fields.get("body") or ""
    text, at = snippet_at(body, terms) if terms is not None else ("", 0)
    return Hit(
        **_metadata(snap, docnum, fields),
        snippet=text,
        score=round(float(score), 4),
        similar=max(0, similar),
        on_page=page_at(body, at) if PAGE_BREAK in body else None,
        origin=str(fields.get("origin") or ""),
    )


def _metadata(snap: Snapshot, docnum: int, fields: dict) -> dict:
    """What a hit and a document view both show of an article: ids, dates, bylines, entities, cluster."""
    return {
        "id": str(fields.get("id", "")),
        "title": str(fields.get("title") or ""),
        "date": _date_text(snap, docnum, fields),
        "author": str(fields.get("author") or ""),
        "source": str(fields.get("source") or ""),
        "url": str(fields.get("url") or ""),
        **_entities(snap, fields),
        "cluster": _cluster_name(snap, docnum, fields),
        "dateline": str(fields.get("dateline") or ""),
    }


def _date_text(snap: Snapshot, docnum: int, fields: dict) -> str | None:
    text = fields.get("date_text")
    if text:
        return str(text)
    day = int(snap.columns.days[docnum])
    return None if day == UNDATED else datetime.fromordinal(day).date().isoformat()


@_serialised
def document(archive: Archive, doc_id: str, q: str | None = None) -> DocumentView | None:
    """One whole article; with q, every hit marked <mark id="hit-N"> so the page can step between them."""
    snap = archive.snapshot()
    docnum = _docnum(snap, doc_id)
    if docnum is None:
        return None
    fields = snap.searcher.stored_fields(docnum)
    terms = _match_terms(snap, _parse(archive, snap, q)) if q and q.strip() else MatchTerms()
    body_html, hits = highlight_document(fields.get("body") or "", terms)
    body_html, pages = mark_pages(body_html)
    return DocumentView(
        **_metadata(snap, docnum, fields),
        body_html=body_html,
        hits=hits,
        pages=pages,
        origin=str(fields.get("origin") or ""),
    )


EXPORT_BATCH = 200  # articles read under the archive's lock at a time while an export streams


def export(archive: Archive, request: SearchRequest, limit: int = 0, text: bool = False) -> Export:
    """The rows a search gives, in its order, the first `limit` (0: all): one per story when the request folds
    near-duplicates (as its results page does), else every article, each version its own row.

    The matches are computed once, on one commit; the rows are read lazily in batches (each under the archive's
    lock), so a caller can stream any number of them. With text, each row holds the article's whole body.
    """
    notes: list[str] = []
    with archive.read_lock:
        snap = archive.snapshot()
        request = _sane(replace(request, page=1, facets=False), notes)
        folded = _folds(request)
        parsed, _, _, final = _selection(archive, snap, request, notes)
        articles = int(final.sum())
        stories = _group_count(snap.columns, final)
        total = stories if folded else articles
        count = total if limit <= 0 else min(total, limit)
        docs, scores, _ = _ordered(snap, parsed, replace(request, per_page=max(count, 1)), final, folded)
        docs = docs[:count]
        if (request.sort != Sort.RELEVANCE or not request.q.strip()) and parsed.scores is not None:
            scores = {d: float(parsed.scores[d]) for d in docs} if request.q.strip() else {}
        terms = _match_terms(snap, parsed) if request.snippets and request.q.strip() else None

    def rows() -> Iterator[ExportRow]:
        for start in range(0, len(docs), EXPORT_BATCH):
            with archive.read_lock:
                batch = [
                    _export_row(snap, d, scores.get(d, 0.0), terms, text) for d in docs[start : start + EXPORT_BATCH]
                ]
            yield from batch

    return Export(request, total, len(docs), limit, tuple(notes), rows(), articles, stories, folded)


def _export_row(snap: Snapshot, docnum: int, score: float, terms: MatchTerms | None, text: bool) -> ExportRow:
    hit = _hit(snap, docnum, score, terms, 0)
    body = str(snap.searcher.stored_fields(docnum).get("body") or "") if text else ""
    return ExportRow(hit, body)


RELATED_TERMS = 15


@_serialised
def related(archive: Archive, doc_id: str, limit: int = 5) -> list[Hit]:
    """More like this: articles sharing the document's most telling words, one per near-duplicate cluster."""
    snap = archive.snapshot()
    docnum = _docnum(snap, doc_id)
    if docnum is None or limit < 1:
        return []
    fields = snap.searcher.stored_fields(docnum)
    text = (fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS]
    terms = bm25.bo1_terms(snap.terms, [text], analyse_terms, RELATED_TERMS)
    if not terms:
        return []
    scores, _ = bm25.score(snap.terms, terms)
    cols = snap.columns
    candidates = (scores > 0) & cols.live & (cols.clusters != cols.clusters[docnum])
    order = _top_docs(scores, candidates, limit * 4 + 10)
    seen: set[int] = set()
    out = []
    for d in order:
        c = int(cols.clusters[d])
        if c in seen:
            continue
        seen.add(c)
        out.append(_hit(snap, d, float(scores[d]), None, 0))
        if len(out) >= limit:
            break
    return out


@_serialised
def similar(archive: Archive, doc_id: str) -> list[Hit]:
    """The other members of a document's near-duplicate cluster, newest first."""
    snap = archive.snapshot()
    docnum = _docnum(snap, doc_id)
    if docnum is None:
        return []
    cols = snap.columns
    own = int(cols.clusters[docnum])
    members = np.flatnonzero((cols.clusters == own) & cols.live)
    members = members[members != docnum]
    days = cols.days[members].astype(np.int64)
    order = members[np.lexsort((members, -days, days == UNDATED))]
    return [_hit(snap, int(d), 0.0, None, 0) for d in order]


@_serialised
def stats(archive: Archive) -> ArchiveStats:
    """Counts, date span, top entities per type, size on disk and time of the last commit.

    Made once per snapshot (a commit, or an edit of the entity names): /healthz and the about page ask often.
    """
    snap = archive.snapshot()
    if snap.stats is None:
        snap.stats = _stats(archive, snap)
    return snap.stats


def _stats(archive: Archive, snap: Snapshot) -> ArchiveStats:
    cols = snap.columns
    live = cols.live
    dated = live & cols.dated
    days = cols.days[dated]
    tops = {}
    for fname in ENTITY_FILTERS:
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


def entities_json(fields: dict) -> dict:
    """The stored entity details of a document ({} when absent or unreadable)."""
    try:
        return json.loads(fields.get("entities_json") or "{}")
    except (TypeError, ValueError):
        return {}
