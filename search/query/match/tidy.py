"""Tidying a parsed query: prefixes over stemmed words, and bounded expansions of prefixes, wildcards, ranges
and fuzzy words (each one cut is noted)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from whoosh import query as wq

from search.enrich.analysis import snowball_stem
from search.query.clean import DEFAULT_FIELDS, note
from search.query.match.expand import MAX_QUERY_TERMS, MAX_TERMS, Expansion, shown

log = logging.getLogger(__name__)

MAX_FUZZY_EDITS = 2
Expander = Callable[[wq.Query, int], "Expansion | None"]


def _prefix_stems(node: wq.Prefix, lexicon: Callable[[str, str], bool] | None) -> list[str]:
    """The stems a prefix's words reduce to that the prefix does not cover ("negotiat*" finds "negoti")."""
    raw = node.text.lower()
    stems = {snowball_stem(raw)}
    if lexicon is not None:
        # Stems shorter than the prefix that it extends: at most 3 letters cut, never below 4 letters.
        stems |= {raw[:k] for k in range(max(4, len(raw) - 3), len(raw)) if lexicon(node.fieldname, raw[:k])}
    return sorted(s for s in stems if len(s) >= 2 and not s.startswith(raw))


def _stemmed_prefix(node: wq.Prefix, lexicon: Callable[[str, str], bool] | None) -> wq.Query:
    """A prefix over stemmed terms: also the stems its words reduce to."""
    stems = _prefix_stems(node, lexicon)
    if not stems:
        return node
    raw = node.text.lower()
    return wq.Or([wq.Prefix(node.fieldname, raw), *(wq.Term(node.fieldname, s) for s in stems)])


_EXPANDING = (wq.Prefix, wq.Wildcard, wq.Regex, wq.TermRange, wq.FuzzyTerm)


def tidy(
    q: wq.Query,
    lexicon: Callable[[str, str], bool] | None = None,
    expand: Expander | None = None,
) -> wq.Query:
    """Stemmed prefixes, bounded expansions (each one cut is noted), and normalisation."""
    budget = [MAX_QUERY_TERMS]  # words left for the expansions of this query
    cut: dict[str, Expansion] = {}  # expressions whose expansion was cut, as the user wrote them

    def expanded(node: wq.Query) -> wq.Query | None:
        """The node as the indexed words it stands for (None: leave it to Whoosh)."""
        if expand is None:
            return None
        if isinstance(node, wq.Prefix) and node.fieldname in DEFAULT_FIELDS:
            node = wq.Prefix(node.fieldname, node.text.lower(), boost=node.boost)
        found = expand(node, max(1, min(MAX_TERMS, budget[0])))
        if found is None:
            return None
        budget[0] -= len(found.terms)
        if found.cut:  # noted once per expression (a word searched in title and body is expanded in each)
            text = shown(node, DEFAULT_FIELDS)
            was = cut.get(text)
            cut[text] = found if was is None or found.matched > was.matched else was
        words = list(found.terms)
        if isinstance(node, wq.Prefix) and node.fieldname in DEFAULT_FIELDS:
            words += [s for s in _prefix_stems(node, lexicon) if s not in found.terms]
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(node.fieldname, t, boost=node.boost) for t in words])

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_FUZZY_EDITS:
                note(f"A fuzzy search allows at most {MAX_FUZZY_EDITS} changed letters.")
                node.maxdist = MAX_FUZZY_EDITS
            node.prefixlength = min(node.prefixlength, 1)
        if isinstance(node, _EXPANDING):
            out = expanded(node)
            if out is not None:
                return out
            if isinstance(node, wq.Prefix) and node.fieldname in DEFAULT_FIELDS:
                return _stemmed_prefix(node, lexicon)
        if node.is_leaf():
            return node
        return node.apply(fix)

    try:
        q = fix(q).normalize()
    except Exception as exc:
        log.info("could not tidy %r: %s", q, exc)
    for text, found in cut.items():
        more = "" if found.scanned else "more than "
        note(
            f"“{text}” stands for {more}{found.matched:,} words: only the {len(found.terms)} found in most"
            " articles were searched. Add letters to narrow it."
        )
    return q
