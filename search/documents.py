"""The Document record that every extractor returns and every later stage reads."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum

# Between the pages of a paged source (PDF, scan, ALTO): the form feed, so that a hit can say which page it is on.
PAGE_BREAK = "\f"
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A publication date that keeps its precision: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        # Validates the calendar (raises ValueError on 2023-02-30 or month 13).
        date(self.year, self.month or 1, self.day or 1)
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        m = _PARTIAL_DATE.match(text.strip())
        if not m:
            raise ValueError(f"not a date (expected YYYY, YYYY-MM or YYYY-MM-DD): {text!r}")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def start(self) -> date:
        """The first day the date can mean (for sorting and range filters)."""
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class Document:
    """One article as extracted from a file or record, before enrichment."""

    id: str
    body: str
    title: str = ""
    date: PartialDate | None = None
    author: str = ""
    source: str = ""
    url: str = ""
    dateline: str = ""
    path: str = ""
    content_hash: str = ""
    origin: str = ""  # where the text came from when not typed: "ocr" (read by our OCR) or "alto" (a supplier's OCR)
    extras: dict[str, str] = field(default_factory=dict, compare=False)

    def with_overrides(self, **changes: object) -> Document:
        """A copy with the given non-empty fields replaced (used by manifests)."""
        return replace(self, **{k: v for k, v in changes.items() if v not in (None, "")})


class EntityKind(Enum):
    """One kind of named entity an article mentions, and how each stage names it.

    value: the entity map's type name (``EntityKind("person")`` finds the kind); field: the index field and the
    attribute of a request, a hit and the facets; param: the URL parameter that filters by it; label: the
    facet's heading; title: one value's kind (a filter chip); noun: one value and several, in a sentence;
    short: the word before a name in a hit's list of names.
    """

    PERSON = ("person", "people", "person", "People", "Person", ("person", "people"), "person")
    ORGANIZATION = (
        "organization",
        "organizations",
        "org",
        "Organisations",
        "Organisation",
        ("organisation", "organisations"),
        "org",
    )
    PLACE = ("place", "places", "place", "Places", "Place", ("place", "places"), "place")

    field: str
    param: str
    label: str
    title: str
    noun: tuple[str, str]
    short: str

    def __new__(
        cls, value: str, field: str, param: str, label: str, title: str, noun: tuple[str, str], short: str
    ) -> EntityKind:
        kind = object.__new__(cls)
        kind._value_ = value
        kind.field, kind.param, kind.label, kind.title, kind.noun, kind.short = field, param, label, title, noun, short
        return kind

    @property
    def words_field(self) -> str:
        """The index field holding the canonical values and aliases as words (`person:lavrov`)."""
        return f"{self.field}_words"

    @classmethod
    def of_field(cls, field: str) -> EntityKind:
        """The kind held in an index field (``people``, ``organizations``, ``places``); KeyError otherwise."""
        return _KIND_OF_FIELD[field]


# The kinds in the order every list of them is shown and written, and their index fields.
ENTITY_KINDS = tuple(EntityKind)
ENTITY_FIELDS = tuple(kind.field for kind in ENTITY_KINDS)
_KIND_OF_FIELD = {kind.field: kind for kind in ENTITY_KINDS}


def page_at(body: str, offset: int) -> int:
    """The page number (1-based) of a character of a paged body: one more than the page breaks before it."""
    return body.count(PAGE_BREAK, 0, max(0, offset)) + 1


def page_count(body: str) -> int:
    """The pages of a paged body (one more than its page breaks); 0 for a body without pages."""
    return body.count(PAGE_BREAK) + 1 if PAGE_BREAK in body else 0


def content_hash(data: bytes) -> str:
    """A stable hash of a file's or record's raw content, for incremental indexing."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
