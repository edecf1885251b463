"""Turn query-string parameters into a SearchRequest, and a SearchRequest back into parameters."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from werkzeug.datastructures import MultiDict

from search.documents import ENTITY_KINDS
from search.query.types import DATE_PRECISIONS, SearchRequest, Sort
from search.web.settings import Settings

MAX_QUERY_CHARS = 1000
MAX_VALUES = 20
MAX_VALUE_CHARS = 200

# Query-string name -> SearchRequest field, for the repeatable filters.
FACET_PARAMS: dict[str, str] = {
    **{kind.param: kind.field for kind in ENTITY_KINDS},
    "source": "sources",
    "author": "authors",
}
FIELD_PARAMS = {field: name for name, field in FACET_PARAMS.items()}
# A value to leave out: not_person=Reagan, not_source=..., one parameter per facet, repeatable.
EXCLUDE_PARAMS = {f"not_{name}": field for name, field in FACET_PARAMS.items()}
# versions=folded (the default) folds near-duplicates into one result per story and counts stories everywhere;
# versions=all lists and counts every version (article).
VERSIONS = ("folded", "all")
PRECISION_PARAM = "precision"  # day | month | year | undated, repeatable: dates of that precision only

# Characters no query needs that would make the Atom feed (which echoes the query) invalid XML.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


FACET_ORDERS = ("count", "name")
MAX_FACET_PER_PAGE = 500
FACET_PER_PAGE = 50
FACET_LISTING_PARAMS = ("contains", "order", "page", "per_page")


@dataclass(frozen=True)
class FacetListing:
    """Which values of one facet to list: part of a name, an order, a page."""

    field: str
    contains: str = ""
    order: str = "count"
    page: int = 1
    per_page: int = FACET_PER_PAGE


class BadParameter(ValueError):
    """A query-string parameter a client sent cannot be used; says which one and how to fix it."""

    def __init__(self, parameter: str, message: str, fix: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.fix = fix

    def to_json(self) -> dict[str, str]:
        return {"error": "bad_parameter", "parameter": self.parameter, "message": self.message, "fix": self.fix}


def _one(args: MultiDict[str, str], name: str) -> str:
    """The single value of a parameter ('' when absent); a parameter given twice is an error."""
    values = args.getlist(name)
    if len(values) > 1 and len(set(values)) > 1:
        raise BadParameter(name, f"{name} was given {len(values)} times", f"send {name} once")
    return _CONTROLS.sub(" ", values[0]).strip() if values else ""


def parse_date(name: str, raw: str, *, end: bool) -> date | None:
    """Parse YYYY-MM-DD (or YYYY, YYYY-MM as the first/last day of that span)."""
    if not raw:
        return None
    m = _DATE.match(raw)
    fix = f"write {name} as YYYY-MM-DD, for example {name}=1987-03-01"
    if not m:
        raise BadParameter(name, f"{raw[:40]!r} is not a date", fix)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        mon = int(month)
        if day is None:
            return date(year, mon, calendar.monthrange(year, mon)[1] if end else 1)
        return date(year, mon, int(day))
    except (ValueError, calendar.IllegalMonthError):
        raise BadParameter(name, f"{raw!r} is not a day on the calendar", fix) from None


def _int(args: MultiDict[str, str], name: str, default: int, high: int) -> int:
    raw = _one(args, name)
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not 1 <= int(raw) <= high:
        raise BadParameter(name, f"{raw[:40]!r} is not a whole number from 1 to {high}", f"send {name}=1 to {high}")
    return int(raw)


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    values: list[str] = []
    for raw in args.getlist(name):
        value = _CONTROLS.sub(" ", raw).strip()
        if not value or value in values:
            continue
        if len(value) > MAX_VALUE_CHARS:
            raise BadParameter(
                name, f"a {name} value is longer than {MAX_VALUE_CHARS} characters", "send a shorter value"
            )
        values.append(value)
    if len(values) > MAX_VALUES:
        raise BadParameter(name, f"{len(values)} {name} values were given", f"send at most {MAX_VALUES}")
    return tuple(values)


def parse_search(args: MultiDict[str, str], settings: Settings) -> SearchRequest:
    """Build a SearchRequest from query-string parameters; raise BadParameter naming what is wrong."""
    q = _one(args, "q")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(q)} characters long", f"send at most {MAX_QUERY_CHARS}")
    date_from = parse_date("from", _one(args, "from"), end=False)
    date_to = parse_date("to", _one(args, "to"), end=True)
    if date_from and date_to and date_from > date_to:
        raise BadParameter("to", f"the range ends ({date_to}) before it starts ({date_from})", "swap from and to")
    sort_raw = _one(args, "sort") or Sort.RELEVANCE.value
    try:
        sort = Sort(sort_raw)
    except ValueError:
        choices = "|".join(s.value for s in Sort)
        raise BadParameter("sort", f"{sort_raw[:40]!r} is not a sort order", f"send sort={choices}") from None
    excluded = tuple((field, v) for name, field in EXCLUDE_PARAMS.items() for v in _values(args, name))
    precision = _values(args, PRECISION_PARAM)
    for value in precision:
        if value not in DATE_PRECISIONS:
            choices = "|".join(DATE_PRECISIONS)
            raise BadParameter(PRECISION_PARAM, f"{value[:40]!r} is not a date precision", f"send precision={choices}")
    cluster = _one(args, "cluster") or None
    if cluster and (len(cluster) > MAX_VALUE_CHARS or not cluster.isprintable()):
        raise BadParameter("cluster", "the cluster id is not valid", "use the link from a search result")
    chosen = {field: _values(args, name) for name, field in FACET_PARAMS.items()}
    if excluded:  # a value both chosen and excluded was excluded last (the facet's "not" button): leave it out
        chosen = {field: tuple(v for v in values if (field, v) not in excluded) for field, values in chosen.items()}
    versions = _one(args, "versions") or "folded"
    if versions not in VERSIONS:
        raise BadParameter(
            "versions", f"{versions[:40]!r} is not a way to show versions", "send versions=all to list every version"
        )
    correct = _one(args, "correct") or "1"
    if correct not in ("0", "1"):
        raise BadParameter("correct", f"{correct[:40]!r} is not 0 or 1", "send correct=0 to search the words as typed")
    return SearchRequest(
        q=q,
        date_from=date_from,
        date_to=date_to,
        **chosen,
        excluded=excluded,
        precision=precision,
        sort=sort,
        page=_int(args, "page", 1, settings.max_page),
        per_page=_int(args, "per_page", settings.per_page, settings.max_per_page),
        cluster=cluster,
        collapse=versions == "folded",
        correct=correct == "1",
    )


def parse_facet_listing(
    field: str, args: MultiDict[str, str], settings: Settings, per_page: int = FACET_PER_PAGE
) -> tuple[SearchRequest, FacetListing]:
    """The search a facet listing is within, and the listing (contains, order, page, per_page) itself."""
    contains = _one(args, "contains")
    if len(contains) > MAX_VALUE_CHARS:
        raise BadParameter("contains", f"longer than {MAX_VALUE_CHARS} characters", "send a shorter piece of a name")
    order = _one(args, "order") or "count"
    if order not in FACET_ORDERS:
        raise BadParameter("order", f"{order[:40]!r} is not an order of values", "send order=count or order=name")
    listing = FacetListing(
        field,
        contains,
        order,
        _int(args, "page", 1, settings.max_page),
        _int(args, "per_page", per_page, MAX_FACET_PER_PAGE),
    )
    rest = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in FACET_LISTING_PARAMS])
    return parse_search(rest, settings), listing


# SearchRequest fields, in the order their parameters are written.
PARAM_FIELDS = (
    "q",
    "date_from",
    "date_to",
    *FACET_PARAMS.values(),
    "excluded",
    "precision",
    "sort",
    "cluster",
    "collapse",
    "correct",
    "page",
    "per_page",
)


def field_params(field: str, value: Any, per_page: int | None = None) -> list[tuple[str, str]]:
    """One request field's query-string parameters: none when it holds its default (so URLs stay short).

    per_page: the service's default page size (per_page is written only when it differs; None: never).
    """
    if field in FIELD_PARAMS:
        name = FIELD_PARAMS[field]
        return [(name, v) for v in value]
    if field == "excluded":
        return [(f"not_{FIELD_PARAMS[f]}", v) for f, v in value]
    if field == "precision":
        return [(PRECISION_PARAM, v) for v in value]
    if field in ("date_from", "date_to"):
        return [("from" if field == "date_from" else "to", value.isoformat())] if value else []
    if field == "sort":
        return [] if value == Sort.RELEVANCE else [("sort", value.value)]
    if field == "collapse":
        return [] if value else [("versions", "all")]
    if field == "correct":
        return [] if value else [("correct", "0")]
    if field == "page":
        return [] if value == 1 else [("page", str(value))]
    if field == "per_page":
        return [] if per_page is None or value == per_page else [("per_page", str(value))]
    return [(field, value)] if value else []  # q, cluster


def to_params(
    req: SearchRequest, *, page: bool = True, per_page: int | None = None, changes: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The query-string parameters that reproduce a request (defaults left out, so URLs stay short).

    changes: fields that differ from req (as dataclasses.replace would set them), for the many links of a
    page that each change one thing, without building a request per link.
    """
    changes = changes or {}
    return [
        pair
        for field in PARAM_FIELDS
        if page or field != "page"
        for pair in field_params(field, changes[field] if field in changes else getattr(req, field), per_page)
    ]


@lru_cache(maxsize=16_384)
def _quoted(text: str, safe: str) -> str:
    return quote_plus(text, safe=safe)


# What Werkzeug's url_for leaves unquoted in a query value (its encoding; tested equal).
URL_FOR_SAFE = "!$'()*,/:;?@"


def encode_params(params: Iterable[tuple[str, str]], safe: str = "") -> str:
    """urlencode(params) for pairs of strings, each piece quoted once per process (names and words recur).

    safe: characters left unquoted (URL_FOR_SAFE quotes as url_for does).
    """
    return "&".join(f"{_quoted(k, safe)}={_quoted(v, safe)}" for k, v in params)


def listing_params(req: SearchRequest, listing: FacetListing, per_page: int | None = None) -> list[tuple[str, str]]:
    """A facet listing's query string: the search's parameters, then the listing's own (defaults left out)."""
    params = to_params(req, page=False, per_page=per_page)
    if listing.contains:
        params.append(("contains", listing.contains))
    if listing.order != "count":
        params.append(("order", listing.order))
    if listing.page != 1:
        params.append(("page", str(listing.page)))
    if listing.per_page != FACET_PER_PAGE:
        params.append(("per_page", str(listing.per_page)))
    return params


def toggled(req: SearchRequest, field: str, value: str) -> tuple[str, ...]:
    """A facet's values with one value added (or removed if present)."""
    current: Iterable[str] = getattr(req, field)
    return tuple(v for v in current if v != value) if value in current else (*current, value)


def toggle(req: SearchRequest, field: str, value: str) -> SearchRequest:
    """The request with one facet value added (or removed if present), back on page 1."""
    return replace(req, **{field: toggled(req, field, value)}, page=1)


def is_filtered(req: SearchRequest) -> bool:
    """Whether anything beyond the query text narrows the results."""
    return bool(
        req.date_from
        or req.date_to
        or req.people
        or req.organizations
        or req.places
        or req.sources
        or req.authors
        or req.excluded
        or req.precision
        or req.cluster
    )


def excluding(req: SearchRequest, field: str, value: str) -> tuple[tuple[str, str], ...]:
    """The request's exclusions with one (facet, value) added, or removed if present."""
    pair = (field, value)
    return tuple(p for p in req.excluded if p != pair) if pair in req.excluded else (*req.excluded, pair)
