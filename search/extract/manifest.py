"""An archivist's metadata manifest beside the articles: per file, date/title/source/author/url/dateline."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path

from search.extract.dates import parse_date
from search.extract.decode import decode_text
from search.extract.errors import ExtractError

MANIFEST_NAMES = ("manifest.csv", "manifest.json")
OVERRIDABLE = ("date", "title", "source", "author", "url", "dateline")
_FILE_KEYS = ("file", "path", "filename", "name")


def parse_manifest(raw: bytes, name: str) -> dict[str, dict[str, str]]:
    """Rows of the manifest file ``name`` keyed by the file path relative to its folder; ExtractError if
    unreadable."""
    text = decode_text(raw)
    if name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExtractError(f"malformed manifest JSON: {exc.msg} at line {exc.lineno}") from None
        if isinstance(data, Mapping):  # {"a.txt": {...}, ...}
            rows = [{"file": k, **v} for k, v in data.items() if isinstance(v, Mapping)]
        elif isinstance(data, list):
            rows = [r for r in data if isinstance(r, Mapping)]
        else:
            raise ExtractError("manifest JSON must be an object or a list of objects")
    else:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    manifest: dict[str, dict[str, str]] = {}
    for row in rows:
        fields = {str(k).strip().lower(): str(v or "").strip() for k, v in row.items() if k}
        name = next((fields[k] for k in _FILE_KEYS if fields.get(k)), "")
        if not name:
            continue
        values = {k: fields[k] for k in OVERRIDABLE if fields.get(k)}
        if "date" in values:
            try:
                parse_date(values["date"])
            except ValueError as exc:
                raise ExtractError(f"manifest row for {name}: {exc}") from None
        manifest[Path(name).as_posix().lstrip("./")] = values
    return manifest
