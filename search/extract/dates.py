"""Read the dates that records and manifests carry, keeping their precision."""

from __future__ import annotations

import re
from datetime import date, datetime

from search.documents import PartialDate

_ISO_PREFIX = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ].*)?$")


def parse_date(value: object) -> PartialDate | None:
    """A PartialDate from ISO text (``2023``, ``2023-05``, ``2023-05-04``, ``2023-05-04T10:00Z``), a date,
    or a timestamp string that python-dateutil reads; None for empty; ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return PartialDate.from_date(value)
    text = str(value).strip()
    if not text:
        return None
    m = _ISO_PREFIX.match(text)
    if m:
        y, mo, d = m.groups()
        return PartialDate(int(y), int(mo) if mo else None, int(d) if d else None)
    from dateutil import parser as dateutil_parser

    try:
        parsed = dateutil_parser.parse(text, default=datetime(1, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"unreadable date {text!r}") from exc
    if parsed.year == 1:
        raise ValueError(f"date without a year: {text!r}")
    return PartialDate.from_date(parsed.date())
