"""METS packaging of a digitised newspaper issue. What it says of the ALTO pages it lists (the issue's date and
title, each page's number) the indexer applies to those pages as a manifest does. When its logical structure map
has articles (``<div TYPE="ARTICLE">`` whose areas point at ALTO text blocks), the issue is read as one source:
one Document per article (its blocks in order, over as many pages as it runs), and the blocks no article holds
stay page documents, so nothing is lost."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from search.documents import Document, PartialDate
from search.extract.alto import block_text, local, page_blocks, pages_of, parse_xml, reading_order
from search.extract.dates import parse_date
from search.extract.errors import ExtractError, Note, Skipped
from search.extract.paged import MAX_PAGES, paged_document

MAX_METS_BYTES = 20 * 1024 * 1024
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass(frozen=True)
class Article:
    """An article of the logical structure map: its key (DMDID, else ID), LABEL and the (file id, block id) of
    each of its areas in order."""

    key: str
    label: str
    areas: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Package:
    """What a METS file says: per ALTO file (resolved against its folder) the manifest-like row, the ALTO files
    by their file id, and the articles of its logical structure map (none when it has no such map)."""

    rows: dict[Path, dict[str, str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    articles: tuple[Article, ...] = ()


def is_mets_name(name: str) -> bool:
    """METS files are named for it: ``mets.xml``, ``0001_mets.xml``, ``issue-METS.xml``."""
    return name.lower().endswith("mets.xml")


def read_mets(path: Path) -> Package:
    """What the METS file at ``path`` says of its ALTO files; ExtractError when it is not a readable METS file."""
    if path.stat().st_size > MAX_METS_BYTES:
        raise ExtractError(f"METS file larger than {MAX_METS_BYTES // 1024 // 1024} MB")
    root = _parse_mets(path.read_bytes())
    articles = _articles(root)
    files = _alto_files(root, path.parent)
    return Package(_rows(root, files, articles), files, articles)


def _parse_mets(raw: bytes) -> etree._Element:
    root = parse_xml(raw)
    if local(root.tag) != "mets":
        raise ExtractError(f"not a METS file: the root element is <{local(root.tag)}>")
    return root


def _rows(root: etree._Element, file_ids, articles: tuple[Article, ...]) -> dict:
    """Per ALTO file (keyed as in ``file_ids``: id -> key): date, source (the paper) and a title naming the
    issue and page."""
    paper, issued = _issue(root, {a.key for a in articles})
    pages = _page_numbers(root)
    out = {}
    for file_id, target in file_ids.items():
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


def _issue(root, article_keys: set[str] = frozenset()) -> tuple[str, str]:
    """The title of the paper and the issue's date (as YYYY[-MM[-DD]]) from the first MODS record that has them
    (an article's own record, named by its DMDID, is not the issue's)."""
    paper = issued = ""
    for el in root.iter():
        name = local(el.tag)
        if name == "dmdSec" and el.get("ID") in article_keys:
            continue
        if any(local(a.tag) == "dmdSec" and a.get("ID") in article_keys for a in el.iterancestors()):
            continue
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
    """File id -> path of every file the METS lists that is XML text (the ALTO pages) inside its folder."""
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


def _page_orders(root) -> dict[str, int]:
    """File id -> the issue's page number: ORDER of its physical page div when a number, else its rank there."""
    out: dict[str, int] = {}
    rank = 0
    for div in root.iter():
        if local(div.tag) != "div" or (div.get("TYPE") or "").lower() != "page":
            continue
        rank += 1
        order = div.get("ORDER") or ""
        number = int(order) if order.isdigit() and 0 < int(order) <= MAX_PAGES else rank  # bounds the body's breaks
        for ptr in div.iter():
            if local(ptr.tag) == "fptr" and ptr.get("FILEID"):
                out.setdefault(ptr.get("FILEID"), number)
    return out


def _articles(root) -> tuple[Article, ...]:
    """The article divs of the logical structure maps, each with the areas it holds itself (an article nested in
    another keeps its own), keyed uniquely."""
    out: list[Article] = []
    keys: set[str] = set()
    for smap in root.iter():
        if local(smap.tag) != "structMap" or (smap.get("TYPE") or "").upper() != "LOGICAL":
            continue
        for div in smap.iter():
            if local(div.tag) != "div" or (div.get("TYPE") or "").upper() != "ARTICLE":
                continue
            areas = tuple(
                (a.get("FILEID", ""), a.get("BEGIN", ""))
                for a in div.iter()
                if local(a.tag) == "area" and _owner(a) is div and a.get("FILEID") and a.get("BEGIN")
            )
            key = base = (div.get("DMDID") or div.get("ID") or f"article{len(out) + 1}").split()[0]
            n = 1
            while key in keys:
                n += 1
                key = f"{base}~{n}"
            keys.add(key)
            out.append(Article(key, " ".join((div.get("LABEL") or "").split()), areas))
    return tuple(out)


def _owner(area: etree._Element) -> etree._Element | None:
    """The nearest article div holding an area."""
    for a in area.iterancestors():
        if local(a.tag) == "div" and (a.get("TYPE") or "").upper() == "ARTICLE":
            return a
    return None


# -- an issue read as one source: the METS file and the ALTO files it lists, in one byte string -------------


def pack(mets: bytes, parts: list[tuple[str, str, bytes | None, str]]) -> bytes:
    """The METS file and its ALTO files (file id, id of the page document, bytes or None, why not read) as one
    byte string: what the indexer hashes (a change to any page re-reads the issue) and hands to ``extract``."""
    head = [{"id": i, "rel": r, "size": len(b) if b is not None else None, "error": e} for i, r, b, e in parts]
    header = json.dumps({"mets": len(mets), "parts": head}).encode()
    return b"".join([header, b"\n", mets, *(b for _, _, b, _ in parts if b is not None)])


def _unpack(raw: bytes) -> tuple[bytes, list[tuple[str, str, bytes | None, str]]]:
    header, _, rest = raw.partition(b"\n")
    try:
        head = json.loads(header)
        at = head["mets"]
        mets, parts = rest[:at], []
        for p in head["parts"]:
            data = None
            if p["size"] is not None:
                data, at = rest[at : at + p["size"]], at + p["size"]
            parts.append((p["id"], p["rel"], data, p["error"] or ""))
    except (ValueError, KeyError, TypeError):
        raise ExtractError("not a METS issue as the indexer packs it") from None
    return mets, parts


def extract(raw: bytes, doc_id: str) -> list[Document | Skipped | Note]:
    """One Document per article of the issue (id ``<METS path>#<DMDID>``, title its LABEL else its first line,
    pages numbered as in the issue) and one per ALTO file for the text no article holds; what cannot be read
    (an ALTO file missing or malformed, an area naming a block that is not there) reported in one line each."""
    mets, parts = _unpack(raw)
    root = _parse_mets(mets)
    articles = _articles(root)
    paper, issued = _issue(root, {a.key for a in articles})
    try:
        date = PartialDate.parse(issued) if issued else None
    except ValueError:
        date = None
    orders = _page_orders(root)
    rows = _rows(root, {fid: fid for fid, _, _, _ in parts}, articles)
    out: list[Document | Skipped | Note] = []
    blocks: dict[str, dict[str, tuple[int, etree._Element]]] = {}  # file id -> block id -> (page, block)
    pages: dict[str, list[list[etree._Element]]] = {}  # file id -> its pages' blocks in reading order
    for n, (fid, rel, data, error) in enumerate(parts, 1):
        if data is None:
            out.append(Skipped(rel, f"ALTO file listed by the METS file {doc_id} not read: {error}"))
            continue
        try:
            alto_root = parse_xml(data)
            file_pages = pages_of(alto_root)[:MAX_PAGES]
        except ExtractError as exc:
            out.append(Skipped(rel, str(exc)))
            continue
        order = reading_order(alto_root)
        first = orders.get(fid, n)
        pages[fid] = []
        found: dict[str, tuple[int, etree._Element]] = {}
        for k, page in enumerate(file_pages):
            held = page_blocks(page, order)
            pages[fid].append(held)
            for b in held:
                if b.get("ID"):
                    found.setdefault(b.get("ID"), (first + k, b))
        blocks[fid] = found
    claimed: set[tuple[str, str]] = set()
    for article in articles:
        out.extend(_article(article, doc_id, blocks, claimed, paper, date))
    for fid, rel, _data, _error in parts:
        texts = [
            "\n\n".join(t for t in (block_text(b) for b in page if (fid, b.get("ID", "")) not in claimed) if t)
            for page in pages.get(fid, ())
        ]
        if any(t.strip() for t in texts):
            doc = paged_document(rel, texts, origin="alto")
            out.append(doc.with_overrides(title=rows.get(fid, {}).get("title"), source=paper, date=date))
    return out


def _article(
    article: Article,
    doc_id: str,
    blocks: dict[str, dict[str, tuple[int, etree._Element]]],
    claimed: set[tuple[str, str]],
    paper: str,
    date: PartialDate | None,
) -> list[Document | Skipped | Note]:
    """One article's Document: its blocks' text page by page, pages before its first left empty so that a
    hit's page is the issue's; and a note of the areas that name no block."""
    art_id = f"{doc_id}#{article.key}"
    by_page: dict[int, list[str]] = {}
    missing: list[str] = []
    for fid, begin in article.areas:
        hit = blocks.get(fid, {}).get(begin)
        if hit is None:
            missing.append(f"{fid}/{begin}")
            continue
        if (fid, begin) in claimed:
            continue
        claimed.add((fid, begin))
        text = block_text(hit[1])
        if text:
            by_page.setdefault(hit[0], []).append(text)
    name = f"article {article.label!r}" if article.label else "article"
    note = f"{name}: {len(missing)} of its areas name no text block that was read ({', '.join(missing[:5])})"
    if not by_page:
        return [Skipped(art_id, note if missing else f"{name} without any text")]
    last = max(by_page)
    texts = ["\n\n".join(by_page.get(p, ())) for p in range(1, last + 1)]
    doc = paged_document(art_id, texts, title=article.label, date=date, origin="alto")
    out: list[Document | Skipped | Note] = [replace(doc, source=paper or doc.source)]
    if missing:
        out.append(Note(art_id, note))
    return out
