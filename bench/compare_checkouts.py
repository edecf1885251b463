"""Compare two checkouts' behaviour and speed: same hits, same order, same facet counts, same pages, same relevance.

Run: .venv/bin/python -m bench.compare_checkouts --before DIR --after DIR [--quick] [--write]
         [--reuters-index-before P --reuters-index-after P] [--one-index] [--rebuild]

Each checkout indexes TIME, Cranfield, CISI and Reuters-21578 with its own indexer (`python -m search index` in a
subprocess whose cwd and PYTHONPATH are that checkout), then answers the same queries in a second subprocess that runs
bench/compare_digest.py of the AFTER checkout (the digest says what it asks and which volatile parts it normalises).
Indexes are cached in a scratch folder outside the repository (``$COMPARE_WORK``, default
``$TMPDIR/compare-checkouts``, shared by everyone on the machine), keyed by a hash of the checkout's ``search/``
files, committed or not (in effect the commit's tree), so a re-run, or a checkout whose ``search/`` did not change,
reuses them; a build in progress is waited for, not repeated. ``--one-index`` answers both sides from the BEFORE
checkout's indexes (usually cached already), for changes on the query side only.

Compared: every TIME / Cranfield / CISI query (hit ids 1000 deep as bench/relevance.py asks, the JSON API's first
page and top 100 with total, counts, every facet, notes and did-you-mean, the search page's bytes), the
search-speed mix of bench/search_speed.py on Reuters with its filters (the same, plus every value of every facet),
and the web pages (documents, facet pages, exports, feeds, widget, about, API answers, error pages) by sha256.
Relevance (MAP, nDCG@10, P@10 as bench/relevance.py computes them) and speed (CPU ms per search page of the mix,
both sides alternating in one sitting; CPU s per indexed article) for both.

Exit status: 0 when everything is identical, 1 when anything differs (speed aside), 2 on a usage or build error.
``--quick``: TIME and the first 2,000 Reuters articles, two mix queries' pages, fewer speed rounds (a few minutes
once the indexes are cached).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import fcntl
import hashlib
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpora import ir
from bench.corpora.reuters_text import REUTERS, articles, write_jsonl
from bench.http_speed import request_paths
from bench.index_speed import PER_FILE
from bench.machine import describe
from bench.report import table, write_section
from bench.search_speed import query_mix

log = logging.getLogger(__name__)
SECTION = "## Re-cut: before and after"
WORK = Path(os.environ.get("COMPARE_WORK", Path(tempfile.gettempdir()) / "compare-checkouts"))
DIGEST = Path(__file__).resolve().with_name("compare_digest.py")
QUICK_REUTERS = 2000


@dataclass
class Side:
    """One checkout: where it is, its cache key, and what it built and answered."""

    name: str
    root: Path
    key: str = ""
    indexes: dict[str, Path] = field(default_factory=dict)
    builds: dict[str, dict] = field(default_factory=dict)
    digests: dict[str, dict] = field(default_factory=dict)
    speed: list[dict] = field(default_factory=list)


# -- checkouts and indexes --------------------------------------------------------------------------------------
def tree_key(root: Path) -> str:
    """A hash of every file under the checkout's search/ (what an index depends on), committed or not."""
    h = hashlib.sha256()
    for f in sorted((root / "search").rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(root), **extra}
    env.setdefault("NLTK_DATA", str(root / "nltk_data"))
    return env


def write_records(work: Path, quick: bool, collections: list[str]) -> dict[str, Path]:
    """The JSONL records both sides index (written once into the scratch folder)."""
    out = {}
    for name in collections:
        folder = work / "records" / name
        if not (folder / "records.jsonl").exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / "records.jsonl.tmp"
            with tmp.open("w", encoding="utf-8") as f:
                for d in ir.load(name).documents:
                    rec = {"id": d.id, "title": d.title, "body": d.body}
                    if d.author:
                        rec["author"] = d.author
                    if d.date is not None:
                        rec["date"] = str(d.date)
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            tmp.rename(folder / "records.jsonl")
        out[name] = folder
    name = f"reuters-{QUICK_REUTERS}" if quick else "reuters"
    folder = work / "records" / name
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        items = list(articles())[: QUICK_REUTERS if quick else None]
        write_jsonl(items, folder, per_file=PER_FILE)
        (folder / "done").write_text(str(len(items)))
    out[name] = folder
    return out


def build(side: Side, name: str, records: Path, work: Path, rebuild: bool) -> None:
    """The side's index of one collection, by its own `python -m search index`; cached by its tree key.

    The build's figures are kept beside the index (not in it: the about page counts the index folder's bytes)."""
    target = work / "indexes" / side.key / name
    meta = target.with_name(name + ".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the same index: wait for it
        if rebuild or not meta.exists():
            meta.unlink(missing_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            _index(side, name, records, target, meta)
            side.builds[name] = {**json.loads(meta.read_text()), "fresh": True}
        else:
            side.builds[name] = {**json.loads(meta.read_text()), "fresh": False}
    side.indexes[name] = target


def _index(side: Side, name: str, records: Path, target: Path, meta: Path) -> None:
    argv = [sys.executable, "-m", "search", "index", str(records), "--index", str(target)]
    argv += ["--workers", "2", "--quiet", "--json"]
    print(f"{side.name}: indexing {name} ({side.root}) ...", flush=True)
    cpu0, t0 = _children_cpu(), time.perf_counter()
    run = subprocess.run(argv, cwd=side.root, env=_env(side.root), capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if run.returncode != 0:
        raise RuntimeError(f"{side.name}: indexing {name} failed:\n{run.stderr[-2000:]}")
    summary = json.loads(run.stdout[run.stdout.index("{") :])
    info = {
        "documents": summary.get("documents"),
        "cpu": cpu,
        "wall": wall,
        "load": os.getloadavg()[0],
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    meta.write_text(json.dumps(info))


# -- the digest subprocess --------------------------------------------------------------------------------------
def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run_digest(side: Side, digest: Path, plan: dict, out_dir: Path, tag: str) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    plan_file, out_file = out_dir / f"{tag}.plan.json", out_dir / f"{tag}.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    cpu0, t0 = _children_cpu(), time.perf_counter()
    run = subprocess.run(
        [sys.executable, str(digest), str(plan_file), str(out_file)],
        cwd=side.root,
        env=_env(side.root),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise RuntimeError(f"{side.name}: digest {tag} failed:\n{run.stderr[-3000:]}")
    log.info("%s: %s took %.0f s, %.1f CPU s", side.name, tag, time.perf_counter() - t0, _children_cpu() - cpu0)
    return json.loads(out_file.read_text(encoding="utf-8"))


def mix_items(person: str, place: str) -> list[dict]:
    """bench/search_speed.py's mix as the web page's query strings (bench/http_speed.py's paths)."""
    from urllib.parse import parse_qsl

    labels = [q.label for q in query_mix(person, place)]
    paths = request_paths(person, place)
    return [{"label": label, "params": parse_qsl(p[2:])} for label, p in zip(labels, paths, strict=True)]


def ir_items(name: str) -> list[dict]:
    coll = ir.load(name)
    return [{"label": f"{name} q{qid}", "params": [["q", text]]} for qid, text in coll.queries.items()]


# -- comparing --------------------------------------------------------------------------------------------------
@dataclass
class Group:
    """One row of the table: how many items matched, and the first that did not."""

    name: str
    items: int = 0
    differ: list[str] = field(default_factory=list)
    first: str = ""
    diff: list[str] = field(default_factory=list)
    fields: dict[str, int] = field(default_factory=dict)  # what differs -> in how many items


def _is_page(value: object) -> bool:
    return isinstance(value, dict) and "sha256" in value


def _same(a: object, b: object) -> bool:
    if _is_page(a) and _is_page(b):
        return all(a.get(k) == b.get(k) for k in ("status", "headers", "sha256"))
    return a == b


def _text(body: bytes) -> list[str]:
    try:
        return json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
    except ValueError:
        return body.decode("utf-8", "replace").splitlines()


def _short_diff(a: object, b: object, bodies: tuple[Path, Path], lines: int = 14) -> str:
    if _is_page(a) and _is_page(b):
        head = f"status {a['status']} -> {b['status']}, {a['bytes']} -> {b['bytes']} bytes"
        if a.get("headers") != b.get("headers"):
            head += f", headers {a['headers']} -> {b['headers']}"
        old = _text((bodies[0] / a["file"]).read_bytes())
        new = _text((bodies[1] / b["file"]).read_bytes())
        diff = [d[:160] for d in difflib.unified_diff(old, new, "before", "after", n=1, lineterm="")]
        return head + "\n" + "\n".join(diff[2 : 2 + lines])
    if isinstance(a, list) and isinstance(b, list):
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        return f"{len(a)} -> {len(b)} items, first difference at #{at + 1}: {a[at : at + 3]} -> {b[at : at + 3]}"
    old = json.dumps(a, indent=1, ensure_ascii=False, default=str).splitlines()
    new = json.dumps(b, indent=1, ensure_ascii=False, default=str).splitlines()
    diff = [d[:160] for d in difflib.unified_diff(old, new, "before", "after", n=1, lineterm="")]
    return "\n".join(diff[2 : 2 + lines])


def compare_entries(group: Group, before: dict, after: dict, bodies: tuple[Path, Path]) -> None:
    """Each labelled entry field by field; the group keeps the labels that differ and a diff of the first."""
    for label in list(before) + [k for k in after if k not in before]:
        group.items += 1
        a, b = before.get(label), after.get(label)
        if a is None or b is None:
            group.differ.append(label)
            group.fields["missing"] = group.fields.get("missing", 0) + 1
            group.first = group.first or f"{label}: only {'after' if a is None else 'before'} has it."
            continue
        if not (_is_page(a) or _is_page(b)) and isinstance(a, dict) and isinstance(b, dict):
            keys = [k for k in list(a) + [k for k in b if k not in a] if not _same(a.get(k), b.get(k))]
        else:
            keys = [] if _same(a, b) else [""]
        if keys:
            group.differ.append(label)
            for k in keys:
                group.fields[k or "bytes"] = group.fields.get(k or "bytes", 0) + 1
            if not group.first:
                # The plainest difference first (ids, counts, facets), the bytes of a page or answer last.
                k = sorted(keys, key=lambda k: _is_page(a.get(k)) or _is_page(b.get(k)))[0] if keys[0] else ""
                what = f"{label} / {k}" if k else label
                shown = f" ({', '.join(keys)} differ)" if k else ""
                group.first = f"{what}{shown}:"
                group.diff = _short_diff(a.get(k) if k else a, b.get(k) if k else b, bodies).splitlines()


def relevance(name: str, digest: dict) -> dict[str, float]:
    """MAP, nDCG@10, P@10 of the deep runs, as bench/relevance.py computes them."""
    from bench.relevance import evaluate

    coll = ir.load(name)
    prefix = f"{name} q"
    run = {label[len(prefix) :]: entry.get("deep ids", []) for label, entry in digest["queries"].items()}
    return evaluate({q: ids for q, ids in run.items() if q in coll.judged_queries}, coll)


# -- the run ----------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="the checkout before the change")
    ap.add_argument("--after", type=Path, required=True, help="the checkout after the change")
    ap.add_argument("--quick", action="store_true", help="TIME and 2,000 Reuters articles, fewer pages and rounds")
    ap.add_argument("--collections", help="IR collections (default time,cranfield,cisi; quick: time; none)")
    ap.add_argument("--reuters-index-before", type=Path, help="a prebuilt Reuters index for the before side")
    ap.add_argument("--reuters-index-after", type=Path, help="a prebuilt Reuters index for the after side")
    ap.add_argument("--one-index", action="store_true", help="both sides answer from the before side's indexes")
    ap.add_argument("--rebuild", action="store_true", help="build the indexes again (CPU per article this sitting)")
    ap.add_argument("--rounds", type=int, help="speed: passes over the mix per repeat (default 5; quick 3)")
    ap.add_argument("--repeats", type=int, default=2, help="speed: before/after alternations (default 2)")
    ap.add_argument("--work", type=Path, default=WORK, help=f"scratch folder (default {WORK})")
    ap.add_argument("--write", action="store_true", help=f"record the result as '{SECTION}' in BENCHMARKS.md")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (REUTERS.is_dir() and ir.CORPUS.exists()):
        print(f"corpus not found ({REUTERS}, {ir.CORPUS})", file=sys.stderr)
        return 2
    collections = (args.collections or ("time" if args.quick else ",".join(ir.COLLECTIONS))).split(",")
    collections = [c for c in collections if c and c != "none"]
    rounds = args.rounds or (3 if args.quick else 5)
    started, load0 = time.perf_counter(), os.getloadavg()[0]
    sides = [Side("before", args.before.resolve()), Side("after", args.after.resolve())]
    digest = sides[1].root / "bench" / "compare_digest.py"
    digest = digest if digest.exists() else DIGEST
    try:
        for side in sides:
            side.key = tree_key(side.root)
        records = write_records(args.work, args.quick, collections)
        reuters = next(n for n in records if n.startswith("reuters"))
        given = {"before": args.reuters_index_before, "after": args.reuters_index_after}
        builders = sides[:1] if args.one_index else sides
        for name, folder in records.items():
            for side in builders:
                if name == reuters and given[side.name]:
                    side.indexes[name] = given[side.name].resolve()
                else:
                    build(side, name, folder, args.work, args.rebuild)
        if args.one_index:
            sides[1].indexes = dict(sides[0].indexes)
        report = compare(args, sides, records, reuters, collections, rounds, digest)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - started
    text, differs = render(args, sides, report, took, load0, collections, reuters)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 1 if differs else 0


def compare(
    args: argparse.Namespace,
    sides: list[Side],
    records: dict[str, Path],
    reuters: str,
    collections: list[str],
    rounds: int,
    digest: Path,
) -> dict:
    out_root = args.work / "runs" / dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    report: dict = {"groups": [], "relevance": {}, "picks": {}, "out": out_root}
    mix = mix_items("{person}", "{place}")  # each side fills in its own archive's most named person and place
    shown = mix[:2] if args.quick else [m for m in mix if m["label"] in PAGE_QUERIES]
    plans = {
        reuters: {
            "mode": "digest",
            "queries": mix,
            "full_facets": True,
            "pages": shown,
            "documents": 1 if args.quick else 3,
        },
        # quick: the IR queries' first page only (the top 100's snippets of long articles cost the most)
        **{
            name: {"mode": "digest", "queries": ir_items(name), "deep": True, "top": not args.quick}
            for name in collections
        },
    }
    for name, plan in plans.items():
        for s in sides:
            print(f"{s.name}: digest of {name} ...", flush=True)
            body = out_root / s.name / name
            s.digests[name] = run_digest(
                s, digest, {**plan, "index": str(s.indexes[name]), "bodies": str(body)}, out_root / s.name, name
            )
            cpu = sorted(s.digests[name].get("cpu", {}).items(), key=lambda kv: -kv[1])
            log.info("  CPU s by request: %s", ", ".join(f"{k} {v:.1f}" for k, v in cpu[:6]))
        bodies = (out_root / "before" / name, out_root / "after" / name)
        b, a = sides[0].digests[name], sides[1].digests[name]
        if b.get("deep") != a.get("deep"):  # one side's core API moved: compare both at the JSON API's depth
            report.setdefault("notes", []).append(
                f"{name}: deep runs by {b['deep']} before and {a['deep']} after, compared (and scored) 100 deep"
            )
            for entry in [*b["queries"].values(), *a["queries"].values()]:
                entry["deep ids"] = entry.get("deep ids", [])[:100]
        group = Group(f"{name}: queries")
        compare_entries(group, b["queries"], a["queries"], bodies)
        report["groups"].append(group)
        if "pages" in b or "pages" in a:
            group = Group(f"{name}: web pages")
            compare_entries(group, b.get("pages", {}), a.get("pages", {}), bodies)
            report["groups"].append(group)
        if name in collections:
            report["relevance"][name] = {s.name: relevance(name, s.digests[name]) for s in sides}
    picks = report["picks"] = {s.name: s.digests[reuters]["picks"] for s in sides}
    if picks["before"] != picks["after"]:
        group = Group(f"{reuters}: mix filters (most named person, place)", items=1, differ=["picks"])
        group.first = f"before {picks['before']} -> after {picks['after']}."
        report["groups"].insert(0, group)
    speed_plan = {"mode": "speed", "queries": mix, "rounds": rounds}
    for r in range(args.repeats):
        for s in sides if r % 2 == 0 else sides[::-1]:  # alternating, so drifting load hits both alike
            print(f"{s.name}: speed, repeat {r + 1} ...", flush=True)
            s.speed.append(
                run_digest(s, digest, {**speed_plan, "index": str(s.indexes[reuters])}, out_root / s.name, f"speed{r}")
            )
    return report


PAGE_QUERIES = ("one word", "phrase", "person filter", "date range")


def _speed(side: Side) -> dict[str, float]:
    per: dict[str, list[float]] = {}
    for run in side.speed:
        for label, times in run["cpu_ms"].items():
            per.setdefault(label, []).extend(times)
    return {label: statistics.median(times) for label, times in per.items()}


def render(
    args: argparse.Namespace,
    sides: list[Side],
    report: dict,
    took: float,
    load0: float,
    collections: list[str],
    reuters: str,
) -> tuple[str, bool]:
    before, after = sides
    groups: list[Group] = report["groups"]
    rows = [[g.name, g.items, g.items - len(g.differ), len(g.differ)] for g in groups]
    differs = any(g.differ for g in groups)
    firsts = []
    for g in groups:
        if g.differ:
            tally = ", ".join(f"{k} in {n}" for k, n in sorted(g.fields.items(), key=lambda kv: -kv[1]))
            firsts += [f"- **{g.name}**: {len(g.differ)} of {g.items} differ ({tally}). The first, {g.first}", ""]
            firsts += ["```", *g.diff, "```"] if g.diff else []
    rel_rows, rel_same = [], True
    for name, per in report["relevance"].items():
        for measure in per["before"]:
            b, a = per["before"][measure], per["after"][measure]
            rel_same &= b == a
            rel_rows.append([name, measure, f"{b:.4f}", f"{a:.4f}", "same" if b == a else f"{a - b:+.4f}"])
    differs |= not rel_same
    sb, sa = _speed(before), _speed(after)
    speed_rows = [[label, f"{sb[label]:.1f}", f"{sa[label]:.1f}", f"{sa[label] / sb[label]:.2f}"] for label in sb]
    mb, ma = statistics.median(sb.values()), statistics.median(sa.values())
    speed_rows.append(["**median of the mix**", f"{mb:.1f}", f"{ma:.1f}", f"{ma / mb:.2f}"])
    build_rows = []
    for name in before.builds.keys() | after.builds.keys():
        cells = [name]
        for s in sides:
            info = s.builds.get(name)
            if info and info.get("documents"):
                fresh = "" if info.get("fresh") else f" (cached, {info['when']})"
                cells.append(f"{info['cpu'] / info['documents'] * 1000:.2f}{fresh}")
            else:
                cells.append("-")
        build_rows.append(cells)
    loads = [r.get("load", 0.0) for s in sides for r in s.speed]
    verdict = "**identical**" if not differs else "**DIFFERENT**"
    one = " Both sides answered from the before side's indexes (--one-index)." if args.one_index else ""
    lines = [
        SECTION,
        "",
        f"Machine: {describe()}; load average {load0:.1f} at the start, {min(loads):.1f}-{max(loads):.1f} during the "
        f"speed runs. Run: `.venv/bin/python -m bench.compare_checkouts --before DIR --after DIR"
        f"{' --quick' if args.quick else ''}` ({took:.0f} s).",
        f"Before: {before.root.name} (search/ files {before.key}); "
        f"after: {after.root.name} (search/ files {after.key})."
        f"{one} Collections: {', '.join([*collections, reuters])} (the search-speed mix with its filters: "
        f"person {report['picks']['after']['person']!r}, place {report['picks']['after']['place']!r}).",
        "",
        f"Behaviour: {verdict}. Normalised before comparing, and only that: date-times on the day of the run or of "
        "an index's last commit (export stamp and file name, citation access date, last update, feed fallback time).",
        "",
        table(["what", "items", "identical", "different"], rows),
        "",
        *firsts,
        *([""] if firsts else []),
        *[f"Note: {note}." for note in report.get("notes", [])],
        *([""] if report.get("notes") else []),
        *(
            [
                "Relevance (judged queries, 1000 deep, every version):",
                "",
                table(["collection", "measure", "before", "after", "change"], rel_rows),
                "",
            ]
            if rel_rows
            else []
        ),
        f"Speed: CPU ms per search page of the mix (HTML, facets and highlighting, result cache off), median of "
        f"{args.repeats} alternating runs x {args.rounds or (3 if args.quick else 5)} rounds after a warm-up:",
        "",
        table(["query", "before", "after", "after/before"], speed_rows),
        "",
        "Indexing: CPU ms per article (user+system of the indexing process tree, `python -m search index "
        "--workers 2`):",
        "",
        table(["collection", "before", "after"], sorted(build_rows)),
    ]
    return "\n".join(lines) + "\n", differs


if __name__ == "__main__":
    sys.exit(main())
