"""Enrichment of one Document: entities and a near-duplicate signature. Pure, so it runs in any process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from search.documents import Document
from search.enrich.duplicates import signature
from search.enrich.entities import DocEntities, extract_entities


@dataclass(frozen=True)
class Enriched:
    """A Document with what enrichment adds, ready for the index writer."""

    doc: Document
    entities: DocEntities
    signature: bytes
    timings: dict[str, float] = field(default_factory=dict, compare=False)


def enrich(doc: Document, entities: bool = True) -> Enriched:
    """Find the article's entities (unless turned off) and compute its near-duplicate signature."""
    t0 = time.perf_counter()
    found = extract_entities(doc.title, doc.body, doc.dateline) if entities else DocEntities()
    t1 = time.perf_counter()
    sig = signature(doc.body)
    t2 = time.perf_counter()
    return Enriched(doc, found, sig, {"entities": t1 - t0, "signature": t2 - t1})


def warm_up() -> None:
    """Load the NLTK models once, before worker processes fork, so they share them."""
    extract_entities("Warm-up", "President Vladimir Putin met officials of the United Nations in Geneva.")
