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
    PhrasePlugin,
    QueryParser,
)
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.plugins import EveryPlugin, SingleQuotePlugin
from whoosh.util.times import datetime_to_long

from search.documents import PartialDate
from search.enrich.analysis import snowball_stem
from search.index.schema import EXACT_FIELDS
from search.query import ranking
from search.query.expand import MAX_QUERY_TERMS, MAX_TERMS, Expansion, shown
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
        # After a period (>2024-06, {2024-06 TO ...) starts when it ends; before one ends when it starts.
        first = lo[1] if startexcl else lo[0]
        last = hi[0] if endexcl else hi[1]
        return wq.NumericRange(fieldname, first, last, startexcl=startexcl, endexcl=endexcl, boost=boost)


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


_parsers: dict[tuple[int, bool], QueryParser] = {}


def make_parser(schema: Schema, long: bool) -> QueryParser:
    """A parser over title and body; AND between words for short queries, OR for long ones (cached)."""
    key = (id(schema), long)
    if key not in _parsers:
        _parsers[key] = _new_parser(schema, long)
    return _parsers[key]


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
    text = re.sub(r"(?<=\w)\?+(?=[\s,.;:!)\]\"]|$)", " ", text)
    text = _phrase_wildcards(text, notes)
    text = _suffixes(text, notes)
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


def _phrase_wildcards(text: str, notes: list[str]) -> str:
    """A phrase cannot hold a wildcard: "harb* cities" is searched as words that must all be there."""

    def repl(m: re.Match[str]) -> str:
        words = re.findall(r"[\w*?'’-]+", m.group(2))
        notes.append(
            f"Wildcards do not work inside quotation marks, so “{m.group(2)}” was searched as words"
            " that need not stand together."
        )
        return f"{m.group(1) or ''}({' AND '.join(words)})"  # a ~N after it has nothing to bring near

    return re.sub(r'(\b\w+:)?"([^"]*\w[*?][^"]*)"(~\w*)?', repl, text)


_SUFFIX = re.compile(r'"[^"]*"|([~^])([^\s()~^"]*)')
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")


def _suffixes(text: str, notes: list[str]) -> str:
    """Keep ~N (near) and ^N (boost) where they modify a word or phrase; drop any other ~ or ^ with a note.

    Left alone, Whoosh reads an ill-placed "^3" or "~3" as the search word "3".
    """
    out: list[str] = []
    pos = 0
    after: str | None = None  # the modifier that ends right where this match starts ("~" or "^"), if any
    for m in _SUFFIX.finditer(text):
        out.append(text[pos : m.start()])
        if m.start() != pos:
            after = None
        pos = m.end()
        if not m.group(1):  # a phrase
            out.append(m.group(0))
            after = None
            continue
        mark, arg = m.group(1), m.group(2)
        prev = "".join(out)[-1:] or " "
        kept = _keep_suffix(mark, arg, prev, after, notes)
        out.append(kept if kept is not None else " ")
        after = mark if kept else None
    out.append(text[pos:])
    text = "".join(out)
    # A boost after a fuzzy word needs brackets, or Whoosh reads its number as a word.
    return re.sub(r'(?<![^\s(])([^\s()"~^]+~\d?)\^', r"(\1)^", text)


def _keep_suffix(mark: str, arg: str, prev: str, after: str | None, notes: list[str]) -> str | None:
    """The ~ or ^ modifier as Whoosh should see it ("" to drop it silently), or None after noting it ignored."""
    if mark == "~":
        if after is None and prev == '"':
            if arg.isdigit() and int(arg) >= 1:
                return "~" + arg
            if arg.isdigit():  # "words"~0: the exact phrase
                return ""
            notes.append(f'Ignored “~{arg}” after a phrase: "words"~N finds the words at most N positions apart.')
            return None
        if after is None and re.match(r"[\w*?]", prev):  # word~ or word~2: a fuzzy word, read by Whoosh
            return "~" + arg
        notes.append(
            f"Ignored “~{arg}”: write ~ right after a word (fuzzy, as in Lavrov~)"
            ' or a phrase (near, as in "oil price"~3).'
        )
        return None
    if after != "^" and not prev.isspace() and prev != "(" and _NUMBER.fullmatch(arg):
        return "^" + arg
    notes.append(f"Ignored “^{arg}”: a boost is a number right after a word or phrase, as in oil^2.")
    return None


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
        rest = word.lstrip("*?")
        if not literal and re.fullmatch(r"[^\W_][\w'’-]+\)*", rest):  # "?transverse", "*ship": keep the word
            notes.append(
                f"Ignored the “{word[: len(word) - len(rest)]}” before “{rest.rstrip(')')}”: a wildcard needs at"
                " least two letters before it, so the word was searched as it is."
            )
            return rest
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
    tokens = re.findall(r'"[^"]*"\S*|\S+', text)
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


Expander = Callable[[wq.Query, int], "Expansion | None"]


def parse(
    text: str,
    schema: Schema,
    analyzer,
    lexicon: Callable[[str, str], bool] | None = None,
    expand: Expander | None = None,
) -> ParsedQuery:
    """Parse user input into a ParsedQuery; never raises, explains anything ignored in notes.

    lexicon(field, term) tells whether the index holds a term (for stemmed prefixes); expand(node, limit) the
    indexed words a prefix, wildcard, range or fuzzy word stands for (search.query.expand), at most limit.
    """
    cleaned, notes = clean(text)
    token = _notes.set(notes)
    try:
        return _parse(cleaned, schema, analyzer, notes, lexicon, expand)
    finally:
        _notes.reset(token)


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
        return ParsedQuery(wq.Every(), cleaned, notes, words=words)
    n = count_words(cleaned, analyzer)
    long = n > ranking.LONG_QUERY_WORDS
    if long and '"' in cleaned:
        notes.append(
            "In a long query, quoted words are matched in all their forms; quote them in a query of at most"
            f" {ranking.LONG_QUERY_WORDS} words to match them exactly as written."
        )
    if not long:
        lower = re.search(r"(?<=[\w\")])\s+(or|not)\s+(?=[\w\"(])", _outside_quotes(cleaned), re.IGNORECASE)
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
    q = tidy(q, schema, lexicon, expand)
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
        parsed.should_weights = [_boost_of(c) for c in clauses]
        parsed.min_should = len(clauses)
    return parsed


def _long_query(q: wq.Query, cleaned: str, notes: list[str], words: list[str]) -> ParsedQuery:
    """Split a long query into required clauses, optional word clauses and exclusions.

    Each part the user typed is one clause: a word (title OR body) is optional, a phrase (title OR body),
    a field search or a group the user joined with OR or AND is required, and NOT excludes.
    """
    parts = list(q.subqueries) if isinstance(q, _Loose) else [q]
    # Parsing drops repeated words; a pasted text repeats what matters, so count them in the text.
    occurrences = Counter(analyse_terms(_SYNTAX.sub(" ", _MODIFIER.sub(" ", cleaned))))
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
        notes,
        should=clauses,
        min_should=msm,
        words=words,
        long=True,
        should_terms=terms,
        should_weights=[float(occurrences.get(t, 1)) * _boost_of(c) for t, c in zip(terms, clauses, strict=True)],
        must=must,
        nots=nots,
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
    schema: Schema,
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
                _note(f"A fuzzy search allows at most {MAX_FUZZY_EDITS} changed letters.")
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
        _note(
            f"“{text}” stands for {more}{found.matched:,} words: only the {len(found.terms)} found in most"
            " articles were searched. Add letters to narrow it."
        )
    return q
