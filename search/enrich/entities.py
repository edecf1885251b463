"""Named entities of one article: NLTK finds the spans; we mend, type and normalise them for facets.

``extract_entities`` is a pure function of the article's text (so it runs in any process); the tagger
and the chunker are loaded once per process (see ``entity_chunker``).  ``extract_mentions`` returns
the same entities mention by mention, with character offsets (for benchmarks and highlighting).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from search.enrich import entity_chunker
from search.enrich.entity_lexicon import (
    JUNK_WORDS,
    ORG_HEADS,
    ORG_STRONG,
    PERSON_TITLES,
    PLACE_ALIASES,
    STATE_ABBREVIATIONS,
    TITLE_MODIFIERS,
    Lexicon,
    lexicon,
)
from search.enrich.entity_names import acronym_of, initials_compatible, name_key, place_key
from search.enrich.entity_text import Token, join_abbreviated, lines_with_offsets, sentences, tokenize


def _items(text: str, sep: str | None = None) -> list[str]:
    """A word list written as one string (``sep`` for names with spaces)."""
    return [w.strip() for w in text.split(sep) if w.strip()]


PERSON, ORG, PLACE = "person", "organization", "place"
TYPES = (PERSON, ORG, PLACE)

_PLACE_PREPS = frozenset(_items("""in at from near to across into throughout outside inside via toward towards"""))
_SAY_VERBS = frozenset(_items("""said says told added stated noted asked argued warned explained tweeted wrote"""))
_ORG_NEXT = frozenset(
    _items("""shares stock stake unit subsidiary spokesman spokeswoman officials executives board shareholders
    management earnings profit profits revenue revenues sales""")
)
_ORG_PREV = frozenset(_items("""shares firm company group bank agency"""))
PLACE_HEADS = frozenset(
    _items("""republic kingdom emirates islands island province region state states valley river sea ocean
    mountains city county district territory peninsula coast bay strait gulf lake""")
)
# A span ending in one of these names an event or a document (MISC), not a person, organisation or place.
EVENT_WORDS = frozenset(
    _items("""summit meeting conference talks agreement treaty accord games cup championship championships open
    tournament war crisis protocol act bill award prize festival olympics dollar dollars yen franc
    francs mark marks pound pounds sterling peso pesos lira rupee rupees rouble roubles ruble crown
    guilder guilders ecu euro yuan index average""")
)
_MONTHS = frozenset(
    _items(
        """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
        august september october november december"""
    )
)
_CORP_SUFFIXES = frozenset(
    _items("""corp corp. inc inc. co co. ltd ltd. plc group corporation company holdings ag sa nv llc""")
)
_PEOPLE_PLURALS = frozenset(
    _items("officials sources analysts traders dealers diplomats spokesmen economists bankers observers")
)
_PARTNER_WORDS = frozenset(_items("Co Company Cie Sons Son"))  # "Goldman, Sachs and Co": one firm
_ORG_PREFIXES = frozenset(_items("first north south east west national general new united"))
_PLACE_SUFFIXES = frozenset(
    _items(
        """republic kingdom islands island province region emirates peninsula valley river sea ocean
        mountains coast bay strait gulf lake district territory"""
    )
)
_CONNECTORS = frozenset({"of", "for", "and", "&", "de", "du", "la", "le", "der", "von", "van", "on"})
_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\-]+(?:\s+[A-Z][A-Z.'\-]+){0,3})\s*(?::|,|\s[-—–]|\s\(|\s+\d{4}-\d\d-\d\d)")
_SENT_CACHE_MAX = 50_000


@dataclass(frozen=True)
class DocEntities:
    """The article's entities per type: document-level canonical value -> aliases seen in the article."""

    people: dict[str, tuple[str, ...]] = field(default_factory=dict)
    organizations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def of_type(self, type_: str) -> dict[str, tuple[str, ...]]:
        """The values of one type (``person``, ``organization`` or ``place``)."""
        return {PERSON: self.people, ORG: self.organizations, PLACE: self.places}[type_]


@dataclass(frozen=True)
class Mention:
    """One entity mention: where it is (part = title, body or dateline), its type and its canonical value."""

    part: str
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class _Span:
    """A candidate mention while it is being mended and typed."""

    part: str
    tokens: list[Token]
    words: list[str]  # tokens as cased for typing (truecased in all-caps lines)
    prev: str  # the word before (lowercase), "" at sentence start
    prev2: str
    next: str  # the word after (lowercase)
    next2: str
    sent_initial: bool
    titled: bool = False  # a person title or role stood right before it
    table: bool = False  # found in a results/standings table line
    dateline: bool = False
    chunked: bool = True  # NLTK's chunker found (part of) it, rather than only the proper-noun tags
    scores: dict[str, float] = field(default_factory=lambda: {PERSON: 0.0, ORG: 0.0, PLACE: 0.0})

    @classmethod
    def around(
        cls, part: str, tokens: list[Token], words: list[str], sent_words: list[str], lo: int, hi: int, **flags: bool
    ) -> _Span:
        """A span over sentence words [lo, hi), with the two words either side as its context."""
        return cls(
            part,
            tokens,
            words,
            _lower(sent_words, lo - 1),
            _lower(sent_words, lo - 2),
            _lower(sent_words, hi),
            _lower(sent_words, hi + 1),
            lo == 0,
            **flags,
        )

    @property
    def text(self) -> str:
        return _join(self.words, self.tokens)


def _join(words: list[str], tokens: list[Token]) -> str:
    out = words[0]
    for i in range(1, len(words)):
        gap = tokens[i].start - tokens[i - 1].end
        out += (" " if gap > 0 else "") + words[i]
    return out


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _is_acronym(word: str) -> bool:
    w = word.replace(".", "").replace("&", "")
    return 2 <= len(w) <= 6 and w.isalpha() and w.isupper()


def _common(word: str, lex: Lexicon) -> bool:
    """True if the word, lowercased, is an ordinary English word (or an inflection of one)."""
    w = word.lower()
    cw = lex.common_words
    if w in cw:
        return True
    if len(w) > 3:
        if w.endswith("s") and w[:-1] in cw:
            return True
        if w.endswith("es") and w[:-2] in cw:
            return True
        if w.endswith("ies") and w[:-3] + "y" in cw:
            return True
        if w.endswith("ed") and (w[:-2] in cw or w[:-1] in cw):
            return True
        if w.endswith("ing") and (w[:-3] in cw or w[:-3] + "e" in cw):
            return True
    return False


# --------------------------------------------------------------------------------------------- spans
_sentence_cache: dict[tuple[str, ...], list[tuple[int, int, bool]]] = {}
_PROPER = frozenset({"NNP", "NNPS"})
_HAS_CAPITAL = re.compile(r"[A-Z]")
_PARTICLES = frozenset(_items("van von de del della der den da di do du le la dos das bin ibn al el"))


def _regions(words: list[str], tokens: list[Token]) -> list[tuple[int, int, bool]]:
    """Candidate token ranges of one sentence: NLTK's NE chunks joined with the proper-noun runs around
    them (NLTK often finds ``External`` of ``External Affairs Minister S Jaishankar`` and nothing else);
    the flag says whether the chunker found part of it.  Cached: near-duplicates repeat paragraphs."""
    key = tuple(words)
    hit = _sentence_cache.get(key)
    if hit is not None:
        return hit
    tagged = entity_chunker.tag(words, entity_chunker.capital_windows(words, 3))
    n = len(words)
    chunked = [False] * n
    for lo, hi in entity_chunker.ne_spans(tagged, entity_chunker.capital_windows(words, 2)):
        for i in range(lo, hi):
            chunked[i] = True
    proper = [
        tagged[i][1] in _PROPER and words[i][:1].isupper() and tokens[i].kind in ("word", "acro", "abbr", "initial")
        for i in range(n)
    ]
    out: list[tuple[int, int, bool]] = []
    i = 0
    while i < n:
        if chunked[i] or proper[i]:
            j = i
            any_chunk = False
            while j < n and (chunked[j] or proper[j]):
                any_chunk = any_chunk or chunked[j]
                j += 1
                # Name particles between two capitalised names: "Lex van Drooge", "Santiago de Cuba".
                if (
                    j + 1 < n
                    and words[j].lower() in _PARTICLES
                    and words[j + 1][:1].isupper()
                    and (chunked[j + 1] or proper[j + 1])
                ):
                    j += 1
            out.append((i, j, any_chunk))
            i = j
        else:
            i += 1
    if len(_sentence_cache) >= _SENT_CACHE_MAX:
        _sentence_cache.clear()
    _sentence_cache[key] = out
    return out


def _truecase(tokens: list[Token], casing: dict[str, str], lex: Lexicon) -> list[str]:
    """Recase an all-caps line (headline, dateline) from the body's own casing and the dictionary."""
    out: list[str] = []
    phrase_end = -1
    for i, t in enumerate(tokens):
        w = t.text
        if i < phrase_end:
            out.append(w.capitalize())
            continue
        for size in (3, 2):  # multiword places first: "SAN DIEGO", "KANSAS CITY"
            if i + size <= len(tokens) and " ".join(x.text for x in tokens[i : i + size]).lower() in lex.places:
                phrase_end = i + size
                break
        if i < phrase_end:
            out.append(w.capitalize())
            continue
        if not w.isupper() or not any(c.isalpha() for c in w):
            out.append(w)
            continue
        low = w.lower()
        if t.kind == "word" and w.endswith("."):  # an abbreviated name word glued to its period ("ALEX.")
            stem = low[:-1]
            out.append(casing.get(stem, stem.capitalize()) + ".")
        elif low in casing:
            out.append(casing[low])
        elif low in lex.known_orgs and _is_acronym(w):
            out.append(w)
        elif low in lex.places or low in lex.first_names or low in lex.ieer_people:
            out.append(w.capitalize() if "-" not in w else "-".join(p.capitalize() for p in w.split("-")))
        elif _common(low, lex) or low in JUNK_WORDS:
            out.append(low)
        elif "." in w and (low.replace(".", "") in lex.places or low.replace(".", "") in lex.known_orgs):
            out.append(w)
        else:
            # Not in the article's own text nor in the lexicon: a headline word, not a name we can stand by.
            out.append(low)
    return out


def _recase(token: Token, word: str, casing: dict[str, str], lex: Lexicon) -> str:
    """An all-caps word in mixed-case text (``MOSCOW``) in its usual casing, when the article or lexicon knows it."""
    if len(word) < 4 or not word.isupper() or not word.isalpha():
        return word
    low = word.lower()
    usual = casing.get(low)
    if usual and not usual.isupper():
        return usual
    if low in lex.places:
        return word.capitalize()
    return word


_HAS_ALPHA: dict[str, bool] = {}  # token text -> has a letter (memo: token texts repeat across articles)
_HAS_ALPHA_MAX = 200_000


def _has_alpha(text: str) -> bool:
    hit = _HAS_ALPHA.get(text)
    if hit is None:
        if len(_HAS_ALPHA) >= _HAS_ALPHA_MAX:
            _HAS_ALPHA.clear()
        hit = _HAS_ALPHA[text] = any(c.isalpha() for c in text)
    return hit


def _all_caps(tokens: list[Token]) -> bool:
    alpha = [w for t in tokens if len(w := t.text) > 1 and (_HAS_ALPHA.get(w) or _has_alpha(w))]
    if len(alpha) < 2:
        return bool(alpha) and alpha[0].isupper() and len(alpha[0]) > 3
    return sum(w.isupper() for w in alpha) / len(alpha) >= 0.7


def _is_table(tokens: list[Token]) -> bool:
    nums = sum(t.kind == "num" for t in tokens)
    if nums < 2 or nums / len(tokens) < 0.25:
        return False
    lower = [t.text for t in tokens if t.kind == "word" and t.text.islower()]
    return len(lower) <= 1


def _needs_chunking(words: list[str], lex: Lexicon) -> bool:
    """False for sentences with no capitalised word but a common sentence-initial one (most of them)."""
    for w in words[1:]:
        if w[:1].isupper():
            return True
    return bool(words) and words[0][:1].isupper() and not _common(words[0], lex) and words[0].lower() not in JUNK_WORDS


def _lower(words: list[str], i: int) -> str:
    return words[i].lower() if 0 <= i < len(words) else ""


def _table_spans(part: str, tokens: list[Token], words: list[str], lex: Lexicon) -> list[_Span]:
    """Capitalised runs between the numbers of a results or standings line (clubs, teams, players)."""
    out = []
    i = 0
    while i < len(tokens):
        if tokens[i].kind in ("word", "acro", "abbr", "initial") and _is_cap(words[i]):
            j = i
            while (
                j < len(tokens)
                and tokens[j].kind in ("word", "acro", "abbr", "initial")
                and (_is_cap(words[j]) or words[j].lower() in _CONNECTORS)
            ):
                j += 1
            while j > i + 1 and not _is_cap(words[j - 1]):
                j -= 1
            low = " ".join(words[i:j]).lower()
            if all(len(w) <= 2 for w in words[i:j]) or (
                low in JUNK_WORDS
                or low in lex.demonyms
                or (low in lex.common_words and low not in lex.places and low not in lex.known_orgs)
                or any(w.lower() in JUNK_WORDS for w in words[i:j])
            ):
                i = j
                continue
            out.append(_Span.around(part, tokens[i:j], words[i:j], words, i, j, table=True))
            i = j
        else:
            i += 1
    return out


def _one_word_spans(span: _Span, toks: list[Token], words: list[str], lo: int, sent_words: list[str]) -> list[_Span]:
    """Split a two-word span into one span per word, each with its own context."""
    out = []
    for k in (0, 1):
        i = lo + k
        out.append(_Span.around(span.part, [toks[k]], [words[k]], sent_words, i, i + 1))
    return out


_COMPASS = {"N": ("North", "New"), "S": ("South",), "E": ("East",), "W": ("West",)}


def _compass_place(initial: str, word: str, lex: Lexicon) -> str | None:
    """The place an abbreviated compass word names in headlines ("S.KOREA", "N. Zealand"): its full name,
    "" for a demonym ("S. African"), None if the pair names no place."""
    for full in _COMPASS.get(initial.rstrip("."), ()):
        name = f"{full} {word.capitalize()}"
        if name.lower() in lex.places:
            return name
        if name.lower() in lex.demonyms:
            return ""
    return None


def _mend(
    span: _Span,
    sent_words: list[str],
    sent_tokens: list[Token],
    lo: int,
    hi: int,
    lex: Lexicon,
    firms: frozenset[tuple[str, str]] = frozenset(),
) -> list[_Span]:
    """Fix NLTK's span errors: titles swallowed, names cut short, sentence-initial common words, junk."""
    n = len(sent_words)
    # "S.KOREA" is South Korea, not a person "S" beside the place "Korea".
    if sent_tokens[lo].kind == "initial" and hi <= lo + 2 and lo + 1 < n and _is_cap(sent_words[lo + 1]):
        place = _compass_place(sent_words[lo], sent_words[lo + 1], lex)
        if place == "":
            return []
        if place:
            tok = Token(place, sent_tokens[lo].start, sent_tokens[lo + 1].end, "word")
            return [_Span.around(span.part, [tok], [place], sent_words, lo, lo + 2)]
    # A name particle the chunker took without the capitalised word before it ("Banco" of "Banco do Brasil").
    if lo > 0 and hi - lo > 1 and sent_words[lo].lower() in _PARTICLES and _is_cap(sent_words[lo - 1]):
        lo -= 1
    # Join "Wagner and Brown", a firm the article names by its two founders (see _pair_names), and
    # "Johnson and Johnson": one name twice over is a company, never two people.
    if (
        hi + 1 < n
        and sent_words[hi] in ("and", "&")
        and (
            (sent_words[hi - 1], sent_words[hi + 1]) in firms
            or (sent_words[hi + 1] == sent_words[hi - 1] and sent_tokens[hi - 1].kind == "word")
        )
    ):
        hi += 2
    # Join "Bank of England", "Council of Foreign Ministers", "University of Chicago".
    while (
        hi + 1 < n
        and sent_words[hi] == "of"
        and sent_words[hi - 1].lower() in ORG_HEADS
        and _is_cap(sent_words[hi + 1])
    ):
        j = hi + 1
        if sent_words[j].lower() == "the" and j + 1 < n:
            j += 1
        k = j
        while k < n and sent_tokens[k].kind in ("word", "acro") and _is_cap(sent_words[k]):
            k += 1
        if k == j or sent_words[k - 1].lower() in TITLE_MODIFIERS:  # "... of Foreign" cut off: no join
            break
        hi = k
    # Join "Moody 's Investors Service Inc", "McDonald 's Corp".
    if (
        lo >= 2
        and sent_words[lo - 1] == "'s"
        and sent_words[hi - 1].lower() in _CORP_SUFFIXES
        and _is_cap(sent_words[lo - 2])
        and sent_tokens[lo - 2].kind == "word"
        and (lo - 2 == 0 or not _is_cap(sent_words[lo - 3]))
    ):
        lo -= 2
    # Join "Bear Stearns and Co Inc", "Securities and Exchange Commission" from the right-hand part
    # (not "Wagner and Brown and AFG Industries Inc": a right-hand part led by an acronym is a company of its own).
    if (
        lo >= 2
        and sent_words[lo - 1] in ("and", "&")
        and sent_words[hi - 1].lower() in ORG_HEADS
        and not (_is_acronym(sent_words[lo]) and hi - lo > 1)
        and _is_cap(sent_words[lo - 2])
        and sent_words[lo - 2].lower() not in _CORP_SUFFIXES
        and sent_tokens[lo - 2].kind in ("word", "acro")
    ):
        j = lo - 2
        while j > 0 and sent_tokens[j - 1].kind in ("word", "acro") and _is_cap(sent_words[j - 1]):
            j -= 1
        if j > 0 or not _common(sent_words[0], lex) or sent_words[hi - 1].lower() in _CORP_SUFFIXES:
            lo = j
    # Join "Douglas & Lomason", "A.G. Edwards & Sons": an ampersand between names makes one company.
    if hi + 1 < n and sent_words[hi] == "&" and _is_cap(sent_words[hi + 1]):
        k = hi + 1
        while k < n and sent_tokens[k].kind in ("word", "acro", "abbr") and _is_cap(sent_words[k]):
            k += 1
        hi = k
    # Join "Goldman, Sachs and Co", "Alex, Brown and Sons Inc".
    if hi + 3 < n and sent_words[hi] == "," and _is_cap(sent_words[hi + 1]):
        k = hi + 1
        while k < n and sent_tokens[k].kind == "word" and _is_cap(sent_words[k]):
            k += 1
        if k + 1 < n and sent_words[k] in ("and", "&") and sent_words[k + 1].rstrip(".") in _PARTNER_WORDS:
            hi = k + 2
            if hi < n and sent_words[hi].lower() in _CORP_SUFFIXES:
                hi += 1
    # Join "Securities and Exchange Commission" (not "Standard Oil Co and BP Inc": two companies).
    if hi + 1 < n and sent_words[hi] in ("and", "&") and sent_words[hi - 1].lower() not in _CORP_SUFFIXES:
        k = hi + 1
        while k < n and sent_tokens[k].kind in ("word", "acro") and _is_cap(sent_words[k]):
            k += 1
        last = sent_words[k - 1].lower()
        if k > hi + 1 and last in ORG_HEADS and last not in _CORP_SUFFIXES:
            hi = k
    words = sent_words[lo:hi]
    toks = sent_tokens[lo:hi]
    titled = False
    # Strip titles and roles in front ("Russian Foreign Minister Sergey Lavrov", "House Speaker Jim Wright").
    cut = 0
    for i, w in enumerate(words[:-1]):
        low = w.lower().rstrip(".")
        if (low in PERSON_TITLES or w.lower() in PERSON_TITLES) and _is_cap(words[i + 1]):
            cut = i + 1
    if cut and (any(w.lower() in ORG_HEADS for w in words[cut:]) or all(_title_word(w) for w in words[cut:])):
        cut = 0
    if cut:
        words, toks, lo, titled = words[cut:], toks[cut:], lo + cut, True
    # Leading modifiers before a first name ("State George Shultz" of "Secretary of State George Shultz").
    while len(words) > 2 and words[0].lower() in TITLE_MODIFIERS and words[1].lower() in lex.first_names:
        words, toks, lo = words[1:], toks[1:], lo + 1
    # A title right before the span ("President Vladimir Putin" chunked as "Vladimir Putin").
    if lo > 0 and sent_words[lo - 1].lower().rstrip(".") in PERSON_TITLES:
        titled = True
    # Drop leading junk: sentence-initial common words, demonyms ("Russian"), weekdays, "The".
    while words:
        whole = " ".join(words).lower()
        if whole in lex.places or whole in lex.known_orgs:
            break
        w = words[0]
        low = w.lower()
        initial = lo == 0 or sent_words[lo - 1] in ('"', "'", "(", ":", "-")
        if low in _ORG_PREFIXES and words[-1].lower() in ORG_HEADS and len(words) > 1:
            break
        if (
            ("-" in w and w.split("-")[-1].islower())  # "Boston-based", "Family-controlled"
            or low in JUNK_WORDS
            or low in _CONNECTORS
            or (
                initial
                and words[-1].lower() not in ORG_HEADS
                and not (len(words) > 2 and words[1].lower() in _PARTICLES)  # "Banco do Brasil said"
                and _common(w, lex)
                and low not in lex.places
                and len(words) > 0
                and not _is_acronym(w)
                and low not in lex.first_names
            )
            or (
                low in lex.demonyms
                and len(words) > 1
                and words[-1].lower() not in ORG_HEADS
                and words[-1].lower() not in PLACE_HEADS
            )
        ):
            words, toks, lo = words[1:], toks[1:], lo + 1
        else:
            break
    # Drop trailing junk, titles ("MEA Secretary"), groups of people ("U.S. Officials") and punctuation tokens.
    while words and (
        (len(words) > 1 and words[-1].lower().rstrip(".") in PERSON_TITLES and words[-1].lower() not in ORG_HEADS)
        or (len(words) > 1 and words[-1].lower() in _PEOPLE_PLURALS)
        or words[-1].lower() in JUNK_WORDS
        or not any(c.isalnum() for c in words[-1])
        or words[-1].lower() in _CONNECTORS
    ):
        words, toks = words[:-1], toks[:-1]
    hi = lo + len(words)
    if not words:
        return []
    text_low = " ".join(words).lower()
    if all(_title_word(w) for w in words) or words[-1].lower() in EVENT_WORDS or text_low in lex.demonyms:
        return []
    if all(len(w) <= 2 for w in words) and text_low not in lex.known_orgs and place_key(text_low) not in PLACE_ALIASES:
        return []  # table headers ("W D L PCT GB"), stray initials
    if len(words) == 1 and (text_low in ORG_HEADS or text_low in ORG_STRONG):
        return []
    if any(sum(c.isdigit() for c in w) >= 4 for w in words):
        return []
    if len(words) == 1 and any(c.isdigit() for c in words[0]) and text_low not in lex.known_orgs:
        return []  # "MAY7", "F-14", ticker and contract codes
    if text_low in ("st", "st."):
        return []
    if (
        len(words) > 1
        and text_low not in lex.places
        and all(w.lower() in lex.places or w in ("-", ",", "and") for w in words)
    ):
        parts = []
        for k, w in enumerate(words):
            if w.lower() in lex.places:
                i = lo + k
                parts.append(_Span.around(span.part, [toks[k]], [w], sent_words, i, i + 1))
        return parts
    if (
        len(words) == 2
        and words[0].lower() in lex.places
        and (_is_acronym(words[1]) or words[1].lower() in lex.known_orgs)
        and text_low not in lex.places
    ):  # "Chicago NAPM", "OSCE Chechnya" the other way round is handled by typing
        return _one_word_spans(span, toks, words, lo, sent_words)
    if (
        len(words) == 2
        and (words[1].lower() in lex.countries or words[1].lower() in lex.extra_places)
        and words[0].lower() not in lex.places
        and words[0].lower() not in lex.first_names
        and text_low not in lex.places
        and words[1].lower() not in ORG_HEADS
    ):  # "Lebed Chechnya" in a headline: a name and a place side by side
        return _one_word_spans(span, toks, words, lo, sent_words)
    if len(words) == 1 and "-" in words[0] and toks[0].kind == "word":
        parts = words[0].split("-")
        if len(parts) > 1 and all(p.lower() in lex.places for p in parts):
            out, pos = [], toks[0].start
            for p in parts:
                out.append(_Span.around(span.part, [Token(p, pos, pos + len(p), "word")], [p], sent_words, lo, hi))
                pos += len(p) + 1
            return out
    if len(words) == 1:
        w = words[0]
        low = w.lower()
        if low in lex.demonyms or low in JUNK_WORDS or low in PERSON_TITLES or low in TITLE_MODIFIERS:
            return []
        if len(w.strip(".")) < 2 or w.isdigit() or toks[0].kind in ("num", "url", "handle", "clitic"):
            return []
        if w.islower():
            return []
        if (
            (lo == 0 or sent_words[lo - 1] in ('"', "'", "("))
            and _common(w, lex)
            and low not in lex.places
            and low not in lex.known_orgs
            and not _is_acronym(w)
        ):
            return []
    if text_low in JUNK_WORDS:
        return []
    span = _Span.around(span.part, toks, words, sent_words, lo, hi, titled=titled)
    return [span]


def _drop_overlaps(spans: list[_Span]) -> list[_Span]:
    """Keep the longest of overlapping spans (a joined "X and Y Commission" and its own "Y Commission")."""
    if len(spans) < 2:
        return spans
    keep: list[_Span] = []
    for s in sorted(spans, key=lambda x: -(x.tokens[-1].end - x.tokens[0].start)):
        a, b = s.tokens[0].start, s.tokens[-1].end
        if all(b <= k.tokens[0].start or a >= k.tokens[-1].end for k in keep):
            keep.append(s)
    return sorted(keep, key=lambda x: x.tokens[0].start)


def _title_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low.endswith("s") and low[:-1] in PERSON_TITLES:
        return True
    return low in PERSON_TITLES or low in TITLE_MODIFIERS or low in ("'s", "-", "&")


# "Alex. Brown and Sons", "Alex. Brown Inc", "Wm. Sword and Co": a short capitalised word, its period, then a
# capitalised name that a company marker follows.  The word before must not be a name word itself
# ("... Morgan Stanley. Brown Inc said" ends a sentence).
_ABBREVIATED_NAME = re.compile(
    r"(?<![\w.&'-])([A-Z][a-z]{1,4})\.\s+([A-Z][a-z]+)\s+"
    r"(?=(?:Inc|Corp|Co|Ltd|Plc|PLC|LLC)\b|(?:and|&)\s+(?:Sons?|Co|Cos|Company|Brothers|Bros)\b)"
)


def _abbreviated_names(text: str, lex: Lexicon) -> frozenset[tuple[str, str]]:
    """(abbreviated word, next word) pairs, lowercased, whose period abbreviates and does not end a sentence:
    found beside a company marker once, they hold for every mention in the article ("Alex. Brown said")."""
    pairs = set()
    for m in _ABBREVIATED_NAME.finditer(text):
        word, low = m.group(1), m.group(1).lower()
        before = text[max(0, m.start() - 30) : m.start()].split()
        prev = before[-1] if before else ""
        if (
            (_is_cap(prev) and not prev.isupper() and prev[-1] not in ".!?:;,\"')" and not _common(prev, lex))
            or low in lex.places
            or low in _MONTHS
            or low in JUNK_WORDS
            or low in STATE_ABBREVIATIONS
            or low in lex.known_orgs
            or low in PERSON_TITLES
            or low in _CORP_SUFFIXES
            or _common(word, lex)
            or (low not in lex.first_names and len(word) > 3)  # a given name (Alex) or a short form (Wm)
        ):
            continue
        pairs.add((low, m.group(2).lower()))
    return frozenset(pairs)


# "Wagner and Brown": two capitalised words joined by "and" or "&", not part of a longer capitalised run.
_PAIR_NAME = re.compile(r"(?<![\w.&'-])([A-Z][a-z]+) (?:and|&) ([A-Z][a-z]+)\b(?! [A-Z])")


def _beside_a_company(text: str, start: int, end: int) -> bool:
    """True if the words at [start, end) are listed with a company: "AFG Industries Inc and _", "_ and AFG Inc"."""
    before = text[max(0, start - 40) : start].split()
    if len(before) >= 2 and before[-1] == "and":
        w = before[-2]
        if w.endswith(">") or _is_acronym(w) or w.lower().rstrip(".,") in ORG_HEADS:
            return True
    return bool(_COMPANY_AFTER.match(text, end))


_COMPANY_AFTER = re.compile(r"\s+(?:and|&)\s+(?:[A-Z][\w.&'-]*\s+){0,4}(?:Inc|Corp|Co|Ltd|Plc|PLC|Industries|Group)\b")


def _pair_names(text: str, lex: Lexicon) -> frozenset[tuple[str, str]]:
    """Firms named after two people ("Wagner and Brown", "Kohlberg & Kravis"): a pair of surnames that
    comes twice in the article or once listed with a company, never after a title or a first name, neither
    word ever alone."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    titled: set[tuple[str, str]] = set()
    listed: set[tuple[str, str]] = set()
    for m in _PAIR_NAME.finditer(text):
        pair = (m.group(1), m.group(2))
        seen[pair] += 1
        before = text[max(0, m.start() - 30) : m.start()].split()
        if before and (_is_cap(before[-1]) or before[-1].lower().rstrip(".") in PERSON_TITLES):
            titled.add(pair)
        if _beside_a_company(text, m.start(), m.end()):
            listed.add(pair)
    out = set()
    for (a, b), count in seen.items():
        if (count < 2 and (a, b) not in listed) or (a, b) in titled:
            continue
        if any(w.lower() in lex.first_names or w.lower() in lex.places for w in (a, b)):
            continue
        if any(
            w.lower() in lex.known_orgs or w.lower() in lex.demonyms or w.lower() in JUNK_WORDS or w.lower() in _MONTHS
            for w in (a, b)
        ):
            continue
        if _common(a, lex) or any(len(re.findall(rf"\b{w}\b", text)) != count for w in (a, b)):
            continue
        out.add((a, b))
    return frozenset(out)


def _candidates(
    part: str,
    text: str,
    casing: dict[str, str],
    lex: Lexicon,
    abbreviated: frozenset[tuple[str, str]] = frozenset(),
    firms: frozenset[tuple[str, str]] = frozenset(),
) -> list[_Span]:
    out: list[_Span] = []
    for offset, line in lines_with_offsets(text):
        if not _HAS_CAPITAL.search(line):
            continue  # no capital letter, no name: skip the line without tokenising it
        for sent in sentences(join_abbreviated(tokenize(line, offset), abbreviated)):
            words = [t.text for t in sent]
            caps = _all_caps(sent)
            if caps:
                words = _truecase(sent, casing, lex)
            else:
                words = [
                    w if len(w) < 4 or not w.isupper() else _recase(t, w, casing, lex)
                    for t, w in zip(sent, words, strict=True)
                ]
            if _is_table(sent):
                out.extend(_table_spans(part, sent, words, lex))
                continue
            if not _needs_chunking(words, lex):
                continue
            found: list[_Span] = []
            for lo, hi, chunked in _regions(words, sent):
                for span in _mend(_Span(part, [], [], "", "", "", "", False), words, sent, lo, hi, lex, firms):
                    span.chunked = chunked
                    found.append(span)
            # Known places and organisations the chunker and the tagger left out ("told Reuters", headlines).
            found.extend(_lexicon_spans(part, sent, words, lex, found))
            out.extend(_drop_overlaps(found))
    return out


def _lexicon_spans(part: str, sent: list[Token], words: list[str], lex: Lexicon, found: list[_Span]) -> list[_Span]:
    """Capitalised runs that the lexicon knows but the chunker did not find (not at a sentence start)."""
    taken = {t.start for s in found for t in s.tokens}
    out = []
    i = 0
    n = len(sent)
    while i < n:
        if sent[i].start in taken or not _is_cap(words[i]) or sent[i].kind not in ("word", "acro"):
            i += 1
            continue
        j = i
        while j < n and sent[j].start not in taken and _is_cap(words[j]) and sent[j].kind in ("word", "acro"):
            j += 1
        text = " ".join(words[i:j]).lower()
        if (text in lex.places or text in lex.known_orgs) and text not in lex.demonyms and (i > 0 or j - i > 1):
            out.append(_Span.around(part, sent[i:j], words[i:j], words, i, j))
        i = j
    return out


# -------------------------------------------------------------------------------------------- typing
def _evidence(span: _Span, lex: Lexicon) -> None:
    """Score the span's own and its context's evidence for each type."""
    s = span.scores
    words = span.words
    text = span.text
    low = text.lower()
    last = words[-1].lower()
    first = words[0].lower().rstrip(".")
    known_org = lex.known_orgs.get(low)
    if known_org:
        s[ORG] += 5
    if low in lex.places or place_key(text) in PLACE_ALIASES:
        s[PLACE] += 5 if low in lex.countries else 4
    is_place = low in lex.places
    if len(words) > 1 and last in _PLACE_SUFFIXES and not any(w.lower() in ORG_HEADS for w in words):
        s[PLACE] += 4  # "Kyrgyz Republic", "Persian Gulf", "Jammu and Kashmir region"
    if len(words) > 1 and last in ORG_HEADS and not is_place:
        s[ORG] += 4
    if any(w.lower() in ORG_STRONG for w in words) and not is_place:
        s[ORG] += 3
    if len(words) == 1 and _is_acronym(words[0]) and not known_org and low not in lex.places:
        s[ORG] += 2
    if len(words) == 1 and low.endswith(("bank", "corp", "tel", "com", "soft", "tech")) and len(low) > 6:
        s[ORG] += 3
    if span.titled:
        s[PERSON] += 5
    if len(words) >= 2 and all(_is_cap(w) for w in words):
        if first in lex.first_names:
            s[PERSON] += 3
        elif len(first) == 1 or (len(words[0]) == 2 and words[0].endswith(".")):
            s[PERSON] += 2.5
        if last in lex.ieer_people:
            s[PERSON] += 1
        if not any(w.lower() in ORG_HEADS or w.lower() in lex.place_words or _common(w, lex) for w in words):
            s[PERSON] += 1
    elif len(words) == 1:
        if first in lex.first_names:
            s[PERSON] += 0.5
        if first in lex.ieer_people:
            s[PERSON] += 1
    if low in lex.ieer_orgs:
        s[ORG] += 2
    if low in lex.ieer_places:
        s[PLACE] += 2
    if span.prev in _PLACE_PREPS:
        s[PLACE] += 1.5
    if span.prev == "the":
        s[ORG] += 1.2
        s[PLACE] += 0.2
    if span.next in _SAY_VERBS or (span.next in ("'s", "has", "had", "was", "is") and span.next2 in _SAY_VERBS):
        s[PERSON] += 1.2
        s[ORG] += 0.6
    if span.next in _ORG_NEXT or span.prev in _ORG_PREV:
        s[ORG] += 1.5
    if span.next == "," and span.next2 in ("who", "whose"):
        s[PERSON] += 2
    if span.next in ("who", "whose"):
        s[PERSON] += 1.5
    if span.table and low not in lex.countries:
        if len(words) > 1 and (span.next == "(" or len(first) == 1) and last not in ORG_HEADS:
            s[PERSON] += 6  # "1. Michael Johnson ( U.S. ) 19.32", "P. Simmons 4-38": an athlete
        elif first in lex.first_names and len(words) > 1 and span.next == ",":
            s[PERSON] += 2
        else:
            s[ORG] += 5  # results and standings tables list clubs ("Leeds 2 Chelsea 1"), not towns
    if span.dateline:
        s[PLACE] += 6
    if len(words) == 1 and span.prev == "," and low.rstrip(".") in STATE_ABBREVIATIONS:
        s[PLACE] += 6
    if any(c.isdigit() for w in words for c in w):
        s[ORG] += 0.5
        s[PERSON] -= 6
    if any(w in ("and", "&") for w in words[1:-1]):
        s[ORG] += 3  # only organisation mends join over "and" ("Johnson and Johnson", "Wagner and Brown")


def _best(scores: dict[str, float]) -> tuple[str, float]:
    type_ = max(TYPES, key=lambda t: scores[t])
    return type_, scores[type_]


def _dateline_span(body: str, lex: Lexicon) -> tuple[int, int] | None:
    m = _DATELINE.match(body)
    if not m:
        return None
    text = m.group(1).strip()
    rest = body[m.end(1) :].lstrip(" ,")
    # A wire dateline: a known place, no ordinary words, or followed by a date or a country.
    if (
        text.lower() in lex.places
        or all(w.lower() not in lex.common_words for w in text.split())
        or re.match(r"\d{4}-\d\d-\d\d", rest)
        or rest.split(" ", 1)[0].strip(",").lower() in lex.countries
    ):
        return m.start(1), m.start(1) + len(text)
    return None


_WORDS = re.compile(r"[A-Za-z][\w'-]*")
_ABBREVIATED_BEFORE = re.compile(r"\b([A-Z][a-z]{1,4})\.\s+$")


def _casing(body: str, lex: Lexicon, abbreviated: frozenset[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """How the article's mixed-case text writes each word: lowercase if it ever appears so, else as seen
    (all-caps forms only for short acronyms that are not ordinary words; the period of an abbreviated
    name word such as "Alex." does not start a sentence)."""
    casing: dict[str, str] = {}
    common = lex.common_words
    for m in _WORDS.finditer(body):
        w = m.group()
        low = w.lower()
        if w == low:
            casing[low] = low
            continue
        if low in casing:
            continue  # already known: a capitalised form never replaces it, so skip the context checks
        before = body[max(0, m.start() - 3) : m.start()].rstrip(" \t\"'“‘(")
        if not before or before[-1] in ".!?:\n-":
            abbr = _ABBREVIATED_BEFORE.search(body, max(0, m.start() - 12), m.start()) if abbreviated else None
            if not abbr or (abbr.group(1).lower(), low) not in abbreviated:
                continue  # a capital at a sentence or line start says nothing about the word
        if low not in casing and (not w.isupper() or (len(w) <= 4 and low not in common)):
            casing[low] = w
    return casing


def extract_mentions(title: str, body: str, dateline: str = "") -> list[Mention]:
    """Every entity mention of the article with its type and its document-level canonical value."""
    lex = lexicon()
    abbreviated = _abbreviated_names(title + "\n" + body, lex)
    firms = _pair_names(body, lex)
    casing = _casing(body, lex, abbreviated)
    spans: list[_Span] = []
    if dateline:
        spans.extend(_dateline_spans("dateline", dateline, casing, lex))
    if title:
        dl = _dateline_span(title, lex)
        if dl:
            spans.extend(_dateline_spans("title", title[: dl[1]], casing, lex, start=dl[0]))
            spans.extend(_candidates("title", " " * dl[1] + title[dl[1] :], casing, lex, abbreviated, firms))
        else:
            spans.extend(_candidates("title", title, casing, lex, abbreviated, firms))
    if body:
        dl = _dateline_span(body, lex)
        if dl:
            spans.extend(_dateline_spans("body", body[: dl[1]], casing, lex, start=dl[0]))
            spans.extend(_candidates("body", " " * dl[1] + body[dl[1] :], casing, lex, abbreviated, firms))
        else:
            spans.extend(_candidates("body", body, casing, lex, abbreviated, firms))
    spans = [s for s in spans if s.words]
    for s in spans:
        _evidence(s, lex)
    return _resolve(spans, body, lex)


def _dateline_spans(part: str, text: str, casing: dict[str, str], lex: Lexicon, start: int = 0) -> list[_Span]:
    toks = []
    for t in tokenize(text[start:], start):
        if t.text in (",", ":", "(") or t.kind == "num" or t.text.lower().rstrip(".") in _MONTHS:
            break
        if t.kind in ("word", "acro"):
            toks.append(t)
    if not toks or len(toks) > 4:
        return []
    words = _truecase(toks, casing, lex) if _all_caps(toks) or len(toks) == 1 else [t.text for t in toks]
    words = [w.capitalize() if w.islower() else w for w in words]
    return [_Span(part, toks, words, "", "", "", "", True, dateline=True)]


# ------------------------------------------------------------------------------- in-article resolution
def _is_country_word(text: str, lex: Lexicon) -> bool:
    """A place or demonym prefix such as "U.S.", "British" or "West German"."""
    low = text.lower()
    return low in lex.places or low in lex.demonyms or low.replace(".", "") in lex.places


_DEFINED = re.compile(r"((?:[A-Z][\w'&.-]*\s+(?:(?:of|for|and|the|on|de)\s+)*){1,8})\(([A-Z][A-Za-z&.]{1,7})\)")
_DEFINED_TAIL = re.compile(r"\([A-Z][A-Za-z&.]{1,7}\)")  # what every _DEFINED match ends with: a cheap first test


def _resolve(spans: list[_Span], body: str, lex: Lexicon) -> list[Mention]:
    """One type per string, short forms to full names, acronyms to expansions; junk dropped."""
    # Acronyms the text defines: "Shanghai Cooperation Organisation (SCO)".
    defined: dict[str, str] = {}
    for m in _DEFINED.finditer(body) if _DEFINED_TAIL.search(body) else ():
        words = m.group(1).split()
        acr = m.group(2).replace(".", "")
        for k in range(len(words)):
            if words[k].lower() in ("the", "a", "an"):
                continue
            phrase = " ".join(words[k:])
            if phrase[:1].isupper() and acronym_of(phrase) == acr.upper():
                defined[acr] = phrase
                break
    # Aggregate scores per normalised string (one string, one type within an article).
    by_text: dict[str, list[_Span]] = defaultdict(list)
    for s in spans:
        by_text[s.text].append(s)
    totals: dict[str, dict[str, float]] = {}
    for text, group in by_text.items():
        tot = {t: 0.0 for t in TYPES}
        for s in group:
            for t in TYPES:
                tot[t] += s.scores[t]
        totals[text] = tot
    # Expansions lend their evidence to their acronyms.
    for acr, phrase in defined.items():
        if acr in totals:
            ptot = totals.get(phrase) or {ORG: 4.0, PERSON: 0.0, PLACE: 0.0}
            for t in TYPES:
                totals[acr][t] += ptot[t]
    types: dict[str, str] = {}
    for text, tot in totals.items():
        t, score = _best(tot)
        if score <= 0:
            t = _default_type(text, lex)
        types[text] = t
    # Surnames and first words of longer names of the article take their type and value.
    full_people = [t for t, ty in types.items() if ty == PERSON and len(t.split()) > 1]
    full_orgs = [t for t, ty in types.items() if ty == ORG and len(t.split()) > 1]
    value: dict[str, str] = {}
    for text in list(types):
        words = text.split()
        if len(words) == 1 and text not in defined:
            owners = [p for p in full_people if p.split()[-1] == text]
            if owners and (types[text] != PLACE or text.lower() not in lex.countries):
                best = max(owners, key=lambda p: (len(by_text[p]), len(p)))
                types[text] = PERSON
                value[text] = best
                continue
            orgs = [o for o in full_orgs if o.split()[0] == text and o.split()[-1].lower() in _CORP_SUFFIXES]
            if orgs and types[text] == ORG:
                value[text] = max(orgs, key=lambda o: len(by_text[o]))
                continue
    # "Goldman Sachs" beside "Goldman Sachs and Co" in one article: the shorter is the organisation too.
    for text in list(types):
        if types[text] == PERSON and text not in value:
            longer = [o for o in full_orgs if o != text and o.startswith(text + " ")]
            if longer:
                types[text] = ORG
                best = max(longer, key=lambda o: len(by_text[o]))
                if best.split()[-1].lower() in _CORP_SUFFIXES:
                    value[text] = best
    # A lone given name beside an organisation that begins with its abbreviation ("Alex" of an unmended
    # "Alex. Brown said" beside "Alex. Brown and Sons Inc"): that organisation, not a person.
    for text in list(types):
        if types[text] == PERSON and text not in value and " " not in text and text.lower() in lex.first_names:
            longer = [o for o in full_orgs if o.startswith(text + ". ")]
            if longer:
                types[text] = ORG
                value[text] = max(longer, key=lambda o: (len(by_text[o]), len(o)))
    # "Senate" beside "U.S. Senate" in one article: the bare name is the country's institution.
    for text in list(types):
        if types[text] == ORG and text not in value:
            prefixed = [
                o
                for o in full_orgs
                if o != text and o.endswith(" " + text) and _is_country_word(o[: -len(text) - 1], lex)
            ]
            if prefixed:
                value[text] = max(prefixed, key=lambda o: len(by_text[o]))
    # Person full forms: "S. Jaishankar" and "S Jaishankar" are one; initials fit a full first name.
    people_full = sorted({t for t in full_people}, key=lambda p: (-len(p), p))
    for p in people_full:
        if p in value:
            continue
        for q in people_full:
            if q != p and q not in value and len(q) >= len(p) and initials_compatible(p, q):
                value[p] = q
                break
    for acr, phrase in defined.items():
        if acr in types:
            types[acr] = types.get(phrase, types[acr])
            value[acr] = phrase
            if phrase not in types:
                types[phrase] = types[acr]
    # Acronyms of longer names found in the article ("SCO" for "Shanghai Cooperation Organization").
    for text in list(types):
        if _is_acronym(text) and text not in value:
            for o in full_orgs:
                if acronym_of(o) == text.replace(".", ""):
                    value[text] = o
                    types[text] = ORG
                    break
    # Single ordinary words ("Railways", "Consultations") need strong evidence to count as names.
    for text, tot in totals.items():
        if (
            " " not in text
            and text not in value
            and text not in defined
            and _common(text, lex)
            and max(tot.values()) < 3
            and text.lower() not in lex.first_names
        ):
            types[text] = ""
    mentions = []
    shown: dict[tuple[str, str], str | None] = {}  # _display per (value, type): mentions repeat in an article
    for s in spans:
        text = s.text
        t = types[text]
        if not t:
            continue
        v = value.get(text, text)
        while v in value and value[v] != v:
            v = value[v]
        t = types.get(v, t)
        key = (v, t)
        if key in shown:
            v = shown[key]
        else:
            v = shown[key] = _display(v, t, lex)
        if v is None:
            continue
        mentions.append(Mention(s.part, s.tokens[0].start, s.tokens[-1].end, text, t, v))
    return mentions


def _default_type(text: str, lex: Lexicon) -> str:
    words = text.split()
    if len(words) == 1:
        return ORG if _is_acronym(text) or any(c.isdigit() for c in text) else PERSON
    if words[0].lower() in lex.first_names and not any(c.isdigit() for c in text):
        return PERSON
    if any(_common(w, lex) or w.lower() in lex.places or w.lower() in lex.place_words for w in words):
        return ORG
    if any(c.isdigit() for c in text):
        return ORG
    return PERSON


_SPACES = re.compile(r"\s+")
_INITIAL_DOT = re.compile(r"\b([A-Z])\.(?=\s|$)")


def _display(value: str, type_: str, lex: Lexicon) -> str | None:
    """The in-article canonical form: initials without dots, known aliases resolved; None for junk.
    Never a comma: the index's facet fields are comma-separated keyword lists."""
    value = _SPACES.sub(" ", value.replace(",", " ")).strip()
    if type_ == PLACE:
        alias = PLACE_ALIASES.get(place_key(value))
        if alias:
            return alias
    if type_ == ORG:
        known = lex.known_orgs.get(value.lower())
        if known and _is_acronym(value.replace(".", "")) is False and len(known) > 0:
            return known
    if type_ == PERSON:
        value = _INITIAL_DOT.sub(r"\1", value)
        if value.lower() in JUNK_WORDS:
            return None
    if not name_key(value):
        return None
    return value


def extract_entities(title: str, body: str, dateline: str = "") -> DocEntities:
    """Spans by NLTK (pos_tag, ne_chunk binary=True, models loaded once per process), typed and normalised."""
    found: dict[str, dict[str, set[str]]] = {t: defaultdict(set) for t in TYPES}
    for m in extract_mentions(title, body, dateline):
        aliases = found[m.type][m.value]
        surface = _SPACES.sub(" ", m.text.replace(",", " ")).strip()
        if surface != m.value:
            aliases.add(surface)
    people, orgs, places = ({v: tuple(sorted(a)) for v, a in found[t].items()} for t in TYPES)
    return DocEntities(people=people, organizations=orgs, places=places)


def clear_caches() -> None:
    """Forget cached sentence chunks (tests and long-running workers)."""
    _sentence_cache.clear()


def iter_values(doc: DocEntities) -> Iterable[tuple[str, str, tuple[str, ...]]]:
    """(type, value, aliases) for every entity of the document."""
    for t in TYPES:
        for v, a in doc.of_type(t).items():
            yield t, v, a
