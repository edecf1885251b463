"""Loaders for the IR test collections with relevance judgments: TIME, Cranfield and CISI."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from search.documents import Document, PartialDate

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
COLLECTIONS = ("time", "cranfield", "cisi")


@dataclass
class Collection:
    """Documents, queries and graded judgments (qrels: query id -> doc id -> grade, higher is better)."""

    name: str
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def judged_queries(self) -> dict[str, str]:
        """The queries with at least one relevant document (the ones that are scored)."""
        return {q: t for q, t in self.queries.items() if any(g > 0 for g in self.qrels.get(q, {}).values())}


def load(name: str, root: Path = CORPUS) -> Collection:
    """Load one collection by name ("time", "cranfield" or "cisi")."""
    loaders = {"time": load_time, "cranfield": load_cranfield, "cisi": load_cisi}
    return loaders[name](root / name)


def _read(path: Path) -> str:
    return path.read_bytes().decode("latin-1")


_TIME_HEADER = re.compile(r"^\*TEXT\s+(\d+)\s+(\d\d)/(\d\d)[/ ](\d\d)", re.M)


def load_time(folder: Path) -> Collection:
    """TIME: articles are judged by their 1-based position in a 425-article file (see SOURCE.md)."""
    text = _read(folder / "TIME.ALL")
    heads = list(_TIME_HEADER.finditer(text))
    docs = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = " ".join(text[m.end() : end].split()).replace("*STOP", "").strip()
        position = i + 1 if i < 370 else i + 3  # positions 371..379 held two articles missing here
        mm, dd, yy = int(m.group(2)), int(m.group(3)), int(m.group(4))
        docs.append(Document(id=str(position), body=body, date=PartialDate(1900 + yy, mm, dd)))
    queries = {}
    for block in re.split(r"^\*FIND\s+", _read(folder / "TIME.QUE"), flags=re.M)[1:]:
        qid, _, rest = block.partition("\n")
        queries[qid.strip()] = " ".join(rest.replace("*STOP", "").split())
    qrels: dict[str, dict[str, int]] = {}
    for line in _read(folder / "TIME.REL").splitlines():
        parts = line.split()
        if len(parts) > 1:
            qrels[parts[0]] = {d: 1 for d in parts[1:]}
    return Collection("time", docs, queries, qrels)


def _smart_records(text: str) -> Iterable[tuple[str, dict[str, str]]]:
    """Split a SMART file into (id, {tag: text}) records; repeated tags are joined."""
    for rec in re.split(r"^\.I\s+", text, flags=re.M)[1:]:
        rid, _, rest = rec.partition("\n")
        fields: dict[str, list[str]] = {}
        tag = None
        for line in rest.splitlines():
            m = re.match(r"^\.([A-Z])\s*$", line)
            if m:
                tag = m.group(1)
                fields.setdefault(tag, [])
            elif tag:
                fields[tag].append(line)
        yield rid.strip(), {k: " ".join(" ".join(v).split()) for k, v in fields.items()}


def load_cranfield(folder: Path) -> Collection:
    """Cranfield: queries renumbered 1..225 in file order; grade 1 is best, -1 is dropped."""
    docs = [
        Document(id=rid, title=f.get("T", ""), body=f.get("W", ""), author=f.get("A", ""))
        for rid, f in _smart_records(_read(folder / "cran.all.1400"))
    ]
    queries = {str(k): f.get("W", "") for k, (_, f) in enumerate(_smart_records(_read(folder / "cran.qry")), 1)}
    qrels: dict[str, dict[str, int]] = {}
    for line in _read(folder / "cranqrel").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in {"1", "2", "3", "4"}:
            qrels.setdefault(parts[0], {})[parts[1]] = 5 - int(parts[2])
    return Collection("cranfield", docs, queries, qrels)


def load_cisi(folder: Path) -> Collection:
    """CISI: binary judgments; the query is its .W text."""
    docs = [
        Document(id=rid, title=f.get("T", ""), body=f.get("W", ""), author=f.get("A", ""))
        for rid, f in _smart_records(_read(folder / "CISI.ALL"))
    ]
    queries = {rid: f.get("W", "") for rid, f in _smart_records(_read(folder / "CISI.QRY"))}
    qrels: dict[str, dict[str, int]] = {}
    for line in _read(folder / "CISI.REL").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(parts[0], {})[parts[1]] = 1
    return Collection("cisi", docs, queries, qrels)


def write_index(index_dir: Path, documents: Iterable[Document]) -> None:
    """Index documents with the product's schema but no enrichment (no entities, no clusters)."""
    from datetime import datetime

    from search.enrich.analysis import words
    from search.index.schema import EXACT_FIELDS
    from search.index.storage import open_for_writing

    ix = open_for_writing(Path(index_dir))
    writer = ix.writer()
    for doc in documents:
        fields = {"id": doc.id, "title": doc.title, "body": doc.body, "length": len(words(doc.body))}
        fields.update({exact: getattr(doc, plain) for plain, exact in EXACT_FIELDS.items()})
        if doc.author:
            fields["author"] = doc.author
        if doc.source:
            fields["source"] = doc.source
        if doc.date is not None:
            fields["date"] = datetime.combine(doc.date.start(), datetime.min.time())
            fields["date_text"] = str(doc.date)
            fields["dated"] = "y"
        else:
            fields["dated"] = "n"
        writer.add_document(**fields)
    writer.commit()
