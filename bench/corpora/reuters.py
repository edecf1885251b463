"""Reuters-21578 SGML reader: one dict per article, with the gold PLACES/PEOPLE/ORGS/TOPICS codes.

General on purpose (other benchmarks reuse it): yields ``id``, ``title``, ``body``, ``dateline``, ``date``
(datetime), ``places``, ``people``, ``orgs``, ``exchanges``, ``topics`` (lists of codes), ``split``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import re
from collections.abc import Iterator
from pathlib import Path

REUTERS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "reuters21578"

_ARTICLE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ENTITY = re.compile(r"&(#\d+|lt|gt|amp|quot|apos);")


_TAGS = {
    name: re.compile(rf"<{name}\b[^>]*>(.*?)</{name}>", re.S)
    for name in ("TEXT", "BODY", "TITLE", "DATELINE", "DATE", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "TOPICS")
}
_D = re.compile(r"<D>(.*?)</D>")


def _tag(text: str, name: str) -> str:
    m = _TAGS[name].search(text)
    return m.group(1) if m else ""


def _codes(text: str, name: str) -> list[str]:
    return _D.findall(_tag(text, name))


def _clean(text: str) -> str:
    """Character entities decoded (wire control characters dropped), whitespace at the ends removed."""
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return _CONTROL.sub("", text).strip()


def _date(text: str) -> dt.datetime | None:
    raw = _clean(_tag(text, "DATE")).split(".")[0]
    for fmt in ("%d-%b-%Y %H:%M:%S", "%d-%b-%Y"):
        try:
            return dt.datetime.strptime(raw[: 20 if "%H" in fmt else 11].strip(), fmt)
        except ValueError:
            continue
    return None


def parse(sgml: str) -> Iterator[dict[str, object]]:
    """Articles of one SGML file's text."""
    for m in _ARTICLE.finditer(sgml):
        attrs = dict(_ATTR.findall(m.group(1)))
        inner = m.group(2)
        text = _tag(inner, "TEXT")
        body = _tag(text, "BODY")
        if not body and 'TYPE="UNPROC"' in inner:
            body = re.sub(r"<[^>]+>", " ", text)
        body = re.sub(r"\s*Reuter\s*$", "", _clean(body))
        yield {
            "id": attrs.get("NEWID", ""),
            "title": _clean(_tag(text, "TITLE")),
            "dateline": _clean(_tag(text, "DATELINE")).rstrip(" -"),
            "body": body,
            "date": _date(inner),
            "places": _codes(inner, "PLACES"),
            "people": _codes(inner, "PEOPLE"),
            "orgs": _codes(inner, "ORGS"),
            "exchanges": _codes(inner, "EXCHANGES"),
            "topics": _codes(inner, "TOPICS"),
            "split": attrs.get("LEWISSPLIT", ""),
        }


def articles(root: Path = REUTERS, limit: int | None = None) -> Iterator[dict[str, object]]:
    """Every article of the collection in NEWID order (latin-1 decoding: the files are not UTF-8 clean)."""
    n = 0
    for path in sorted(root.glob("reut2-*.sgm*")):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for art in parse(raw.decode("latin-1")):
            yield art
            n += 1
            if limit is not None and n >= limit:
                return
