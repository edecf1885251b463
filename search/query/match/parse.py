"""The query language: best-effort parsing of what a user typed into a Whoosh query, with notes."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from whoosh import query as wq
from whoosh.fields import DATETIME, Schema
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    OrGroup,
    PhrasePlugin,
    QueryParser,
)
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.plugins import EveryPlugin, SingleQuotePlugin
from whoosh.util.times import datetime_to_long

from search.documents import PartialDate
from search.enrich import analysis
from search.index.schema import EXACT_FIELDS
from search.query import ranking
from search.query.cache import BoundedCache
from search.query.clean import ALIASES, DEFAULT_FIELDS, SEARCHABLE, clean, note, noting, outside_quotes, reset
from search.query.match.tidy import Expander, tidy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: what to match and score, the optional words and how many must match."""

    query: wq.Query  # matches and scores (NullQuery when nothing searchable is left)
    text: str  # the cleaned query text
    notes: tuple[str, ...] = ()
    should: tuple[wq.Query, ...] = ()  # long queries: the optional word clauses
    min_should: int = 0
    words: tuple[str, ...] = ()  # plain words typed (for suggestions)
    long: bool = False
    should_terms: tuple[str, ...] = ()  # the analysed word of each should clause
    should_weights: tuple[float, ...] = ()  # how often each word occurs in the query
    must: tuple[wq.Query, ...] = ()  # long queries: required clauses (phrases, fields)
    nots: tuple[wq.Query, ...] = ()  # long queries: excluded clauses

    @property
    def bag_of_words(self) -> bool:
        """Scored by the vectorised BM25F: plain words (all required, or minimum-should-match) and exclusions."""
        return bool(self.should_terms) and not self.must

    @property
    def null(self) -> bool:
        """Nothing searchable is left: the query matches nothing."""
        return is_null(self.query)


def is_null(q: wq.Query) -> bool:
    """Whether q is Whoosh's NullQuery, which matches nothing."""
    return q is wq.NullQuery or isinstance(q, type(wq.NullQuery))


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
        # After a period (>2024-06, {2024-06 TO ...) starts when it ends; before one ends when it starts.
        first = lo[1] if startexcl else lo[0]
        last = hi[0] if endexcl else hi[1]
        return wq.NumericRange(fieldname, first, last, startexcl=startexcl, endexcl=endexcl, boost=boost)


def _period(text: str | None) -> tuple[int, int] | None:
    """The first and last microsecond of a partial date, as Whoosh's DATETIME longs."""
    try:
        pd = PartialDate.parse((text or "").strip())
    except ValueError:
        note(f"Ignored “date:{text}”: a date is written YYYY, YYYY-MM or YYYY-MM-DD.")
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
    """The fields a user may name (and the exact-word twins of title and body, which quotes reach), with the date
    field replaced by the forgiving one."""
    out = Schema()
    for name in (*SEARCHABLE, *EXACT_FIELDS.values()):
        if name in schema:
            out.add(name, schema[name])
    out.add("date", _DateField())
    return out


class _ExactPhrasePlugin(PhrasePlugin):
    """Quoted words match the words as written: a phrase on title or body is searched in its unstemmed twin
    (when the index has one; an index made before them stems quoted words as before)."""

    class PhraseNode(PhrasePlugin.PhraseNode):
        def query(self, parser):
            field = self.fieldname or parser.fieldname
            exact = EXACT_FIELDS.get(field)
            if exact and parser.schema and exact in parser.schema:
                self.fieldname = exact
            return super().query(parser)

    class PhraseTagger(PhrasePlugin.PhraseTagger):
        def create(self, parser, match):
            slop = match.group("slop")
            return _ExactPhrasePlugin.PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)


class _Loose(wq.Or):
    """The implicit OR between the parts of a long query, kept apart from an OR the user typed."""


class _LooseGroup(OrGroup):
    qclass = _Loose


_parsers: BoundedCache[tuple[int, bool], QueryParser] = BoundedCache("query parsers", 16)


def make_parser(schema: Schema, long: bool) -> QueryParser:
    """A parser over title and body; AND between words for short queries, OR for long ones (cached)."""
    return _parsers.get_or_make((id(schema), long), lambda: _new_parser(schema, long))


def _new_parser(schema: Schema, long: bool) -> QueryParser:
    qp = QueryParser(None, parser_schema(schema), group=_LooseGroup if long else AndGroup)
    qp.remove_plugin_class(SingleQuotePlugin)
    if not long:  # in pasted text (a long query) quotation marks quote; in a short query they ask for exact words
        qp.remove_plugin_class(PhrasePlugin)
        qp.add_plugin(_ExactPhrasePlugin())
    qp.remove_plugin_class(EveryPlugin)
    qp.add_plugin(MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts={"title": ranking.TITLE_BOOST}))
    qp.add_plugin(FieldAliasPlugin(ALIASES))
    qp.add_plugin(FuzzyTermPlugin())
    qp.add_plugin(GtLtPlugin())
    return qp


# ---- parsing -----------------------------------------------------------------------------

_SYNTAX = re.compile(r'\b(AND|OR|NOT)\b|["()\[\]{}]|\w+:|[~^][\d.]*|[*?]')
_MODIFIER = re.compile(r'(?<=[\w")*?])\^[\d.]+|(?<=["\)])~\d+')


def count_words(text: str, analyzer) -> int:
    """Content words in a query (stop words and operators excluded); a phrase counts as one."""
    phrases = 0

    def phrase(m: re.Match[str]) -> str:
        nonlocal phrases
        phrases += any(True for _ in analyzer(m.group(1)))
        return " "

    rest = re.sub(r'"([^"]*)"', phrase, text)
    return phrases + sum(1 for _ in analyzer(_SYNTAX.sub(" ", rest)))


def parse(
    text: str,
    schema: Schema,
    analyzer,
    lexicon: Callable[[str, str], bool] | None = None,
    expand: Expander | None = None,
) -> ParsedQuery:
    """Parse user input into a ParsedQuery; never raises, explains anything ignored in notes.

    lexicon(field, term) tells whether the index holds a term (for stemmed prefixes); expand(node, limit) the
    indexed words a prefix, wildcard, range or fuzzy word stands for (search.query.match.expand), at most limit.
    """
    cleaned, notes = clean(text)
    token = noting(notes)
    try:
        return _parse(cleaned, schema, analyzer, notes, lexicon, expand)
    finally:
        reset(token)


def _parse(
    cleaned: str,
    schema: Schema,
    analyzer,
    notes: list[str],
    lexicon: Callable[[str, str], bool] | None,
    expand: Expander | None = None,
) -> ParsedQuery:
    plain = re.sub(r"\S*[*?~]\S*|\w+:(\[[^\]]*\]|\S*)", " ", _MODIFIER.sub(" ", cleaned))
    words = re.findall(r"[^\W\d_][\w'’-]*", _SYNTAX.sub(" ", plain))
    if not cleaned:
        return ParsedQuery(wq.Every(), cleaned, tuple(notes), words=tuple(words))
    n = count_words(cleaned, analyzer)
    long = n > ranking.LONG_QUERY_WORDS
    if long and '"' in cleaned:
        notes.append(
            "In a long query, quoted words are matched in all their forms; quote them in a query of at most"
            f" {ranking.LONG_QUERY_WORDS} words to match them exactly as written."
        )
    if not long:
        lower = re.search(r"(?<=[\w\")])\s+(or|not)\s+(?=[\w\"(])", outside_quotes(cleaned), re.IGNORECASE)
        if lower and lower.group(1).upper() != lower.group(1):
            word = lower.group(1)
            notes.append(
                f"“{word}” was read as an ordinary word: write {word.upper()} in capitals to use it as an operator."
            )
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
    q = tidy(q, lexicon, expand)
    if is_null(q):
        if not notes:
            notes.append("Nothing searchable was left in the query (only very common words or symbols).")
        return ParsedQuery(wq.NullQuery, cleaned, tuple(notes), words=tuple(words))
    if long:
        return long_query(q, cleaned, notes, words)
    # Plain words that must all match: scored by the vectorised BM25F too.
    clauses = tuple(q.subqueries) if isinstance(q, wq.And) else (q,)
    if clauses and all(_is_word_clause(c) for c in clauses):
        return ParsedQuery(
            q,
            cleaned,
            tuple(notes),
            should=clauses,
            min_should=len(clauses),
            words=tuple(words),
            should_terms=tuple(_word_of(c) for c in clauses),
            should_weights=tuple(_boost_of(c) for c in clauses),
        )
    return ParsedQuery(q, cleaned, tuple(notes), words=tuple(words))


def long_query(q: wq.Query, cleaned: str, notes: list[str], words: list[str]) -> ParsedQuery:
    """Split a long query into required clauses, optional word clauses and exclusions.

    Each part the user typed is one clause: a word (title OR body) is optional, a phrase (title OR body),
    a field search or a group the user joined with OR or AND is required, and NOT excludes.
    """
    parts = list(q.subqueries) if isinstance(q, _Loose) else [q]
    # Parsing drops repeated words; a pasted text repeats what matters, so count them in the text.
    occurrences = Counter(analysis.words(_SYNTAX.sub(" ", _MODIFIER.sub(" ", cleaned))))
    must: list[wq.Query] = []
    should: dict[str, wq.Query] = {}
    nots: list[wq.Query] = []
    for part in parts:
        if isinstance(part, wq.Not):
            nots.append(_plain(part.query))
            continue
        per_word = _word_clauses(part)
        if per_word is None:
            must.append(_plain(part))
            continue
        for clause in per_word:
            should.setdefault(_word_of(clause), clause)
    clauses = list(should.values())
    groups: list[wq.Query] = list(must)
    if clauses:
        groups.append(wq.Or(clauses))
    matching: wq.Query = groups[0] if len(groups) == 1 else wq.And(groups)
    if nots:
        matching = wq.AndNot(matching, wq.Or(nots))
    # The query is long as a whole: "oil price" wheat corn barley needs the phrase and some of the words.
    parts_typed = max(len(clauses) + len(must), ranking.LONG_QUERY_WORDS + 1)
    msm = min(len(clauses), ranking.min_should_match(parts_typed)) if clauses else 0
    terms = [_word_of(c) for c in clauses]
    return ParsedQuery(
        matching,
        cleaned,
        tuple(notes),
        should=tuple(clauses),
        min_should=msm,
        words=tuple(words),
        long=True,
        should_terms=tuple(terms),
        should_weights=tuple(float(occurrences.get(t, 1)) * _boost_of(c) for t, c in zip(terms, clauses, strict=True)),
        must=tuple(must),
        nots=tuple(nots),
    )


def _plain(q: wq.Query) -> wq.Query:
    """The query with every implicit long-query group turned into an ordinary OR (which numpy matching reads)."""
    if isinstance(q, _Loose):
        q = wq.Or(list(q.subqueries), boost=q.boost)
    return q if q.is_leaf() else q.apply(_plain)


def _word_clauses(part: wq.Query) -> list[wq.Query] | None:
    """One title-OR-body clause per word when a part is plain words only (a word, or words joined by OR)."""
    if not isinstance(part, wq.Or):
        return None
    if _is_word_clause(part):
        return [part]
    if part.boost != 1.0 or not all(_is_plain_term(t) for t in part.subqueries):
        return None
    by_word: dict[str, list[wq.Query]] = {}
    for t in part.subqueries:
        by_word.setdefault(str(t.text), []).append(t)
    out = [wq.Or(ts) for ts in by_word.values()]
    return out if all(_is_word_clause(c) for c in out) else None


def _boost_of(clause: wq.Query) -> float:
    """The boost a user gave a word (word^2), whether Whoosh put it on the group or on its terms."""
    body = [t for t in clause.subqueries if t.fieldname == "body"] if isinstance(clause, wq.Or) else []
    return float(clause.boost * (body[0].boost if body else 1.0))


def _word_of(clause: wq.Query) -> str:
    if isinstance(clause, wq.Or):
        return str(clause.subqueries[0].text)
    return str(clause.text)


def _is_plain_term(q: wq.Query) -> bool:
    return type(q) is wq.Term and q.fieldname in DEFAULT_FIELDS


def _is_word_clause(q: wq.Query) -> bool:
    """A plain word searched in both default fields (title OR body), which the vectorised BM25F scores.

    A word searched in one field only (title:oil) is not: the vectorised scoring reads both fields.
    """
    if not isinstance(q, wq.Or):
        return False
    subs = q.subqueries
    return (
        len(subs) == len(DEFAULT_FIELDS)
        and all(_is_plain_term(s) for s in subs)
        and len({str(s.text) for s in subs}) == 1
        and {s.fieldname for s in subs} == set(DEFAULT_FIELDS)
    )
