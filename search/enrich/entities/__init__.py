"""Named entities: NLTK finds the spans, the project mends, types and normalises them into facet values.

The stages, in the order an article meets them: ``text`` (tokens and sentences), ``spans`` (NLTK's chunks
through ``tagger`` and ``chunker``, recased headlines, tables, datelines), ``clues`` (article-wide hints),
``mend`` (an ordered list of small named rules that fix each span: ``joins`` widen it, ``mend`` trims it,
``judge`` drops, splits or keeps it), ``evidence`` (type scores), ``resolve`` (one type and one value per name
in the article); ``lexicon`` holds every word list and ``gazetteer`` loads NLTK's.  Across the archive:
``names`` (comparison keys), ``merge`` (one group per real entity) with ``linking`` (lone surnames by
context), ``authority`` (the archivist's rules) and ``map`` (the entity map beside the index).
"""

from __future__ import annotations

from search.enrich.entities.article import (
    DocEntities,
    clear_caches,
    extract_entities,
    extract_mentions,
    iter_values,
)
from search.enrich.entities.lexicon import ORG, PERSON, PLACE, TYPES
from search.enrich.entities.resolve import Mention

__all__ = [
    "ORG",
    "PERSON",
    "PLACE",
    "TYPES",
    "DocEntities",
    "Mention",
    "clear_caches",
    "extract_entities",
    "extract_mentions",
    "iter_values",
]
