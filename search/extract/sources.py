"""Read each article file found (``walk.discover`` finds them) with the extractor for its format, within limits."""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from search.documents import Document, content_hash
from search.extract.dates import parse_date
from search.extract.errors import ExtractError, Note, Skipped
from search.extract.mets import pack
from search.extract.names import safe_id

# File suffix -> "module:function"; a new input format is a new module and a line here.
FORMATS: dict[str, str] = {
    ".txt": "search.extract.text:extract",
    ".text": "search.extract.text:extract",
    ".html": "search.extract.html:extract",
    ".htm": "search.extract.html:extract",
    ".xhtml": "search.extract.html:extract",
    ".json": "search.extract.records:extract_json",
    ".jsonl": "search.extract.records:extract_jsonl",
    ".ndjson": "search.extract.records:extract_jsonl",
    ".csv": "search.extract.records:extract_csv",
    ".pdf": "search.extract.pdf:extract",
    ".png": "search.extract.image:extract",
    ".jpg": "search.extract.image:extract",
    ".jpeg": "search.extract.image:extract",
    ".tif": "search.extract.image:extract",
    ".tiff": "search.extract.image:extract",
    ".xml": "search.extract.alto:extract",
}
ISSUE_FORMAT = "search.extract.mets:extract"  # a METS file with articles, read with the ALTO files it lists
log = logging.getLogger(__name__)
# C0 controls (but tab, newline and carriage return), DEL, lone surrogates and U+FFFE/U+FFFF: they are not text a
# reader can see, they make XML (the Atom feed) invalid and they cannot be encoded as UTF-8.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # keeps PAGE_BREAK (\f)
_TEXT_FIELDS = ("title", "body", "author", "source", "url", "dateline")
MB = 1024 * 1024
MAX_FIELD_CHARS = 10_000  # title, author, source, url, dateline: longer is never a real value, and costs memory
Extractor = Callable[[bytes, str], list]
_READ_CHUNK = MB


@dataclass(frozen=True)
class Limits:
    """How much one file and one article may hold: they bound the indexer's memory whatever the archive holds."""

    file_bytes: int = 50 * MB  # larger files are reported and not read
    article_chars: int = 1 * MB  # a longer body is cut there (with a note): enrichment takes up to ~200x the text

    @classmethod
    def from_env(cls) -> Limits:
        """The limits set by SEARCH_MAX_FILE_MB and SEARCH_MAX_ARTICLE_MB; ValueError naming a bad one."""
        return cls(
            _env_mb("SEARCH_MAX_FILE_MB", cls.file_bytes),
            _env_mb("SEARCH_MAX_ARTICLE_MB", cls.article_chars),
        )


def _env_mb(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ValueError(f"{name} must be a positive number of MB, got {raw!r}")
    return int(value * MB)


@dataclass(frozen=True)
class SourceFile:
    """One article file found under a folder given to the indexer."""

    path: Path  # where it was found (its name gives the format)
    rel: str  # path relative to the folder given, made safe and unique: the document id of a one-article file
    overrides: dict[str, str] = field(default_factory=dict)
    real: Path | None = None  # what to open: the resolved target of a symbolic link inside the folder
    # A METS file with articles: the ALTO files it lists (file id, id of the page's document, path), read with it
    parts: tuple[tuple[str, str, Path], ...] = ()

    @property
    def is_records(self) -> bool:
        return self.path.suffix.lower() in (".json", ".jsonl", ".ndjson", ".csv")

    def fingerprint(self, raw: bytes) -> str:
        """Hash of the file and of its manifest row, so editing either re-indexes the file."""
        extra = json.dumps(self.overrides, sort_keys=True).encode() if self.overrides else b""
        return content_hash(raw + extra)


NOT_REGULAR = "not a regular file (a FIFO, device or socket): not read"


def os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_file(src: SourceFile, limits: Limits | None = None) -> bytes:
    """The file's bytes, read to at most the size limit; ExtractError if it is not a regular file, cannot be
    read or is larger than the limit (never trusting the size the file system gives: /proc files say 0)."""
    limit = (limits or Limits.from_env()).file_bytes
    if src.parts:
        return _read_issue(src, limits or Limits.from_env())
    # O_NONBLOCK: a FIFO put in a file's place is opened at once (then refused), never waited on;
    # O_NOFOLLOW: a file swapped for a symbolic link since it was found is not followed.
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(src.real or src.path, flags)
    except OSError as exc:
        raise ExtractError(f"cannot read file: {os_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ExtractError(NOT_REGULAR)
        if st.st_size > limit:
            raise ExtractError(_too_large(st.st_size, limit))
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(_READ_CHUNK, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ExtractError(_too_large(None, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise ExtractError(f"cannot read file: {os_reason(exc)}") from None
    finally:
        os.close(fd)


def _read_issue(src: SourceFile, limits: Limits) -> bytes:
    """A METS file with articles and the ALTO files it lists, packed as one (``mets.pack``): a page that cannot
    be read, or that would take the issue past the file size limit, is packed with why."""
    mets = read_file(replace(src, parts=()), limits)
    total = len(mets)
    parts: list[tuple[str, str, bytes | None, str]] = []
    for fid, rel, path in src.parts:
        try:
            data = read_file(SourceFile(path, rel, real=path), limits)
        except ExtractError as exc:
            parts.append((fid, rel, None, str(exc)))
            continue
        if total + len(data) > limits.file_bytes:
            parts.append((fid, rel, None, _too_large(None, limits.file_bytes).replace("file", "issue", 1)))
            continue
        total += len(data)
        parts.append((fid, rel, data, ""))
    return pack(mets, parts)


def _too_large(size: int | None, limit: int) -> str:
    what = f"{size / MB:.1f} MB" if size is not None else "more than the limit"
    return f"file too large ({what}; the limit is {limit / MB:g} MB, set by SEARCH_MAX_FILE_MB): not read"


def extract_file(src: SourceFile, raw: bytes, limits: Limits | None = None) -> list[Document | Skipped | Note]:
    """Documents (and skipped records) from one file, with manifest overrides, path and hashes set; a body
    longer than the limit is cut there, with a note saying so."""
    limits = limits or Limits.from_env()
    extractor = _extractor(ISSUE_FORMAT if src.parts else FORMATS[src.path.suffix.lower()])
    try:
        results = extractor(raw, src.rel)
    except ExtractError as exc:
        return [Skipped(src.rel, str(exc))]
    except RecursionError:
        return [Skipped(src.rel, "too deeply nested to read")]
    except Exception as exc:  # a bug on one hostile file must not stop the run: report it and go on
        log.exception("extraction failed for %s", src.rel)
        return [Skipped(src.rel, f"cannot read file: {type(exc).__name__}: {exc}")]
    fingerprint = src.fingerprint(raw)
    out: list[Document | Skipped | Note] = []
    for item in results:
        if isinstance(item, (Skipped, Note)):
            out.append(item)
            continue
        doc = item.with_overrides(
            path=src.rel,
            content_hash=item.content_hash or fingerprint,
            extras={**item.extras, "source_hash": fingerprint},
            **_overrides(src.overrides),
        )
        doc, cuts = _cut(doc, limits.article_chars)
        doc = _clean(doc)
        out.append(doc)
        if cuts:
            out.append(Note(doc.id, "; ".join(cuts)))
    return out


def _cut(doc: Document, body_chars: int) -> tuple[Document, list[str]]:
    """The document with its body and other text fields cut to their limits, and what was cut."""
    changes: dict[str, str] = {}
    cuts: list[str] = []
    for name in _TEXT_FIELDS:
        value = getattr(doc, name)
        limit = body_chars if name == "body" else MAX_FIELD_CHARS
        if len(value) <= limit:
            continue
        cut = value[:limit]
        space = cut.rfind(" ", max(0, limit - 1000))  # end on a word boundary when there is one nearby
        changes[name] = cut[:space] if space > 0 else cut
        if name == "body":
            cuts.append(
                f"text cut at {limit / MB:g} MB of {len(value) / MB:.1f} MB, the rest not indexed "
                "(limit set by SEARCH_MAX_ARTICLE_MB)"
            )
        else:
            cuts.append(f"{name} cut at {limit:,} characters of {len(value):,}")
    return (replace(doc, **changes), cuts) if changes else (doc, cuts)


def _clean(doc: Document) -> Document:
    """The document without control characters in its text fields (they are never content), and with an id
    that is safe to show and to put in a URL (unsafe characters percent-escaped, as in file names)."""
    changes = {"id": safe_id(doc.id)} if safe_id(doc.id) != doc.id else {}
    for name in _TEXT_FIELDS:
        value = getattr(doc, name)
        pattern = _BODY_CONTROLS if name == "body" else _CONTROLS
        if pattern.search(value):
            changes[name] = pattern.sub(" " if name == "body" else "", value)
    return replace(doc, **changes) if changes else doc


def _overrides(row: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {k: v for k, v in row.items() if k != "date"}
    if row.get("date"):
        values["date"] = parse_date(row["date"])
    return values


_cache: dict[str, Extractor] = {}


def _extractor(spec: str) -> Extractor:
    if spec not in _cache:
        module, func = spec.split(":")
        _cache[spec] = getattr(importlib.import_module(module), func)
    return _cache[spec]
