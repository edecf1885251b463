"""Named entities of one article: NLTK finds the spans; we mend, type and normalise them for facets.

``extract_entities`` is a pure function of the article's text (so it runs in any process); the tagger
and the chunker are loaded once per process (see ``chunker``).  ``extract_mentions`` returns
the same entities mention by mention, with character offsets (for benchmarks and highlighting).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from search.documents import EntityKind
from search.enrich.entities import spans
from search.enrich.entities.clues import abbreviated_names, pair_names
from search.enrich.entities.evidence import evidence
from search.enrich.entities.gazetteer import Lexicon, lexicon
from search.enrich.entities.lexicon import TYPES
from search.enrich.entities.mend import mend
from search.enrich.entities.resolve import SPACES, Mention, resolve
from search.enrich.entities.spans import (
    Span,
    all_caps,
    article_casing,
    dateline_span,
    dateline_spans,
    drop_overlaps,
    is_table,
    lexicon_spans,
    needs_chunking,
    recase,
    regions,
    table_spans,
    truecase,
)
from search.enrich.entities.text import join_abbreviated, lines_with_offsets, sentences, tokenize


@dataclass(frozen=True)
class DocEntities:
    """The article's entities per type: document-level canonical value -> aliases seen in the article."""

    people: dict[str, tuple[str, ...]] = field(default_factory=dict)
    organizations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def of_type(self, type_: str) -> dict[str, tuple[str, ...]]:
        """The values of one type (``person``, ``organization`` or ``place``)."""
        return getattr(self, EntityKind(type_).field)


def extract_mentions(title: str, body: str, dateline: str = "") -> list[Mention]:
    """Every entity mention of the article with its type and its document-level canonical value."""
    lex = lexicon()
    abbreviated = abbreviated_names(title + "\n" + body, lex)
    firms = pair_names(body, lex)
    cased = article_casing(body, lex, abbreviated)
    found: list[Span] = []
    if dateline:
        found.extend(dateline_spans("dateline", dateline, cased, lex))
    for part, text in (("title", title), ("body", body)):
        if not text:
            continue
        dl = dateline_span(text, lex)
        if dl:
            found.extend(dateline_spans(part, text[: dl[1]], cased, lex, start=dl[0]))
            found.extend(_candidates(part, " " * dl[1] + text[dl[1] :], cased, lex, abbreviated, firms))
        else:
            found.extend(_candidates(part, text, cased, lex, abbreviated, firms))
    found = [s for s in found if s.words]
    for s in found:
        evidence(s, lex)
    return resolve(found, body, lex)


def _candidates(
    part: str,
    text: str,
    casing: dict[str, str],
    lex: Lexicon,
    abbreviated: frozenset[tuple[str, str]] = frozenset(),
    firms: frozenset[tuple[str, str]] = frozenset(),
) -> list[Span]:
    out: list[Span] = []
    for offset, line in lines_with_offsets(text):
        if not spans.HAS_CAPITAL.search(line):
            continue  # no capital letter, no name: skip the line without tokenising it
        for sent in sentences(join_abbreviated(tokenize(line, offset), abbreviated)):
            words = [t.text for t in sent]
            caps = all_caps(sent)
            if caps:
                words = truecase(sent, casing, lex)
            else:
                words = [
                    w if len(w) < 4 or not w.isupper() else recase(t, w, casing, lex)
                    for t, w in zip(sent, words, strict=True)
                ]
            if is_table(sent):
                out.extend(table_spans(part, sent, words, lex))
                continue
            if not needs_chunking(words, lex):
                continue
            found: list[Span] = []
            for lo, hi, chunked in regions(words, sent):
                for span in mend(part, words, sent, lo, hi, lex, firms):
                    span.chunked = chunked
                    found.append(span)
            # Known places and organisations the chunker and the tagger left out ("told Reuters", headlines).
            found.extend(lexicon_spans(part, sent, words, lex, found))
            out.extend(drop_overlaps(found))
    return out


def extract_entities(title: str, body: str, dateline: str = "") -> DocEntities:
    """Spans by NLTK (pos_tag, ne_chunk binary=True, models loaded once per process), typed and normalised."""
    found: dict[str, dict[str, set[str]]] = {t: defaultdict(set) for t in TYPES}
    for m in extract_mentions(title, body, dateline):
        aliases = found[m.type][m.value]
        surface = SPACES.sub(" ", m.text.replace(",", " ")).strip()
        if surface != m.value:
            aliases.add(surface)
    people, orgs, places = ({v: tuple(sorted(a)) for v, a in found[t].items()} for t in TYPES)
    return DocEntities(people=people, organizations=orgs, places=places)


def clear_caches() -> None:
    """Forget cached sentence chunks (tests and long-running workers)."""
    spans.clear_caches()


def iter_values(doc: DocEntities) -> Iterable[tuple[str, str, tuple[str, ...]]]:
    """(type, value, aliases) for every entity of the document."""
    for t in TYPES:
        for v, a in doc.of_type(t).items():
            yield t, v, a
