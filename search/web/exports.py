"""Exports of a whole result set, streamed: CSV, JSON Lines and JSON, each saying what search it holds.

Every file records the query, its filters and sort, how many articles matched, how many it holds, and the
configured cap when the cap cut it. CSV puts that in leading lines that start with "#", the first of which
says how many there are (spreadsheets show them as rows above the table; pandas reads the table with
``read_csv(path, skiprows=N)``; ``notes=0`` leaves them out). JSON Lines puts it in its first line, as
``{"export": {...}}``; JSON in its ``export`` member.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context, url_for

from search.documents import ENTITY_FIELDS
from search.query.types import Export, ExportRow, SearchRequest
from search.web.documents import hit_json
from search.web.params import to_params
from search.web.settings import Settings

CSV_COLUMNS = (
    "id",
    "title",
    "date",
    "dateline",
    "author",
    "source",
    "url",
    "permalink",
    "score",
    "cluster",
    *ENTITY_FIELDS,
    "snippet",
)
_PATH_SAFE = "!$&'()*+,/:;=@"  # what Werkzeug leaves unquoted in a <path:...> part (as url_for does)


def permalink_base() -> str:
    """The absolute address of a document page up to its id (url_for once per export, not per row)."""
    return url_for("pages.document_page", doc_id="-", _external=True)[:-1]


def metadata(
    export: Export, req: SearchRequest, settings: Settings, search_page: str, text: bool, fmt: str
) -> dict[str, Any]:
    """What the file holds and why: the search, counts, the cap if it cut the file, when and where it was made."""
    filters: dict[str, list[str]] = {}
    for name, value in to_params(req, page=False, per_page=settings.per_page):
        if name not in ("q", "sort", "per_page"):
            filters.setdefault(name, []).append(value)
    limit = settings.export_limit
    return {
        "title": f"{settings.site_title}: export",
        "query": req.q,
        "filters": filters,
        "sort": export.request.sort.value,
        "total": export.total,
        "exported": export.exported,
        "limit": limit or None,
        "truncated": export.truncated,
        "full_text": text,
        "near_duplicates": near_duplicates(export),
        "rows_are": "stories" if export.folded else "articles",
        "stories": export.stories,
        "articles": export.articles,
        "search_url": search_page,
        "made": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "format": fmt,
        "notes": list(export.notes),
    }


def near_duplicates(export: Export) -> str:
    """Which rows the file holds: one per story (versions folded, as the results page shows them), or every version."""
    if not export.folded:
        return "every version of a story is its own row"
    left = export.articles - export.stories
    return (
        f"folded: one row per story (its first version in this order); {export.stories:,} stories,"
        f" {export.articles:,} articles: {left:,} other version{'' if left == 1 else 's'} left out"
        " (export with versions=all for every version)"
    )


def cap_sentence(total: int, exported: int, limit: int, unit: str = "articles") -> str:
    """How many rows (articles or stories) the file holds, and the cap when it cut the file (never silent)."""
    one = unit[:-3] + "y" if unit.endswith("ies") else unit[:-1]
    if exported < total:
        return (
            f"{exported:,} of {total:,} matching {unit}: the first {exported:,}, cut at this service's export"
            f" limit of {limit:,} {unit} (EXPORT_LIMIT)"
        )
    return f"all {total:,} matching {one if total == 1 else unit}"


def file_name(req: SearchRequest, ext: str) -> str:
    """A file name made from the query and filters: archive-harbour-person-helena-sardinha-2026-12-02.csv."""
    skip = ("q", "sort", "page", "per_page", "versions")  # the file says in its header which versions it holds
    words = [req.q, *(v for _, v in to_params(req, page=False) if _ not in skip)]
    folded = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80].rstrip("-") or "everything"
    return f"archive-{slug}-{datetime.now(UTC):%Y-%m-%d}.{ext}"


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row_json(row: ExportRow, base: str, text: bool) -> dict[str, Any]:
    data = hit_json(row.hit)
    data.pop("similar", None)  # every version is its own row: "how many others" belongs to a results page
    data["cluster"] = row.hit.cluster
    data["permalink"] = base + quote(row.hit.id, safe=_PATH_SAFE)
    data["snippet"] = row.hit.snippet.text
    if text:
        data["text"] = row.text
    return data


def _csv_lines(meta: dict[str, Any], export: Export, base: str, text: bool, notes: bool) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        chunk = out.getvalue()
        out.seek(0)
        out.truncate()
        return chunk

    if notes:
        lines = [
            f"query: {meta['query'] or '(everything)'}",
            "filters: "
            + ("; ".join(f"{k}={', '.join(v)}" for k, v in meta["filters"].items()) if meta["filters"] else "none"),
            f"sort: {meta['sort']}",
            f"rows: {cap_sentence(meta['total'], meta['exported'], meta['limit'] or 0, meta['rows_are'])}",
            f"near-duplicates: {meta['near_duplicates']}; full text: {'yes' if text else 'no'}",
            f"made: {meta['made']} from {meta['search_url']}",
            *(f"note: {n}" for n in meta["notes"]),
        ]
        total = len(lines) + 1
        writer.writerow([f"# {meta['title']}: {total} lines of notes, then the table (skip {total} rows to read it)"])
        for line in lines:
            writer.writerow([f"# {line}"])
    writer.writerow([*CSV_COLUMNS, *(("text",) if text else ())])
    yield flush()
    for n, row in enumerate(export.rows, 1):
        data = _row_json(row, base, text)
        cells = [_cell("; ".join(data[c]) if c in ENTITY_FIELDS else data[c]) for c in CSV_COLUMNS]
        writer.writerow(cells + ([_cell(row.text)] if text else []))
        if n % 100 == 0:
            yield flush()
    yield flush()


def _jsonl_lines(meta: dict[str, Any], export: Export, base: str, text: bool) -> Iterator[str]:
    yield json.dumps({"export": meta}, ensure_ascii=False) + "\n"
    for row in export.rows:
        yield json.dumps(_row_json(row, base, text), ensure_ascii=False) + "\n"


def _json_parts(meta: dict[str, Any], export: Export, base: str, text: bool) -> Iterator[str]:
    head = {
        "query": meta["query"],
        "total": meta["total"],
        "exported": meta["exported"],
        "search_url": meta["search_url"],
        "export": meta,
    }
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "hits": ['
    for n, row in enumerate(export.rows):
        yield ("," if n else "") + "\n  " + json.dumps(_row_json(row, base, text), ensure_ascii=False)
    yield "\n ]\n}\n"


MIMETYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "json": "application/json"}


def stream(
    fmt: str, export: Export, req: SearchRequest, settings: Settings, search_page: str, text: bool, notes: bool = True
) -> Response:
    """The export as a streamed download named after its query."""
    meta = metadata(export, req, settings, search_page, text, fmt)
    base = permalink_base()
    if fmt == "csv":
        body = _csv_lines(meta, export, base, text, notes)
    elif fmt == "jsonl":
        body = _jsonl_lines(meta, export, base, text)
    else:
        body = _json_parts(meta, export, base, text)
    response = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    name = file_name(req, fmt)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["X-Export-Total"] = str(export.total)
    response.headers["X-Export-Rows"] = str(export.exported)
    return response
