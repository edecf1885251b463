"""Comparison keys for entity names: spelling folds, transliteration variants, initials, acronyms."""

from __future__ import annotations

import re
import unicodedata

from search.enrich.entities.lexicon import ACRONYM_SKIP, LEGAL_SUFFIXES, NICKNAMES, SPELLING_FOLDS

_NON_WORD = re.compile(r"[^\w\s&]")
_SPACES = re.compile(r"\s+")
# Transliteration folds for person names (Sergei/Sergey, Aleksandr/Alexander, Mohammed/Muhammad...).
_TRANSLIT = (
    (re.compile(r"ey\b"), "ei"),
    (re.compile(r"iy\b"), "ii"),
    (re.compile(r"yi\b"), "ii"),
    (re.compile(r"y\b"), "i"),
    (re.compile(r"ks"), "x"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"oo"), "u"),
    (re.compile(r"([a-z])\1"), r"\1"),
    (re.compile(r"(?<=m)[ou](?=hamm?[ae]d)"), "u"),
    (re.compile(r"(?<=muh)a(?=m+[ae]d)"), "a"),
    (re.compile(r"(?<=mham)e(?=d)"), "a"),
)


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation dropped, spaces collapsed, British/American spellings merged."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = t.replace("’", "'").replace("'s ", " ")
    for a, b in SPELLING_FOLDS:  # before hyphens go: "co-operation" is one of them
        t = t.replace(a, b)
    t = _NON_WORD.sub(" ", t.replace("-", " ").replace(".", ""))
    return _SPACES.sub(" ", t).strip()


def name_key(text: str) -> str:
    """The key that equal names share (``Shanghai Cooperation Organisation`` == ``...Organization``)."""
    return fold(text)


def place_key(text: str) -> str:
    """Key for place aliases: ``U.S.``, ``US`` and ``the U.S.`` all give ``us``."""
    k = fold(text)
    return k[4:] if k.startswith("the ") else k


def org_key(text: str) -> str:
    """Key for organisations: legal suffixes and a leading ``the`` dropped (``Chrysler Corp`` == ``Chrysler``)."""
    words = name_key(text).split()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] in ("and", "&")):
        words = words[:-1]
    return " ".join(words)


def translit(word: str) -> str:
    """Fold transliteration variants of one name word (``sergey`` and ``sergei`` give ``sergei``)."""
    w = fold(word)
    for pattern, repl in _TRANSLIT:
        w = pattern.sub(repl, w)
    return w


def person_key(text: str) -> tuple[str, str]:
    """(first-name key, surname key) of a person name; the first part is "" for a surname alone."""
    words = name_key(text).split()
    if not words:
        return "", ""
    if len(words) == 1:
        return "", translit(words[0])
    return translit(words[0]), translit(words[-1])


def acronym_of(phrase: str) -> str:
    """Initials of the capitalised words (``Shanghai Cooperation Organisation`` -> ``SCO``)."""
    words = [w for w in re.split(r"[\s-]+", phrase) if w and w.lower() not in ACRONYM_SKIP]
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def _first_names(text: str) -> list[str]:
    words = [w.strip(".") for w in text.split()]
    return [w for w in words[:-1] if w]


def initials_compatible(a: str, b: str) -> bool:
    """Same surname, fitting first names (``S Jaishankar`` ~ ``Subrahmanyam Jaishankar``, ``Sergei`` ~ ``Sergey``,
    ``Jim`` ~ ``James``, ``E Gerald Corrigan`` ~ ``Gerald Corrigan``)."""
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or len(wb) < 2 or translit(wa[-1]) != translit(wb[-1]):
        return False
    fa, fb = _first_names(a), _first_names(b)
    if not fa or not fb:
        return False
    x, y = fa[0], fb[0]
    # "E. Gerald Corrigan" ~ "Gerald Corrigan": a leading initial before the given name the other one uses.
    if len(x) == 1 and len(y) > 1 and len(fa) > 1 and len(fa[1]) > 1 and _same_given(fa[1], y):
        return True
    if len(y) == 1 and len(x) > 1 and len(fb) > 1 and len(fb[1]) > 1 and _same_given(fb[1], x):
        return True
    if len(x) == 1 or len(y) == 1:
        return x[0].lower() == y[0].lower()
    return _same_given(x, y)


def _same_given(x: str, y: str) -> bool:
    return translit(x) == translit(y) or _given(x) == _given(y)


def _given(name: str) -> str:
    """A given name with its English short form expanded (``Jim`` -> ``james``)."""
    low = fold(name)
    return NICKNAMES.get(low, low)
