"""Find the article files under the paths given: a folder walk in name order, with manifest rows and what METS
files say of their pages attached, links followed only inside the folder, whatever is left out reported."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from search.extract.errors import ExtractError, Note, Skipped
from search.extract.manifest import MANIFEST_NAMES, parse_manifest
from search.extract.mets import is_mets_name, read_mets
from search.extract.names import safe_id
from search.extract.sources import FORMATS, NOT_REGULAR, Limits, SourceFile, os_reason, read_file


def discover(roots: Iterable[str | Path], limits: Limits | None = None) -> Iterator[SourceFile | Skipped | Note]:
    """Every article file under the roots, in sorted order, with manifest rows attached.

    Only regular files are read. A symbolic link is followed only to a file inside the folder given; hidden
    folders (``.git``) are not read. Whatever is left out is reported, each under a printable, unique name.
    A file whose path (its id) is that of a file in an earlier root given gets ``~2`` and a note.
    """
    limits = limits or Limits.from_env()
    seen: set[str] = set()
    for item in _discover(roots, limits):
        if isinstance(item, SourceFile):
            if item.rel in seen:
                n = 2
                while f"{item.rel}~{n}" in seen:
                    n += 1
                renamed = f"{item.rel}~{n}"
                yield Note(renamed, f"same path as a file of an earlier folder given; indexed as {renamed!r}")
                item = replace(item, rel=renamed)
            seen.add(item.rel)
        yield item


def _discover(roots: Iterable[str | Path], limits: Limits) -> Iterator[SourceFile | Skipped]:
    for root in map(Path, roots):
        shown = safe_id(str(root))
        try:
            st = root.stat()
        except OSError as exc:
            reason = "no such file or folder" if isinstance(exc, FileNotFoundError) else os_reason(exc)
            yield Skipped(shown, reason)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(root, limits)
        elif stat.S_ISREG(st.st_mode):  # a file named on the command line: its own name is its id
            yield from _classify(root, safe_id(root.name), {}, real=root.resolve())
        else:
            yield Skipped(shown, NOT_REGULAR)


def _walk(root: Path, limits: Limits) -> Iterator[SourceFile | Skipped]:
    """The files under ``root``, depth first in name order (files of a folder before its sub-folders)."""
    top = os.path.realpath(root)
    stack: list[tuple[Path, str]] = [(root, "")]
    packaged: dict[Path, dict[str, str]] = {}  # ALTO pages a METS file describes (in its folder or below)
    consumed: set[Path] = set()  # ALTO pages read with the METS file that has their articles
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(prefix or safe_id(str(root)), f"cannot read folder: {os_reason(exc)}")
            continue
        names = _unique_names([e.name for e in entries])
        manifest: dict[str, dict[str, str]] = {}
        mets = {e.name for e in entries if is_mets_name(e.name) and not e.name.startswith(".")}
        for entry in entries:
            if entry.name in MANIFEST_NAMES:
                yield from _read_manifest_entry(entry, prefix + names[entry.name], top, manifest, limits)
            elif entry.name in mets:
                yield from _read_mets_entry(entry, prefix + names[entry.name], top, packaged, consumed)
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            rel = prefix + names[entry.name]
            if entry.name in MANIFEST_NAMES or entry.name in mets:
                continue
            if consumed and entry.name.lower().endswith(".xml") and Path(entry.path).resolve() in consumed:
                continue
            row = manifest.get(entry.name, {})
            if packaged:  # what the METS says of the page, under what a manifest says
                row = {**packaged.get(Path(entry.path).resolve(), {}), **row}
            try:
                if entry.is_symlink():
                    yield from _follow(entry, rel, top, row)
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name.startswith("."):
                        yield Skipped(rel + "/", "hidden folder: not read")
                    else:
                        subfolders.append((Path(entry.path), rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    yield from _classify(Path(entry.path), rel, row)
                else:
                    yield Skipped(rel, NOT_REGULAR)
            except OSError as exc:
                yield Skipped(rel, f"cannot read: {os_reason(exc)}")
        stack.extend(reversed(subfolders))


def _follow(entry: os.DirEntry, rel: str, top: str, row: dict[str, str]) -> Iterator[SourceFile | Skipped]:
    """A symbolic link: read only when it leads to a regular file inside the folder given."""
    target = os.path.realpath(entry.path)
    if os.path.commonpath([top, target]) != top:
        yield Skipped(rel, "symbolic link to outside the folder: not followed")
        return
    try:
        st = os.stat(target)
    except OSError as exc:
        yield Skipped(rel, f"broken or looping symbolic link: {os_reason(exc)}")
        return
    if stat.S_ISDIR(st.st_mode):
        yield Skipped(rel + "/", "symbolic link to a folder: not followed (its files are read where they are)")
    elif stat.S_ISREG(st.st_mode):
        yield from _classify(Path(entry.path), rel, row, real=Path(target))
    else:
        yield Skipped(rel, NOT_REGULAR)


def _read_manifest_entry(
    entry: os.DirEntry, rel: str, top: str, manifest: dict[str, dict[str, str]], limits: Limits
) -> Iterator[Skipped]:
    """Merge a folder's manifest into ``manifest``; report one that cannot be used."""
    found = list(_follow(entry, rel, top, {})) if entry.is_symlink() else [SourceFile(Path(entry.path), rel)]
    src = found[0] if found else None
    if not isinstance(src, SourceFile):
        yield Skipped(rel, f"manifest ignored: {src.reason if src else 'not a file'}")
        return
    try:
        manifest.update(parse_manifest(read_file(src, limits), entry.name))
    except ExtractError as exc:
        yield Skipped(rel, f"manifest ignored: {exc}")


def _read_mets_entry(
    entry: os.DirEntry, rel: str, top: str, packaged: dict[Path, dict[str, str]], consumed: set[Path]
) -> Iterator[SourceFile | Skipped]:
    """Add what a METS file says of its ALTO pages to ``packaged``; a METS file with articles is itself a source
    (its ALTO files, added to ``consumed``, are read with it); report one that cannot be used."""
    found = list(_follow(entry, rel, top, {})) if entry.is_symlink() else [SourceFile(Path(entry.path), rel)]
    src = found[0] if found else None
    if not isinstance(src, SourceFile):
        yield Skipped(rel, f"METS ignored: {src.reason if src else 'not a file'}")
        return
    try:
        if not stat.S_ISREG(os.stat(src.real or src.path).st_mode):
            raise ExtractError(NOT_REGULAR)
        package = read_mets(src.real or src.path)
    except (ExtractError, OSError) as exc:
        yield Skipped(rel, f"METS ignored: {exc}")
        return
    packaged.update(package.rows)
    if package.articles:
        parts = tuple(
            (fid, "/".join(safe_id(p) for p in path.relative_to(top).parts), path)
            for fid, path in package.files.items()
            if os.path.commonpath([top, str(path)]) == top
        )
        consumed.update(path for _, _, path in parts)
        yield SourceFile(src.path, rel, real=src.real, parts=parts)


def _unique_names(names: list[str]) -> dict[str, str]:
    """Each name of one folder -> its safe form (``safe_id``); a safe form that another name of the folder
    already has gets ``~2``, ``~3``... (names that needed no escaping keep theirs)."""
    out = {name: name for name in names if safe_id(name) == name}
    taken = set(out)
    for name in names:
        if name in out:
            continue
        safe = candidate = safe_id(name)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{safe}~{n}"
        out[name] = candidate
        taken.add(candidate)
    return out


def _classify(
    path: Path, rel: str, overrides: dict[str, str], real: Path | None = None
) -> Iterator[SourceFile | Skipped]:
    if path.suffix.lower() not in FORMATS:
        yield Skipped(rel, f"unsupported file type {safe_id(path.suffix) or '(none)'!r}")
        return
    yield SourceFile(path, rel, overrides, real)
