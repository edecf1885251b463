"""What one indexing run did, and the dates it believes."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from search.documents import Document
from search.extract.errors import Note, Skipped


@dataclass
class IndexSummary:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    copies: int = 0  # exact copies of another article in this run: enriched once, written twice
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # indexed, but changed: a body cut, a colliding id renamed
    seconds: float = 0.0
    documents: int = 0  # in the index after the run
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    peak_in_flight: int = 0  # most enrichment tasks out at once (the back-pressure bound, as observed)

    def report(self, item: Skipped | Note) -> None:
        """Keep a skipped file or article, or a note, in the list it belongs to."""
        (self.skipped if isinstance(item, Skipped) else self.notes).append(item)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "copies": self.copies,
            "skipped": [{"where": s.where, "reason": s.reason} for s in self.skipped],
            "notes": [{"where": n.where, "reason": n.reason} for n in self.notes],
            "seconds": round(self.seconds, 3),
            "documents": self.documents,
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "peak_in_flight": self.peak_in_flight,
        }


@dataclass(frozen=True)
class DateRange:
    """The publication dates an archive can plausibly hold; an article dated outside is indexed with a note."""

    earliest: date = date(1600, 1, 1)
    latest: date | None = None  # None: a year from today

    def holds(self, day: date) -> bool:
        return self.earliest <= day <= self._latest()

    def _latest(self) -> date:
        return self.latest or date.today() + timedelta(days=366)

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()}..{self._latest().isoformat()}"

    def note(self, doc: Document) -> Note | None:
        """A note for an implausible date (9999-12-31, 0001-01-01: often a placeholder): the date is kept as the
        source gives it, so it can be found and corrected there."""
        if doc.date is None or self.holds(doc.date.start()):
            return None
        return Note(
            doc.id,
            f"date {doc.date} is outside the plausible range {self}: indexed with that date as given;"
            " check the source (the range is set by SEARCH_DATE_RANGE or --date-range)",
        )

    @classmethod
    def parse(cls, text: str) -> DateRange:
        """``YYYY-MM-DD..YYYY-MM-DD`` (either end may be left out); ValueError saying what is wrong."""
        lo, sep, hi = text.strip().partition("..")
        if not sep:
            raise ValueError(f"a date range is written FROM..TO (as 1600-01-01..2030-12-31), got {text!r}")
        try:
            earliest = date.fromisoformat(lo) if lo.strip() else cls.earliest
            latest = date.fromisoformat(hi) if hi.strip() else None
        except ValueError:
            raise ValueError(f"dates in a range are written YYYY-MM-DD, got {text!r}") from None
        if latest is not None and latest < earliest:
            raise ValueError(f"the range {text!r} ends before it starts")
        return cls(earliest, latest)

    @classmethod
    def from_env(cls) -> DateRange:
        """The range set by SEARCH_DATE_RANGE (FROM..TO), else 1600-01-01 to a year from today."""
        raw = os.environ.get("SEARCH_DATE_RANGE", "").strip()
        return cls.parse(raw) if raw else cls()
