"""Find the article files under the paths given and read each with the extractor for its format."""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from search.documents import Document, content_hash
from search.extract.dates import parse_date
from search.extract.errors import ExtractError, Skipped
from search.extract.manifest import MANIFEST_NAMES, read_manifest
from search.extract.mets import is_mets_name, read_mets

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
log = logging.getLogger(__name__)
# C0 controls (but tab, newline and carriage return), DEL, lone surrogates and U+FFFE/U+FFFF: they are not text a
# reader can see, they make XML (the Atom feed) invalid and they cannot be encoded as UTF-8.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # keeps PAGE_BREAK (\f)
_TEXT_FIELDS = ("id", "title", "body", "author", "source", "url", "dateline")
MAX_FILE_BYTES = int(os.environ.get("SEARCH_MAX_FILE_BYTES", 50 * 1024 * 1024))
Extractor = Callable[[bytes, str], list]


@dataclass(frozen=True)
class SourceFile:
    """One article file found under a folder given to the indexer."""

    path: Path
    rel: str  # path relative to the folder given: the document id of a one-article file
    overrides: dict[str, str] = field(default_factory=dict)

    @property
    def is_records(self) -> bool:
        return self.path.suffix.lower() in (".json", ".jsonl", ".ndjson", ".csv")

    def fingerprint(self, raw: bytes) -> str:
        """Hash of the file and of its manifest row, so editing either re-indexes the file."""
        extra = json.dumps(self.overrides, sort_keys=True).encode() if self.overrides else b""
        return content_hash(raw + extra)


def discover(roots: Iterable[str | Path]) -> Iterator[SourceFile | Skipped]:
    """Every article file under the roots (sorted, hidden files skipped), with manifest rows attached."""
    for root in map(Path, roots):
        if root.is_file():
            yield from _classify(root, root.name, {})
            continue
        if not root.is_dir():
            yield Skipped(str(root), "no such file or folder")
            continue
        packaged: dict[Path, dict[str, str]] = {}  # ALTO pages a METS file describes (in its folder or below)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            manifest: dict[str, dict[str, str]] = {}
            for name in MANIFEST_NAMES:
                if name in filenames:
                    try:
                        manifest.update(read_manifest(folder / name))
                    except (ExtractError, OSError) as exc:
                        yield Skipped(str((folder / name).relative_to(root)), f"manifest ignored: {exc}")
            mets = sorted(n for n in filenames if is_mets_name(n) and not n.startswith("."))
            for name in mets:
                try:
                    packaged.update(read_mets(folder / name))
                except (ExtractError, OSError) as exc:
                    yield Skipped(str((folder / name).relative_to(root)), f"METS ignored: {exc}")
            for name in sorted(filenames):
                if name.startswith(".") or name in MANIFEST_NAMES or name in mets:
                    continue
                path = folder / name
                row = manifest.get(name, {})
                if packaged:  # what the METS says of the page, under what a manifest says
                    row = {**packaged.get(path.resolve(), {}), **row}
                yield from _classify(path, path.relative_to(root).as_posix(), row)


def _classify(path: Path, rel: str, overrides: dict[str, str]) -> Iterator[SourceFile | Skipped]:
    if path.suffix.lower() not in FORMATS:
        yield Skipped(rel, f"unsupported file type {path.suffix or '(none)'!r}")
        return
    yield SourceFile(path, rel, overrides)


def read_file(src: SourceFile) -> bytes:
    """The file's bytes; ExtractError if it is unreadable or larger than the limit."""
    try:
        size = src.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractError(f"file too large ({size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)")
        return src.path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"cannot read file: {exc.strerror or exc}") from None


def extract_file(src: SourceFile, raw: bytes) -> list[Document | Skipped]:
    """Documents (and skipped records) from one file, with manifest overrides, path and hashes set."""
    extractor = _extractor(src.path.suffix.lower())
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
    out: list[Document | Skipped] = []
    for item in results:
        if isinstance(item, Skipped):
            out.append(item)
            continue
        doc = item.with_overrides(
            path=src.rel,
            content_hash=item.content_hash or fingerprint,
            extras={**item.extras, "source_hash": fingerprint},
            **_overrides(src.overrides),
        )
        out.append(_clean(doc))
    return out


def _clean(doc: Document) -> Document:
    """The document without control characters in its text fields (they are never content)."""
    changes = {}
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


def _extractor(suffix: str) -> Extractor:
    spec = FORMATS[suffix]
    if spec not in _cache:
        module, func = spec.split(":")
        _cache[spec] = getattr(importlib.import_module(module), func)
    return _cache[spec]
