"""METS packaging of a digitised newspaper issue: read for what it says of the ALTO pages it lists (the
issue's date and title, each page's number), which the indexer applies to those pages as a manifest does."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from search.extract.alto import local, parse_xml
from search.extract.dates import parse_date
from search.extract.errors import ExtractError

MAX_METS_BYTES = 20 * 1024 * 1024
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def is_mets_name(name: str) -> bool:
    """METS files are named for it: ``mets.xml``, ``0001_mets.xml``, ``issue-METS.xml``."""
    return name.lower().endswith("mets.xml")


def read_mets(path: Path) -> dict[Path, dict[str, str]]:
    """Per ALTO file the METS lists (resolved against its folder): date, source (the title of the paper) and
    a title naming the issue and page; ExtractError when it is not a readable METS file."""
    if path.stat().st_size > MAX_METS_BYTES:
        raise ExtractError(f"METS file larger than {MAX_METS_BYTES // 1024 // 1024} MB")
    root = parse_xml(path.read_bytes())
    if local(root.tag) != "mets":
        raise ExtractError(f"not a METS file: the root element is <{local(root.tag)}>")
    paper, issued = _issue(root)
    files = _alto_files(root, path.parent)
    pages = _page_numbers(root)
    out: dict[Path, dict[str, str]] = {}
    for file_id, target in files.items():
        row: dict[str, str] = {}
        if issued:
            row["date"] = issued
        if paper:
            row["source"] = paper
        label = pages.get(file_id)
        parts = [p for p in (paper, issued) if p]
        if parts and label:
            row["title"] = f"{', '.join(parts)}, page {label}"
        out[target] = row
    return out


def _issue(root) -> tuple[str, str]:
    """The title of the paper and the issue's date (as YYYY[-MM[-DD]]) from the first MODS record that has them."""
    paper = issued = ""
    for el in root.iter():
        name = local(el.tag)
        if name == "title" and not paper and el.text and el.text.strip():
            paper = " ".join(el.text.split())
        elif name in ("dateIssued", "dateCreated") and not issued and el.text and el.text.strip():
            try:
                date = parse_date(el.text.strip())
            except ValueError:
                continue
            issued = str(date) if date else ""
    return paper, issued


def _alto_files(root, folder: Path) -> dict[str, Path]:
    """File id -> path of every file the METS lists that is XML text (the ALTO pages)."""
    out: dict[str, Path] = {}
    for el in root.iter():
        if local(el.tag) != "file":
            continue
        for loc in el:
            href = loc.get(_XLINK_HREF) if local(loc.tag) == "FLocat" else None
            if not href:
                continue
            parts = urlsplit(href)
            if parts.scheme not in ("", "file") or parts.netloc not in ("", "."):
                continue
            rel = unquote(parts.path).lstrip("/") if parts.netloc == "." else unquote(parts.path)
            target = (folder / rel).resolve()
            if target.suffix.lower() == ".xml" and folder.resolve() in target.parents:
                out[el.get("ID", "")] = target
    return out


def _page_numbers(root) -> dict[str, str]:
    """File id -> the page's label (ORDERLABEL, else ORDER) from the physical structure map."""
    out: dict[str, str] = {}
    for div in root.iter():
        if local(div.tag) != "div" or (div.get("TYPE") or "").lower() != "page":
            continue
        label = div.get("ORDERLABEL") or div.get("ORDER") or ""
        for ptr in div.iter():
            if local(ptr.tag) == "fptr" and ptr.get("FILEID") and label:
                out.setdefault(ptr.get("FILEID"), label)
    return out
