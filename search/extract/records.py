"""JSON, JSON Lines and CSV records: one Document per record, bad records reported one by one."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from search.documents import Document, content_hash
from search.extract.dates import parse_date
from search.extract.decode import decode_text
from search.extract.errors import ExtractError, Skipped

BODY_KEYS = ("body", "text", "content", "article", "articleBody")
TITLE_KEYS = ("title", "headline")
MAX_ID_CHARS = 1000  # an id is a name to cite and a URL path, never text
EXTRA_CELLS = "_extra_cells"  # where csv puts cells beyond the header (its default key, None, breaks hashing)


def extract_json(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """A JSON file holding one record, a list of records, or {"articles"|"records"|"items": [...]}."""
    try:
        data = json.loads(decode_text(raw))
    except json.JSONDecodeError as exc:
        raise ExtractError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(data, Mapping):
        for key in ("articles", "records", "items", "documents"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if isinstance(data, Mapping):
        return [_record_or_skip(data, doc_id, doc_id)]
    if not isinstance(data, list):
        raise ExtractError("JSON holds neither a record nor a list of records")
    return list(_records(((f"{doc_id}#{i + 1}", rec) for i, rec in enumerate(data)), doc_id))


def extract_jsonl(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """JSON Lines: one record per line; a malformed line is skipped with its line number."""
    out: list[Document | Skipped] = []
    for lineno, line in enumerate(decode_text(raw).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{doc_id}#{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(Skipped(where, f"malformed JSON line: {exc.msg} at column {exc.colno}"))
            continue
        out.append(_record_or_skip(rec, where, doc_id))
    return out


def extract_csv(raw: bytes, doc_id: str) -> list[Document | Skipped]:
    """CSV with a header row naming the fields (title, body or text, date, url, source, author, dateline, id)."""
    text = decode_text(raw)
    csv.field_size_limit(64 * 1024 * 1024)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), restkey=EXTRA_CELLS)
        if not reader.fieldnames or not any(k.strip().lower() in BODY_KEYS for k in reader.fieldnames):
            raise ExtractError(f"CSV header has no body/text column (found: {', '.join(reader.fieldnames or [])})")
        rows = list(reader)
    except csv.Error as exc:
        raise ExtractError(f"malformed CSV: {exc}") from None
    return list(_records(((f"{doc_id}#{i + 2}", row) for i, row in enumerate(rows)), doc_id))


def _records(items: Iterable[tuple[str, object]], path: str) -> Iterable[Document | Skipped]:
    for where, rec in items:
        yield _record_or_skip(rec, where, path)


def _record_or_skip(rec: object, where: str, path: str) -> Document | Skipped:
    if not isinstance(rec, Mapping):
        return Skipped(where, "record is not a JSON object")
    try:
        return record_to_document(rec, where, path)
    except ExtractError as exc:
        return Skipped(where, str(exc))


def record_to_document(rec: Mapping[str, object], fallback_id: str, path: str = "") -> Document:
    """Map a record's fields onto a Document; its own ``id`` wins over the position-based one."""
    fields = {str(k).strip().lower(): v for k, v in rec.items() if k is not None}
    title = _first(fields, TITLE_KEYS).strip()
    body = _first(fields, BODY_KEYS).strip() or title  # a wire brief whose headline is the story
    if not body:
        raise ExtractError("record has no text (no title and no body)")
    try:
        date = parse_date(fields.get("date") or fields.get("published") or fields.get("datepublished"))
    except ValueError as exc:
        raise ExtractError(f"malformed date: {exc}") from None
    own_id = str(fields.get("id") or "").strip()
    if len(own_id) > MAX_ID_CHARS:
        raise ExtractError(f"record id too long ({len(own_id):,} characters; at most {MAX_ID_CHARS})")
    return Document(
        id=own_id or fallback_id,
        title=title,
        body=body,
        date=date,
        author=str(fields.get("author") or fields.get("byline") or "").strip(),
        source=str(fields.get("source") or fields.get("publisher") or "").strip(),
        url=str(fields.get("url") or fields.get("link") or "").strip(),
        dateline=" ".join(str(fields.get("dateline") or "").split()),
        path=path,
        content_hash=content_hash(json.dumps(rec, sort_keys=True, default=str).encode()),
    )


def _first(fields: Mapping[str, object], keys: Iterable[str]) -> str:
    for key in keys:
        value = fields.get(key.lower())
        if value:
            return str(value)
    return ""
