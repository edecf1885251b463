"""Cleaning what was typed: unbalanced quotes and brackets, stray operators, wildcards and modifiers repaired
before parsing, each repair explained in a note."""

from __future__ import annotations

import contextvars
import re

from search.query import ranking

MAX_QUERY_CHARS = 2000
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


def note(text: str) -> None:
    """Add a note to the query being parsed (once), from deep inside parsing (a date field, an expansion)."""
    notes = _notes.get()
    if notes is not None and text not in notes:
        notes.append(text)


def noting(notes: list[str]) -> contextvars.Token:
    """Collect note() calls into notes until reset(token) (parsing one query)."""
    return _notes.set(notes)


def reset(token: contextvars.Token) -> None:
    _notes.reset(token)


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
    if _LONE_WILDCARD.search(outside_quotes(text)):
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


def outside_quotes(text: str) -> str:
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
