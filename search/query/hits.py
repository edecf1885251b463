"""What is shown of an article: hits, document views, export rows, and the related and similar articles."""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np

from search.documents import ENTITY_FIELDS, PAGE_BREAK, page_at, page_count
from search.enrich import analysis
from search.index.columns import UNDATED
from search.query import ranking
from search.query.archive import Snapshot
from search.query.highlight import MatchTerms, highlight_document, snippet_at
from search.query.match import bm25
from search.query.order import top_docs
from search.query.types import DocumentView, ExportRow, Hit, MarkedText

log = logging.getLogger(__name__)

RELATED_TERMS = 15


def hit(snap: Snapshot, docnum: int, score: float, terms: MatchTerms | None, similar: int) -> Hit:
    """One result: the article's metadata, and a snippet around the terms (none when terms is None)."""
    fields = snap.searcher.stored_fields(docnum)
    body = fields.get("body") or ""
    marked, at = snippet_at(body, terms) if terms is not None else (MarkedText(), 0)
    return Hit(
        **_metadata(snap, docnum, fields),
        snippet=marked,
        score=round(float(score), 4),
        similar=max(0, similar),
        on_page=page_at(body, at) if PAGE_BREAK in body else None,
        origin=str(fields.get("origin") or ""),
    )


def document_view(snap: Snapshot, docnum: int, terms: MatchTerms) -> DocumentView:
    """One whole article, every match of the terms marked, its pages counted."""
    fields = snap.searcher.stored_fields(docnum)
    body = highlight_document(fields.get("body") or "", terms)
    return DocumentView(
        **_metadata(snap, docnum, fields),
        body=body,
        hits=len(body.spans),
        pages=page_count(body.text),
        origin=str(fields.get("origin") or ""),
    )


def export_row(snap: Snapshot, docnum: int, score: float, terms: MatchTerms | None, text: bool) -> ExportRow:
    """One exported article: its hit, and with text its whole body."""
    row = hit(snap, docnum, score, terms, 0)
    body = str(snap.searcher.stored_fields(docnum).get("body") or "") if text else ""
    return ExportRow(row, body)


def related_hits(snap: Snapshot, docnum: int, limit: int) -> list[Hit]:
    """Articles sharing the document's most telling words, one per near-duplicate cluster but its own."""
    fields = snap.searcher.stored_fields(docnum)
    text = (fields.get("title") or "") + "\n" + (fields.get("body") or "")[: ranking.PRF_TEXT_CHARS]
    terms = bm25.bo1_terms(snap.terms, [text], analysis.words, RELATED_TERMS)
    if not terms:
        return []
    scores, _ = bm25.score(snap.terms, terms)
    cols = snap.columns
    candidates = (scores > 0) & cols.live & (cols.clusters != cols.clusters[docnum])
    seen: set[int] = set()
    out = []
    for d in top_docs(scores, candidates, limit * 4 + 10):
        c = int(cols.clusters[d])
        if c in seen:
            continue
        seen.add(c)
        out.append(hit(snap, d, float(scores[d]), None, 0))
        if len(out) >= limit:
            break
    return out


def similar_hits(snap: Snapshot, docnum: int) -> list[Hit]:
    """The other members of a document's near-duplicate cluster, newest first (undated last)."""
    cols = snap.columns
    own = int(cols.clusters[docnum])
    members = np.flatnonzero((cols.clusters == own) & cols.live)
    members = members[members != docnum]
    days = cols.days[members].astype(np.int64)
    order = members[np.lexsort((members, -days, days == UNDATED))]
    return [hit(snap, int(d), 0.0, None, 0) for d in order]


def _entities(snap: Snapshot, fields: dict) -> dict[str, tuple[str, ...]]:
    """The document's canonical values per facet (people, organizations, places; hidden ones dropped).

    One pass over the stored values: an archivist's retype may move a value to another facet.
    """
    out: dict[str, list[str]] = {fname: [] for fname in ENTITY_FIELDS}
    names = snap.entity_names
    for column_field in ENTITY_FIELDS:
        raw = fields.get(column_field) or ""
        values = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        for v in values:
            v = v.strip()
            if not v:
                continue
            target = out.get(names.field_of(column_field, v))
            if target is None:
                continue
            canon = names.canonical(column_field, v)
            if canon and canon not in target:
                target.append(canon)
    return {fname: tuple(vals) for fname, vals in out.items()}


def _metadata(snap: Snapshot, docnum: int, fields: dict) -> dict:
    """What a hit and a document view both show of an article: ids, dates, bylines, entities, cluster."""
    return {
        "id": str(fields.get("id", "")),
        "title": str(fields.get("title") or ""),
        "date": _date_text(snap, docnum, fields),
        "author": str(fields.get("author") or ""),
        "source": str(fields.get("source") or ""),
        "url": str(fields.get("url") or ""),
        **_entities(snap, fields),
        "cluster": str(fields.get("cluster") or ""),
        "dateline": str(fields.get("dateline") or ""),
    }


def _date_text(snap: Snapshot, docnum: int, fields: dict) -> str | None:
    text = fields.get("date_text")
    if text:
        return str(text)
    day = int(snap.columns.days[docnum])
    return None if day == UNDATED else datetime.fromordinal(day).date().isoformat()
