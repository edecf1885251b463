"""Shape a SearchResult for the pages: facet links, chips, histogram bars, pages (templates only render)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import url_for

from search.documents import ENTITY_KINDS, EntityKind
from search.query.types import DateBucket, Hit, SearchRequest, SearchResult
from search.web.params import (
    FACET_PARAMS,
    FIELD_PARAMS,
    PARAM_FIELDS,
    PRECISION_PARAM,
    URL_FOR_SAFE,
    encode_params,
    excluding,
    field_params,
    to_params,
    toggled,
)
from search.web.settings import Settings

FACET_LABELS = {**{kind.field: kind.label for kind in ENTITY_KINDS}, "sources": "Sources", "authors": "Authors"}
KIND_NAMES = {**{kind.field: kind.title for kind in ENTITY_KINDS}, "sources": "Source", "authors": "Author"}
# What one value of a facet is called in a sentence ("Find a person", "All 28 people").
VALUE_NOUNS = {
    **{kind.field: kind.noun for kind in ENTITY_KINDS},
    "sources": ("source", "sources"),
    "authors": ("author", "authors"),
}
PRECISION_LABELS = {"day": "Exact day", "month": "Month only", "year": "Year only", "undated": "Undated"}


def search_url(
    endpoint: str,
    req: SearchRequest,
    settings: Settings,
    *,
    base: str | None = None,
    changes: Mapping[str, Any] | None = None,
    **kw: object,
) -> str:
    """The URL of a search page (or feed, export, API) that reproduces a request (with changes, if given).

    base: url_for(endpoint, **kw) when the caller already has it (a page builds a hundred links).
    """
    params = to_params(req, per_page=settings.per_page, changes=changes)
    if base is None:
        base = url_for(endpoint, **kw)  # type: ignore[arg-type]
    return f"{base}?{encode_params(params)}" if params else base


# What Werkzeug leaves unquoted in a <path:...> part (url_for's encoding; tested equal).
_PATH_SAFE = "!$&'()*+,/:;=@"
_SHOWN_PER_KIND = 6  # a hit shows at most this many names of each kind
BAR_STEP = 26  # a histogram bar's width and the gap after it, in pixels: bars are at least 24 px targets


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    count: int = 0
    selected: bool = False
    kind: str = ""


@dataclass(frozen=True)
class EntityLink:
    """A name a hit mentions, linking to the search filtered by it."""

    kind: EntityKind
    label: str
    href: str


@dataclass(frozen=True)
class FacetGroup:
    field: str
    param: str
    label: str
    values: tuple[Link, ...]
    more: int = 0  # values among these results beyond those listed
    more_href: str = ""  # the facet's own page: every value, searchable, A to Z or by count
    noun: tuple[str, str] = ("value", "values")

    @property
    def any_of(self) -> bool:
        """Several values of one facet are ticked: an article needs only one of them."""
        return sum(1 for v in self.values if v.selected) > 1


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    href: str | None


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    bars: tuple[Bar, ...]
    first: str
    last: str
    unit: str


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    prev: str | None
    next: str | None
    numbers: tuple[tuple[int, str | None], ...]  # (page, href) with href None for the gap marker


class Presenter:
    """Builds links for one request on one endpoint (the search page or the embed page)."""

    def __init__(self, endpoint: str, req: SearchRequest, settings: Settings) -> None:
        self.endpoint = endpoint
        self.req = req
        self.settings = settings
        self._base = url_for(endpoint)
        # The document page's URL is the same for every hit up to the id: made once, the id quoted per hit.
        self._doc_base = url_for("pages.document_page", doc_id="-")[:-1]
        # The whole search rides along, so the document page's way back restores it (query, filters, sort, page).
        state = encode_params(to_params(req, per_page=settings.per_page), safe=URL_FOR_SAFE)
        self._doc_query = f"?{state}" if state else ""
        self._links: dict[tuple[str, str], str] = {}  # toggle links, by (facet, value)
        self._entities: dict[tuple[EntityKind, str], EntityLink] = {}  # names recur across the hits of a page
        self._pieces = {field: self._piece(field, getattr(req, field)) for field in PARAM_FIELDS}
        self._around: dict[str, tuple[str, str, str]] = {}  # per facet: its piece and those before and after

    def url(self, req: SearchRequest) -> str:
        return search_url(self.endpoint, req, self.settings, base=self._base)

    def url_with(self, **changes: Any) -> str:
        """The URL of this request with some fields changed (as dataclasses.replace would change them).

        The same URL as search_url() of the changed request: each parameter's encoded piece is made once per
        page and only the changed ones again (a page has about a hundred such links).
        """
        pieces = self._pieces
        parts = [self._piece(f, changes[f]) if f in changes else pieces[f] for f in PARAM_FIELDS]
        query = "&".join(p for p in parts if p)
        return f"{self._base}?{query}" if query else self._base

    def _piece(self, field: str, value: Any) -> str:
        """One field's part of the query string, as search_url() writes it ('' when left out)."""
        return encode_params(field_params(field, value, self.settings.per_page))

    def toggle_link(self, field: str, value: str) -> str:
        """A link that adds a facet value to the filters, or removes it when selected (back on page 1)."""
        key = (field, value)
        link = self._links.get(key)
        if link is None:  # the same name recurs on many hits of a page
            if value in getattr(self.req, field):
                link = self.url_with(**{field: toggled(self.req, field, value)}, page=1)
            else:
                link = self._with_added(field, value)
            self._links[key] = link
        return link

    def _with_added(self, field: str, value: str) -> str:
        """url_with() adding one value to a facet on page 1: only that field's piece changes, so join three."""
        around = self._around.get(field)
        if around is None:
            pieces = [self._pieces[f] if f != "page" else "" for f in PARAM_FIELDS]
            i = PARAM_FIELDS.index(field)
            before, after = "&".join(p for p in pieces[:i] if p), "&".join(p for p in pieces[i + 1 :] if p)
            around = self._around[field] = (before, self._pieces[field], after)
        before, own, after = around
        query = "&".join(filter(None, (before, own, self._piece(field, (value,)), after)))
        return f"{self._base}?{query}"

    def document_link(self, doc_id: str) -> str:
        """A hit's link to its document page, carrying the query: url_for's URL without a url_for per hit."""
        return f"{self._doc_base}{quote(doc_id, safe=_PATH_SAFE)}{self._doc_query}"

    def entity_links(self, hit: Hit) -> list[EntityLink]:
        """The names a hit mentions (the first few of each kind), each linking to that filter."""
        found, link = self._entities, self._entity_link
        return [
            found.get((kind, name)) or link(kind, name)
            for kind in ENTITY_KINDS
            for name in getattr(hit, kind.field)[:_SHOWN_PER_KIND]
        ]

    def _entity_link(self, kind: EntityKind, name: str) -> EntityLink:
        item = self._entities[(kind, name)] = EntityLink(kind, name, self.entity_link(kind.field, name))
        return item

    def facet_groups(self, result: SearchResult) -> tuple[FacetGroup, ...]:
        groups = []
        for field in FACET_LABELS:
            chosen = getattr(self.req, field)
            facet = getattr(result.facets, field)
            values = [Link(v.value, "", v.count, v.selected or v.value in chosen) for v in facet if not v.excluded]
            shown = {v.label for v in values}
            # A selected value always shows, even when the core left it out of the top values.
            values += [Link(v, "", 0, True) for v in chosen if v not in shown]
            more_href = self.facet_page_link(field) if values else ""
            groups.append(facet_group(field, values, result.facets.more(field), more_href))
        return tuple(groups)

    def facet_page_link(self, field: str, **extra: str) -> str:
        """The page of every value of one facet within this search (its filters and query kept)."""
        params = to_params(self.req, page=False, per_page=self.settings.per_page)
        params += [(k, v) for k, v in extra.items() if v]
        base = url_for("pages.facet_page", field=field)
        return f"{base}?{encode_params(params)}" if params else base

    def hidden_state(self, omit: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
        """This search's parameters as a form's hidden fields, but those the form itself holds as inputs.

        omit: the parameter names the form has inputs for; by default the facet values and date precisions
        (which the facet form holds as check boxes).
        """
        own = set((*FACET_PARAMS, PRECISION_PARAM) if omit is None else omit)
        params = to_params(self.req, page=False, per_page=self.settings.per_page)
        return tuple((k, v) for k, v in params if k not in own)

    def precision_items(self, result: SearchResult) -> tuple[Link, ...]:
        """The date facet's precisions with their counts (a value with no articles and not ticked is left out)."""
        chosen = self.req.precision
        return tuple(
            Link(PRECISION_LABELS[v.value], v.value, v.count, v.value in chosen)
            for v in result.facets.precision
            if v.count or v.value in chosen
        )

    def entity_link(self, field: str, value: str) -> str:
        """A link that adds one entity to the current filters."""
        if value in getattr(self.req, field):
            return self.url_with(page=1)
        return self.toggle_link(field, value)

    def chips(self) -> tuple[Link, ...]:
        """The active filters, each with a link that removes it; several values of one facet say "any of"."""
        req = self.req
        chips = []
        if req.date_from or req.date_to:
            span = f"{req.date_from or '…'} to {req.date_to or '…'}"
            chips.append(Link(span, self.url_with(date_from=None, date_to=None, page=1), kind="Dates"))
        if req.precision:
            for value in req.precision:
                rest = tuple(p for p in req.precision if p != value)
                kind = "Dates, any of" if len(req.precision) > 1 else "Dates"
                chips.append(Link(PRECISION_LABELS[value].lower(), self.url_with(precision=rest, page=1), kind=kind))
        for field, kind in KIND_NAMES.items():
            values = getattr(req, field)
            for value in values:
                chips.append(
                    Link(value, self.toggle_link(field, value), kind=f"{kind}, any of" if len(values) > 1 else kind)
                )
        for field, value in req.excluded:
            href = self.url_with(excluded=excluding(req, field, value), page=1)
            chips.append(Link(value, href, kind=f"Not {KIND_NAMES[field].lower()}", selected=False))
        if req.cluster:
            chips.append(Link("one story's versions", self.url_with(cluster=None, page=1), kind="Similar"))
        return tuple(chips)

    def clear_all(self) -> str:
        return self.url(SearchRequest(q=self.req.q, sort=self.req.sort, per_page=self.req.per_page))

    def histogram(self, result: SearchResult, width: int = 260, height: int = 64) -> Histogram | None:
        """Bars drawn one user unit to a pixel, each at least 24 px wide (a target a finger or a tremor can hit):
        more buckets than fit make the chart wider, and its box scrolls sideways."""
        buckets = result.facets.dates
        if not buckets:
            return None
        peak = max(b.count for b in buckets) or 1
        width = max(width, BAR_STEP * len(buckets))
        step = width / len(buckets)
        gap = 2.0
        bars = []
        for i, b in enumerate(buckets):
            h = 0.0 if b.count == 0 else max(2.0, (height - 2) * b.count / peak)
            href = self.url_with(date_from=b.start, date_to=b.end, page=1) if b.count else None
            bars.append(
                Bar(
                    x=round(i * step, 2),
                    y=round(height - h, 2),
                    width=round(max(step - gap, 1.0), 2),
                    height=round(h, 2),
                    label=bucket_label(b, result.facets.date_unit),
                    count=b.count,
                    href=href,
                )
            )
        unit = result.facets.date_unit or "period"
        return Histogram(width, height, tuple(bars), bars[0].label, bars[-1].label, unit)

    def pager(self, total: int) -> Pager | None:
        pages = min(math.ceil(total / self.req.per_page), self.settings.max_page) if total else 0
        if pages <= 1 and self.req.page <= 1:
            return None
        page = self.req.page

        def href(n: int) -> str:
            return self.url_with(page=n)

        wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)} - {0})
        numbers: list[tuple[int, str | None]] = []
        for n in wanted:
            if numbers and n - numbers[-1][0] > 1:
                numbers.append((0, None))
            numbers.append((n, href(n)))
        return Pager(
            page=page,
            pages=pages,
            prev=href(min(page - 1, max(pages, 1))) if page > 1 else None,  # past the end: back to the last
            next=href(page + 1) if page < pages else None,
            numbers=tuple(numbers),
        )

    def suggestion_link(self, suggestion: str | None) -> str | None:
        return self.url_with(q=suggestion, correct=True, page=1) if suggestion else None

    def as_typed_link(self, original: str) -> str:
        """Search the query exactly as it was typed, without spelling correction."""
        return self.url_with(q=original, correct=False, page=1)

    def versions_link(self, every: bool) -> str:
        """The same search listing every version of each story (every=True), or folded into stories again."""
        return self.url_with(collapse=not every, page=1)

    def similar_link(self, cluster: str) -> str:
        """Lists every version of one near-duplicate story."""
        return self.url_with(cluster=cluster, page=1)


def facet_group(field: str, values: Iterable[Link], more: int = 0, more_href: str = "") -> FacetGroup:
    """One facet's values as the search page and the facet's own page show them."""
    return FacetGroup(
        field, FIELD_PARAMS[field], FACET_LABELS[field], tuple(values), more, more_href, VALUE_NOUNS[field]
    )


def bucket_label(bucket: DateBucket, unit: str) -> str:
    """How a histogram bar is named: 1987, 1987-03, 1987-03-02 or start–end."""
    if bucket.label:
        return bucket.label
    start: date = bucket.start
    if unit == "year":
        return f"{start.year}"
    if unit == "month":
        return f"{start.year}-{start.month:02d}"
    if unit == "day" or bucket.start == bucket.end:
        return start.isoformat()
    return f"{bucket.start.isoformat()} – {bucket.end.isoformat()}"
