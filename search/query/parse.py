"""The query language: best-effort parsing of what a user typed into a Whoosh query, with notes."""

from __future__ import annotations

import contextvars
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from whoosh import query as wq
from whoosh.fields import DATETIME, Schema
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    OrGroup,
    QueryParser,
)
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.plugins import EveryPlugin, SingleQuotePlugin
from whoosh.util.times import datetime_to_long

from search.documents import PartialDate
from search.enrich.analysis import snowball_stem
from search.query import ranking
from search.query.highlight import analyse_terms

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
MAX_FUZZY_EDITS = 2
DEFAULT_FIELDS = ("title", "body")
SEARCHABLE = ("title", "body", "author", "source", "people_words", "organizations_words", "places_words")
ALIASES = {
    "people_words": ["person", "people"],
    "organizations_words": ["org", "orgs", "organization", "organisation", "organizations", "organisations"],
    "places_words": ["place", "places"],
}
_FIELD_NAMES = {
    *SEARCHABLE,
    "date",
    *(alias for names in ALIASES.values() for alias in names),
}
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_notes: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("query_notes", default=None)


@dataclass
class ParsedQuery:
    """A parsed query: what to match and score, the optional words and how many must match."""

    query: wq.Query  # matches and scores (None-like NullQuery when nothing searchable is left)
    text: str  # the cleaned query text
    notes: list[str] = field(default_factory=list)
    should: list[wq.Query] = field(default_factory=list)  # long queries: the optional word clauses
    min_should: int = 0
    words: list[str] = field(default_factory=list)  # plain words typed (for suggestions)
    long: bool = False
    should_terms: list[str] = field(default_factory=list)  # the analysed word of each should clause
    should_weights: list[float] = field(default_factory=list)  # how often each word occurs in the query
    must: list[wq.Query] = field(default_factory=list)  # long queries: required clauses (phrases, fields)
    nots: list[wq.Query] = field(default_factory=list)  # long queries: excluded clauses
    scores: Any = None  # numpy BM25F scores per docnum, once computed for a bag-of-words query

    @property
    def bag_of_words(self) -> bool:
        """Scored by the vectorised BM25F: plain words (all required, or minimum-should-match) and exclusions."""
        return bool(self.should_terms) and not self.must

    @property
    def empty(self) -> bool:
        return isinstance(self.query, wq.NullQuery.__class__) or self.query is wq.NullQuery


def _note(text: str) -> None:
    notes = _notes.get()
    if notes is not None and text not in notes:
        notes.append(text)


class _DateField(DATETIME):
    """The date field as the parser sees it: YYYY, YYYY-MM, YYYY-MM-DD and open ranges, never raising."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> wq.Query:
        period = _period(qstring)
        if period is None:
            return wq.NullQuery
        return wq.NumericRange(fieldname, period[0], period[1], boost=boost)

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> wq.Query:
        lo = _period(start) if start not in (None, "", "*") else (None, None)
        hi = _period(end) if end not in (None, "", "*") else (None, None)
        if lo is None or hi is None:
            return wq.NullQuery
        if lo[0] is None and hi[1] is None:
            return wq.Every("date")
        return wq.NumericRange(fieldname, lo[0], hi[1], startexcl=startexcl, endexcl=endexcl, boost=boost)


def _period(text: str | None) -> tuple[int, int] | None:
    """The first and last microsecond of a partial date, as Whoosh's DATETIME longs."""
    try:
        pd = PartialDate.parse((text or "").strip())
    except ValueError:
        _note(f"Ignored “date:{text}”: a date is written YYYY, YYYY-MM or YYYY-MM-DD.")
        return None
    first = pd.start()
    if pd.precision == "year":
        last = first.replace(month=12, day=31)
    elif pd.precision == "month":
        nxt = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
        last = nxt.fromordinal(nxt.toordinal() - 1)
    else:
        last = first
    return datetime_to_long(datetime.combine(first, time.min)), datetime_to_long(datetime.combine(last, time.max))


def parser_schema(schema: Schema) -> Schema:
    """The fields a user may name, with the date field replaced by the forgiving one."""
    out = Schema()
    for name in SEARCHABLE:
        if name in schema:
            out.add(name, schema[name])
    out.add("date", _DateField())
    return out


_parsers: dict[tuple[int, bool], QueryParser] = {}


def make_parser(schema: Schema, long: bool) -> QueryParser:
    """A parser over title and body; AND between words for short queries, OR for long ones (cached)."""
    key = (id(schema), long)
    if key not in _parsers:
        _parsers[key] = _new_parser(schema, long)
    return _parsers[key]


def _new_parser(schema: Schema, long: bool) -> QueryParser:
    qp = QueryParser(None, parser_schema(schema), group=OrGroup if long else AndGroup)
    qp.remove_plugin_class(SingleQuotePlugin)
    qp.remove_plugin_class(EveryPlugin)
    qp.add_plugin(MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts={"title": ranking.TITLE_BOOST}))
    qp.add_plugin(FieldAliasPlugin(ALIASES))
    qp.add_plugin(FuzzyTermPlugin())
    qp.add_plugin(GtLtPlugin())
    return qp


# ---- cleaning what was typed ---------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _field_or_word(m: re.Match[str]) -> str:
    name = m.group(1).lower()
    return name + ":" if name in _FIELD_NAMES else m.group(1) + " "


_LONE_WILDCARD = re.compile(r"(?<![\w\]])[*?]+(?![\w\[])")
_SHORT_WILDCARD = re.compile(r"(?<![\w:])(\w?)[*?]\S*")


def clean(text: str) -> tuple[str, list[str]]:
    """Repair what would not parse (unbalanced quotes and brackets, lone operators) and say what changed."""
    notes: list[str] = []
    text = _CONTROL.sub(" ", text or "").replace("“", '"').replace("”", '"').replace("„", '"')
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"Only the first {MAX_QUERY_CHARS} characters of the query were used.")
    if text.count('"') % 2:
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1 :]
        notes.append("Ignored a quotation mark that was not closed.")
    text = _balance(text, "(", ")", "parenthesis", notes)
    text = _balance(text, "[", "]", "bracket", notes)
    text = _balance(text, "{", "}", "brace", notes)
    if not re.search(r"[^\W\d_]", text.upper().lower()) or text.upper() != text:
        pass
    elif len(text.split()) > ranking.LONG_QUERY_WORDS + 2 and re.search(r"\b(AND|OR|NOT)\b", text):
        # A long query all in capitals is pasted text: its AND, OR and NOT are words, not operators.
        text = re.sub(r"\b(AND|OR|NOT)\b", lambda m: m.group(1).lower(), text)
        notes.append("The query is all in capitals, so AND, OR and NOT in it were read as words.")
    # A question mark that ends a word is punctuation, not a one-letter wildcard.
    text = re.sub(r"(?<=\w)\?+(?=[\s,.;:!)\]]|$)", " ", text)
    # word: that names no field is ordinary punctuation ("Note: ...", "10:30").
    text = re.sub(r"\b(\w+):", _field_or_word, text)
    # -word means NOT word; +word is just word.
    text = re.sub(r'(^|[\s(])-+(?=[\w"(])', r"\1NOT ", text)
    text = re.sub(r'(^|[\s(])\++(?=[\w"(])', r"\1", text)
    if _LONE_WILDCARD.search(_outside_quotes(text)):
        text = _LONE_WILDCARD.sub(" ", text)
        notes.append("Ignored a wildcard that stood alone: add at least two letters before * or ?.")
    text = _drop_short_wildcards(text, notes)
    text = _drop_empty_fields(text, notes)
    text = _drop_lone_operators(text, notes)
    return " ".join(text.split()), notes


def _outside_quotes(text: str) -> str:
    return re.sub(r'"[^"]*"', " ", text)


def _balance(text: str, left: str, right: str, name: str, notes: list[str]) -> str:
    out, depth, dropped, quoted = [], 0, False, False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == left:
            depth += 1
        elif not quoted and ch == right:
            if depth == 0:
                dropped = True
                out.append(" ")
                continue
            depth -= 1
        out.append(ch)
    result = "".join(out)
    if depth:
        result += right * depth
        notes.append(f"Closed a {name} that was left open.")
    if dropped:
        notes.append(f"Ignored an unmatched {name}.")
    return result


def _drop_short_wildcards(text: str, notes: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        literal = re.match(r"[^*?]*", word).group(0)  # type: ignore[union-attr]
        if len(literal) >= 2 or word.startswith(("[", "{")):
            return word
        notes.append(f"Ignored “{word}”: a wildcard needs at least two letters before * or ?.")
        return " "

    parts = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') else re.sub(r"(?<![\w:\[])\S*[*?]\S*", repl, p) for p in parts)


def _drop_empty_fields(text: str, notes: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        notes.append(f"Ignored “{m.group(1)}:” with nothing after it.")
        return " "

    return re.sub(r"(?<![\w:])(\w+):(?=\s|$|\))", repl, text)


def _drop_lone_operators(text: str, notes: list[str]) -> str:
    tokens = re.findall(r'"[^"]*"|\S+', text)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        bare = tok.strip("()")
        if bare not in _OPERATORS or bare != tok:
            out.append(tok)
            continue
        prev = out[-1] if out else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        at_start = prev is None or prev.endswith("(") or prev in _OPERATORS
        at_end = nxt is None or nxt.startswith(")") or (nxt in _OPERATORS and nxt != "NOT")
        lone = at_end if tok == "NOT" else at_start or at_end
        if lone:
            notes.append(f"Ignored “{tok}”, which had nothing to join.")
            continue
        out.append(tok)
    return " ".join(out)


# ---- parsing -----------------------------------------------------------------------------

_SYNTAX = re.compile(r'\b(AND|OR|NOT)\b|["()\[\]{}]|\w+:|[*?~^]')


def count_words(text: str, analyzer) -> int:
    """Content words in a query (stop words and operators excluded)."""
    plain = _SYNTAX.sub(" ", text)
    return sum(1 for _ in analyzer(plain))


def parse(
    text: str,
    schema: Schema,
    analyzer,
    lexicon: Callable[[str, str], bool] | None = None,
    fuzzy: Callable[[str, str, int, int], list[str]] | None = None,
) -> ParsedQuery:
    """Parse user input into a ParsedQuery; never raises, explains anything ignored in notes.

    lexicon(field, term) tells whether the index holds a term (for stemmed prefixes).
    """
    cleaned, notes = clean(text)
    token = _notes.set(notes)
    try:
        return _parse(cleaned, schema, analyzer, notes, lexicon, fuzzy)
    finally:
        _notes.reset(token)


def _parse(
    cleaned: str,
    schema: Schema,
    analyzer,
    notes: list[str],
    lexicon: Callable[[str, str], bool] | None,
    fuzzy: Callable[[str, str, int, int], list[str]] | None = None,
) -> ParsedQuery:
    plain = re.sub(r"\S*[*?~]\S*|\w+:(\[[^\]]*\]|\S*)", " ", cleaned)
    words = re.findall(r"[^\W\d_][\w'’-]*", _SYNTAX.sub(" ", plain))
    if not cleaned:
        return ParsedQuery(wq.Every(), cleaned, notes, words=words)
    n = count_words(cleaned, analyzer)
    long = n > ranking.LONG_QUERY_WORDS
    try:
        q = make_parser(schema, long).parse(cleaned)
    except (QueryParserError, Exception) as exc:  # Whoosh can fail in odd corners; never propagate
        log.info("query %r did not parse (%s); searching its words", cleaned, exc)
        notes.append("The query's syntax could not be read, so its words were searched for instead.")
        plain = " ".join(_SYNTAX.sub(" ", cleaned).split())
        try:
            q = make_parser(schema, long).parse(plain)
        except Exception:
            q = wq.NullQuery
    q = _tidy(q, schema, lexicon, fuzzy)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        if not notes:
            notes.append("Nothing searchable was left in the query (only very common words or symbols).")
        return ParsedQuery(wq.NullQuery, cleaned, notes, words=words)
    if long:
        return _long_query(q, cleaned, notes, words)
    parsed = ParsedQuery(q, cleaned, notes, words=words)
    # Plain words that must all match: scored by the vectorised BM25F too.
    clauses = list(q.subqueries) if isinstance(q, wq.And) else [q]
    if clauses and all(_is_word_clause(c) for c in clauses):
        parsed.should = clauses
        parsed.should_terms = [_word_of(c) for c in clauses]
        parsed.should_weights = [1.0] * len(clauses)
        parsed.min_should = len(clauses)
    return parsed


def _long_query(q: wq.Query, cleaned: str, notes: list[str], words: list[str]) -> ParsedQuery:
    """Split a long query into required clauses, optional word clauses and exclusions."""
    subs = list(q.subqueries) if isinstance(q, wq.Or) else [q]
    # Normalising flattens "title:w OR body:w" of every word into one OR: regroup them per word.
    by_word: dict[str, list[wq.Query]] = {}
    rest = []
    for sub in subs:
        if isinstance(sub, wq.Term) and not isinstance(sub, wq.MultiTerm) and sub.fieldname in DEFAULT_FIELDS:
            by_word.setdefault(str(sub.text), []).append(sub)
        else:
            rest.append(sub)
    # Parsing drops repeated words; a pasted text repeats what matters, so count them in the text.
    occurrences = Counter(analyse_terms(_SYNTAX.sub(" ", cleaned)))
    subs = [_one_per_field(g) for g in by_word.values()] + rest
    must, should, nots = [], [], []
    for sub in subs:
        if isinstance(sub, wq.Not):
            nots.append(sub.query)
        elif _is_word_clause(sub):
            should.append(sub)
        else:
            must.append(sub)
    parts: list[wq.Query] = list(must)
    if should:
        parts.append(wq.Or(should))
    matching: wq.Query = parts[0] if len(parts) == 1 else wq.And(parts)
    if nots:
        matching = wq.AndNot(matching, wq.Or(nots))
    msm = ranking.min_should_match(len(should)) if should else 0
    terms = [_word_of(c) for c in should]
    return ParsedQuery(
        matching,
        cleaned,
        notes,
        should=should,
        min_should=msm,
        words=words,
        long=True,
        should_terms=terms,
        should_weights=[float(occurrences.get(t, 1)) for t in terms],
        must=must,
        nots=nots,
    )


def _one_per_field(group: list[wq.Query]) -> wq.Query:
    seen: dict[str, wq.Query] = {}
    for t in group:
        seen.setdefault(t.fieldname, t)
    subs = list(seen.values())
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _word_of(clause: wq.Query) -> str:
    if isinstance(clause, wq.Or):
        return str(clause.subqueries[0].text)
    return str(clause.text)


def _is_word_clause(q: wq.Query) -> bool:
    """A plain word searched in the default fields (title OR body)."""
    if isinstance(q, wq.Or):
        subs = q.subqueries
        return (
            bool(subs)
            and len({str(s.text) for s in subs if isinstance(s, wq.Term)}) == 1
            and all(_is_word_clause(s) for s in subs)
        )
    return isinstance(q, wq.Term) and not isinstance(q, wq.MultiTerm) and q.fieldname in DEFAULT_FIELDS


def _stemmed_prefix(node: wq.Prefix, lexicon: Callable[[str, str], bool] | None) -> wq.Query:
    """A prefix over stemmed terms: also the stems its words reduce to ("negotiat*" finds "negoti")."""
    raw = node.text.lower()
    stems = {snowball_stem(raw)}
    if lexicon is not None:
        # Stems shorter than the prefix that it extends: at most 3 letters cut, never below 4 letters.
        stems |= {raw[:k] for k in range(max(4, len(raw) - 3), len(raw)) if lexicon(node.fieldname, raw[:k])}
    stems = {s for s in stems if len(s) >= 2 and not s.startswith(raw)}
    if not stems:
        return node
    return wq.Or([wq.Prefix(node.fieldname, raw), *(wq.Term(node.fieldname, s) for s in sorted(stems))])


def _tidy(
    q: wq.Query,
    schema: Schema,
    lexicon: Callable[[str, str], bool] | None = None,
    fuzzy: Callable[[str, str, int, int], list[str]] | None = None,
) -> wq.Query:
    """Stemmed prefixes, case-insensitive sources, and normalisation."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Prefix) and node.fieldname in DEFAULT_FIELDS:
            return _stemmed_prefix(node, lexicon)
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_FUZZY_EDITS:
                _note(f"A fuzzy search allows at most {MAX_FUZZY_EDITS} changed letters.")
                node.maxdist = MAX_FUZZY_EDITS
            node.prefixlength = min(node.prefixlength, 1)
            if fuzzy is not None and node.fieldname in DEFAULT_FIELDS:
                near = fuzzy(node.fieldname, str(node.text), node.maxdist, node.prefixlength)
                if not near:
                    return wq.NullQuery
                return wq.Or([wq.Term(node.fieldname, t, boost=node.boost) for t in near])
        if node.is_leaf():
            return node
        return node.apply(fix)

    try:
        q = fix(q).normalize()
    except Exception as exc:
        log.info("could not tidy %r: %s", q, exc)
    return q
