"""Spelling correction on real queries with injected typos: TIME, Cranfield, CISI and Reuters topic queries.

Run: .venv/bin/python -m bench.typos [--collections time,cranfield,cisi,reuters] [--reuters-docs 6000] [--write]

Each judged query gets one typo (and, separately, two typos) in one content word, with a fixed seed: a
transposition, a doubled or dropped letter, a neighbouring key, or any other inserted, dropped or changed
letter. Scored: the share of typo'd queries whose corrected query is the clean query (rank 1), MAP of the
corrected search against MAP of the clean query, and how many CLEAN queries get a correction or a suggestion.
Systems, in the same run and on the same index: the product's speller (SymSpell candidates, noisy channel
with the query's words as context), the same ranking over hand-written (Norvig) candidates, symspellpy's own
top suggestion per unknown word, the suggester the product had before (did-you-mean, searched when clicked),
and no correction at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.corpora import ir, reuters
from bench.relevance import evaluate, machine
from search.documents import Document, PartialDate
from search.enrich.analysis import stop_words
from search.query import SearchRequest, open_index, search
from search.query.didyoumean import spelled
from search.query.didyoumean import speller as _speller
from search.query.spelling import MAX_EDITS, Speller, Vocabulary, check, plain_words, replace_words
from search.query.suggest import suggest as old_suggest

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
SECTION = "## Spelling correction"
SEED = 16
DEPTH = 1000
KINDS = ("transpose", "double", "drop", "neighbour", "insert", "substitute")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ---- typos ----------------------------------------------------------------------------------


def _near(c: str) -> list[str]:
    where = {ch: (r, i) for r, row in enumerate(_ROWS) for i, ch in enumerate(row)}
    if c not in where:
        return list(_LETTERS)
    r, i = where[c]
    return [o for o, (r2, i2) in where.items() if o != c and abs(r2 - r) <= 1 and abs(i2 - i) <= 1]


def typo(word: str, kind: str, rng: random.Random) -> str:
    """One realistic typing error of the given kind (never at the first letter, as people seldom make it there)."""
    n = len(word)
    i = rng.randrange(1, n)
    if kind == "transpose":
        i = rng.randrange(1, n - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "neighbour":
        return word[:i] + rng.choice(_near(word[i])) + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(_LETTERS) + word[i:]
    return word[:i] + rng.choice([c for c in _LETTERS if c != word[i]]) + word[i + 1 :]


def inject(text: str, edits: int, rng: random.Random) -> tuple[str, str, str] | None:
    """(typo'd query, typed word, clean word): `edits` typos in one content word of at least 5 letters."""
    stops = stop_words()
    words = [w for w in dict.fromkeys(plain_words(text)) if len(w) >= 5 and w.isalpha() and w.lower() not in stops]
    if not words:
        return None
    clean = rng.choice(words)
    for _ in range(20):
        bad = clean.lower()
        for _ in range(edits):
            bad = typo(bad, rng.choice(KINDS), rng)
        if bad != clean.lower() and bad.isalpha():
            return re.sub(rf"(?<!\w){re.escape(clean)}(?!\w)", bad, text), bad, clean
    return None


# ---- correctors under test --------------------------------------------------------------------


class NorvigVocabulary(Vocabulary):
    """The same vocabulary, with candidates written by hand: every string within two edits, kept if a word."""

    def candidates(self, word: str, max_edits: int = MAX_EDITS) -> list[str]:
        words = self.words()
        one = _edits1(word)
        found = one & words
        if max_edits > 1:
            for w in one:
                found |= _edits1(w) & words
        found.discard(word)
        return list(found)

    def words(self) -> set[str]:
        if not hasattr(self, "_words"):
            self._words = {w for w, c in self.counts.items() if c >= 2} | set(stop_words())
        return self._words


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    return out


Corrector = Callable[[str], tuple[str, str | None]]  # query -> (query searched, query suggested)


def product(archive) -> Corrector:
    """The search's own spelling step (didyoumean.spelled): the query it searches, and its did-you-mean."""
    snap = archive.snapshot()

    def run(q: str) -> tuple[str, str | None]:
        _, checked = spelled(archive, snap, q, correct=True)
        if checked is None:
            return q, None
        # The query as typed with the product's replacements: checked.corrected is the parser's cleaned text, whose
        # dropped punctuation ("titles?", "-dash") would count as changed words.
        return replace_words(q, dict(checked.fixed)), checked.suggestion

    return run


def with_vocabulary(speller: Speller, vocabulary: Vocabulary) -> Corrector:
    other = Speller(vocabulary, speller.df, speller.docs, speller.size)

    def run(q: str) -> tuple[str, str | None]:
        checked = check(other, q)
        return checked.corrected, checked.suggestion

    return run


def symspell_top(speller: Speller) -> Corrector:
    """symspellpy alone: each word that matches nothing replaced by its top suggestion (closest, then commonest)."""
    from symspellpy import Verbosity

    sym = speller.vocabulary.symspell()
    stops = stop_words()

    def run(q: str) -> tuple[str, str | None]:
        fixes = {}
        for w in dict.fromkeys(plain_words(q)):
            lower = w.lower()
            if lower in stops or len(lower) < 3 or speller.df(lower):
                continue
            top = sym.lookup(lower, Verbosity.TOP, max_edit_distance=MAX_EDITS)
            if top and top[0].term != lower:
                fixes[w] = top[0].term
        return replace_words(q, fixes), None

    return run


def old_suggester(archive) -> Corrector:
    """The suggester before issue 16: a did-you-mean for short queries, searched when the user clicks it."""
    snap = archive.snapshot()
    reader = snap.searcher.reader()

    def run(q: str) -> tuple[str, str | None]:
        found = old_suggest(reader, q, plain_words(q))
        return (found or q), None

    return run


def nothing(q: str) -> tuple[str, str | None]:
    return q, None


# ---- the run ----------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return [w.lower() for w in plain_words(a)] == [w.lower() for w in plain_words(b)]


_RANKED: dict[tuple[int, str], list[str]] = {}


def _ranked(archive, q: str) -> list[str]:
    """The ranking of a query as typed (kept: most systems search the same texts)."""
    key = (id(archive), q)
    if key not in _RANKED:
        req = SearchRequest(q=q, per_page=DEPTH, facets=False, snippets=False, collapse=False, correct=False)
        _RANKED[key] = [h.id for h in search(archive, req).hits]
    return _RANKED[key]


def reuters_collection(limit: int) -> ir.Collection:
    """The first `limit` Reuters articles; a query per one-word topic held by at least 10 of them (its name)."""
    docs, topics = [], {}
    for art in reuters.articles(limit=limit):
        if not art["body"] and not art["title"]:
            continue
        stamp = art["date"]
        day = PartialDate.from_date(stamp.date()) if stamp else None
        docs.append(Document(id=str(art["id"]), title=str(art["title"]), body=str(art["body"]), date=day))
        for t in art["topics"]:
            topics.setdefault(t, {})[str(art["id"])] = 1
    qrels = {t: rel for t, rel in topics.items() if t.isalpha() and len(t) >= 5 and len(rel) >= 10}
    return ir.Collection("reuters", docs, {t: t for t in qrels}, qrels)


def run_collection(coll: ir.Collection, folder: Path) -> dict:
    started = time.perf_counter()
    ir.write_index(folder, coll.documents)
    archive = open_index(folder)
    snap = archive.snapshot()
    t0 = time.process_time()
    speller = _speller(snap)
    vocab_s = time.process_time() - t0
    t0 = time.process_time()
    speller.vocabulary.symspell()
    symspell_s = time.process_time() - t0
    norvig = NorvigVocabulary(speller.vocabulary.counts)
    systems: dict[str, Corrector] = {
        "product (SymSpell candidates, noisy channel + context)": product(archive),
        "same ranking, hand-written candidates": with_vocabulary(speller, norvig),
        "symspellpy top suggestion": symspell_top(speller),
        "suggester before (did-you-mean, clicked)": old_suggester(archive),
        "no correction": nothing,
    }
    rng = random.Random(SEED)
    queries = coll.judged_queries
    typos = {n: {} for n in (1, 2)}
    for qid, text in queries.items():
        for n in (1, 2):
            got = inject(text, n, rng)
            if got is not None:
                typos[n][qid] = got
    clean_run = {qid: _ranked(archive, text) for qid, text in queries.items()}
    out = {
        "docs": len(coll.documents),
        "queries": len(queries),
        "typo_queries": {n: len(t) for n, t in typos.items()},
        "vocabulary_words": len(speller.vocabulary.counts),
        "vocabulary_cpu_s": vocab_s,
        "symspell_build_cpu_s": symspell_s,
        "clean_map": evaluate(clean_run, coll)["MAP"],
        "systems": {},
        "examples": [],
    }
    for name, fix in systems.items():
        row: dict = {}
        flagged = 0
        for text in queries.values():
            searched, suggested = fix(text)
            flagged += not _same(searched, text) or (suggested is not None and not _same(suggested, text))
        row["clean_flagged"] = flagged
        for n, items in typos.items():
            right, cpu = 0, []
            typo_run = {}
            kinds: Counter = Counter()
            for qid, (bad, typed, clean) in items.items():
                c0 = time.process_time()
                searched, suggested = fix(bad)
                cpu.append(time.process_time() - c0)
                ok = _same(searched, queries[qid])
                right += ok
                kinds[ok] += 1
                typo_run[qid] = _ranked(archive, searched)
                if n == 1 and not ok and name.startswith("product") and len(out["examples"]) < 8:
                    got = [w for w in plain_words(searched) if w.lower() not in {x.lower() for x in plain_words(bad)}]
                    out["examples"].append(f"{typed} (for {clean.lower()}) -> {', '.join(got) or 'unchanged'}")
            judged = {q: r for q, r in clean_run.items() if q in items}
            sub = ir.Collection(coll.name, coll.documents, {q: queries[q] for q in items}, coll.qrels)
            row[n] = {
                "rank1": right / max(1, len(items)),
                "map": evaluate(typo_run, sub)["MAP"],
                "clean_map_same_queries": evaluate(judged, sub)["MAP"],
                "ms_p50": statistics.median(cpu) * 1000 if cpu else 0.0,
            }
        out["systems"][name] = row
        print(f"{coll.name} {name}: {row}", flush=True)
    out["seconds"] = time.perf_counter() - started
    archive.close()
    return out


def render(results: dict[str, dict], took: float) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run {when} on {machine()}; `python -m bench.typos` ({took:.0f} s, load average"
        f" {os.getloadavg()[0]:.1f} at the end: the scores do not depend on it, the CPU times do).",
        f"Typos: seed {SEED}, in one content word of at least 5 letters per judged query (never its first letter),"
        f" one of {', '.join(KINDS)}; 'two typos' applies two to the same word. Rank 1: the query searched (or,"
        " for the suggester before, the query its did-you-mean link searches) is the clean query. MAP of the"
        " corrected search is against MAP of the clean queries that could be typo'd. Clean flagged: clean queries"
        " that got a correction or a suggestion (goal 0). ms: CPU per typo'd query to correct it.",
        "",
    ]
    for coll, res in results.items():
        lines.append(
            f"**{coll}**: {res['docs']} articles, {res['queries']} judged queries ({res['typo_queries'][1]} with one"
            f" typo, {res['typo_queries'][2]} with two); vocabulary {res['vocabulary_words']} words read in"
            f" {res['vocabulary_cpu_s']:.2f} CPU s, SymSpell built in {res['symspell_build_cpu_s']:.2f} CPU s;"
            f" clean MAP {res['clean_map']:.3f}."
        )
        lines.append("")
        lines.append(
            "| system | rank 1, one typo | MAP one typo / clean | rank 1, two typos | MAP two typos / clean"
            " | clean flagged | ms p50 |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, row in res["systems"].items():
            one, two = row[1], row[2]
            lines.append(
                f"| {name} | {one['rank1']:.0%} | {one['map']:.3f} / {one['clean_map_same_queries']:.3f}"
                f" ({_ratio(one)}) | {two['rank1']:.0%} | {two['map']:.3f} / {two['clean_map_same_queries']:.3f}"
                f" ({_ratio(two)}) | {row['clean_flagged']} | {one['ms_p50']:.1f} |"
            )
        if res["examples"]:
            lines.append("")
            lines.append("Product misses (one typo): " + "; ".join(res["examples"]) + ".")
        lines.append("")
    return "\n".join(lines)


def _ratio(cell: dict) -> str:
    base = cell["clean_map_same_queries"]
    return f"{cell['map'] / base:.0%}" if base else "n/a"


def write_section(text: str) -> None:
    current = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    block = f"{SECTION}\n\n{text.strip()}\n\n"
    new = pattern.sub(lambda _: block, current) if pattern.search(current) else current.rstrip() + "\n\n" + block
    BENCHMARKS.write_text(new)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--collections", default="time,cranfield,cisi,reuters")
    ap.add_argument("--reuters-docs", type=int, default=6000, help="the first N Reuters articles")
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.collections.split(","):
            coll = reuters_collection(args.reuters_docs) if name == "reuters" else ir.load(name)
            results[name] = run_collection(coll, Path(tmp) / name)
    text = render(results, time.perf_counter() - started)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
