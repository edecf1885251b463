"""The digest of one checkout's behaviour, run by bench/compare_checkouts.py inside that checkout.

Run as a script by path, with cwd and PYTHONPATH set to the checkout under test, so that `import search` is that
checkout's package: ``python compare_digest.py PLAN.json OUT.json``. It imports nothing from bench/ and drives only
the surfaces that stay put through a re-cut: the Flask app (``search.web.create_app``, through its test client) and,
for the 1000-deep relevance runs, ``search.query.open_index``/``search`` with ``SearchRequest`` (falling back to the
JSON API's 100 when those move).

Modes (the plan's "mode"):
- ``digest``: for every query, the JSON API's answer (total, counts, hit ids of the first page and of the top 100,
  every facet with its counts, notes, did-you-mean, correction) and the search page's bytes; optionally the ids of the
  1000-deep relevance run, every value of every facet, and the web pages (documents, facet pages, exports, feeds,
  widget, about, errors), each as the sha256 of its normalised bytes (the bytes are kept beside for diffs).
- ``speed``: CPU seconds (this process's, ``time.process_time``) of each search page of the mix, result cache off,
  after one warm-up pass.

Query parameters may hold ``{person}`` and ``{place}``: the archive's most named person and place, the first of each on
the about page (as bench/search_speed.py takes them from ``stats``); the answer names them under "picks".

Volatile parts, and only those, are normalised before hashing: a date-time on the day of the run (start or end) or on
the day of the index's last commit (its folder's time) becomes ``<time>``. That covers the export's ``made``
stamp and file name, the citation's "accessed" date (document page, BibTeX, RIS), the about page's and /healthz's
"last update", and the feed's fallback time for undated articles. Nothing else varies between runs: there are no
elapsed times in pages and no CSP nonces.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]  # run by path: bench/ must not shadow anything; `search` comes from PYTHONPATH

FACETS = ("people", "organizations", "places", "sources", "authors")
TOP = 100
DEEP = 1000
FACET_PAGE = 500  # the facet listing's largest page


class Volatile:
    """Replaces date-times of the run's day(s) and of the index's last commit with a placeholder."""

    def __init__(self, days: set[str]) -> None:
        alts = "|".join(sorted(re.escape(d) for d in days))
        self.pattern = re.compile(
            rf"(?:{alts})(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:\d\d|(?= UTC))?".encode()
        )

    def __call__(self, data: bytes) -> bytes:
        return self.pattern.sub(b"<time>", data)


def _app(index: str):
    os.environ["SEARCH_INDEX"] = index
    os.environ["RESULT_CACHE"] = "0"  # every request searched and rendered
    from search.web import create_app

    app = create_app()
    app.testing = True
    return app.test_client()


def _qs(params: list[list[str]], **extra: object) -> str:
    drop = set(extra)
    kept = [(k, v) for k, v in params if k not in drop]
    kept += [(k, str(v)) for k, v in extra.items() if v is not None]
    return urllib.parse.urlencode(kept)


class Recorder:
    """GETs through the app; each answer kept as normalised bytes (for diffs) and summarised by its sha256."""

    def __init__(self, client, volatile: Volatile, bodies: Path) -> None:
        self.client = client
        self.volatile = volatile
        self.bodies = bodies
        bodies.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.cpu: dict[str, float] = {}  # CPU seconds per kind of request, to see where a digest's time goes

    def get(self, path: str, kind: str = "") -> tuple[dict[str, object], bytes]:
        cpu = time.process_time()
        resp = self.client.get(path)
        kind = kind or path.split("?")[0]
        self.cpu[kind] = self.cpu.get(kind, 0.0) + time.process_time() - cpu
        body = self.volatile(resp.get_data())
        self.count += 1
        name = f"{self.count:05d}.txt"
        (self.bodies / name).write_bytes(body)
        head = {k: self.volatile(resp.headers.get(k, "").encode()).decode() for k in ("Content-Type",)}
        disposition = resp.headers.get("Content-Disposition")
        if disposition:
            head["Content-Disposition"] = self.volatile(disposition.encode()).decode()
        summary = {
            "path": path,
            "status": resp.status_code,
            "headers": head,
            "sha256": hashlib.sha256(body).hexdigest(),
            "bytes": len(body),
            "file": name,
        }
        return summary, body


def _json(body: bytes) -> dict:
    try:
        return json.loads(body)
    except ValueError:
        return {}


def _query(rec: Recorder, params: list[list[str]], full_facets: bool, top: bool) -> dict[str, object]:
    """What one search shows: total, counts, facets, notes, did-you-mean, the first page's ids (API and HTML), and
    with ``top`` the first 100 ids (their snippets too)."""
    out: dict[str, object] = {}
    first, body = rec.get("/api/search?" + _qs(params), "API first page")
    data = _json(body)
    out["total"] = data.get("total")
    out["counts"] = data.get("counts")
    out["first page ids"] = [h.get("id") for h in data.get("hits", [])]
    if top:
        summary, body = rec.get("/api/search?" + _qs(params, page=None, per_page=TOP), "API top 100")
        out["top 100 ids"] = [h.get("id") for h in _json(body).get("hits", [])]
    out["facets"] = data.get("facets")
    for key in ("suggestion", "correction", "unmatched", "notes"):
        out[key] = data.get(key)
    out["first page (API)"] = first
    if top:
        out["top 100 (API)"] = summary
    out["search page"] = rec.get("/?" + _qs(params), "search page")[0]
    if full_facets:
        listing = {}
        for field in FACETS:
            values, page = [], 1
            while True:
                got = _json(rec.get(f"/api/facets/{field}?" + _qs(params, page=page, per_page=FACET_PAGE))[1])
                values += [(v.get("value"), v.get("count")) for v in got.get("values", [])]
                if page * FACET_PAGE >= int(got.get("total") or 0) or not got.get("values"):
                    break
                page += 1
            listing[field] = values
        out["every facet value"] = listing
    return out


def _deep_runner(index: str):
    """The relevance run of bench/relevance.py (1000 deep, every version, no facets or snippets) through the core."""
    try:
        from search.query import SearchRequest, open_index, search

        archive = open_index(Path(index))

        def run(q: str) -> list[str]:
            req = SearchRequest(q=q, per_page=DEEP, collapse=False, facets=False, snippets=False)
            return [h.id for h in search(archive, req).hits]

        run("probe")
        return run, "core, 1000 deep"
    except (ImportError, AttributeError, TypeError):  # the core's API moved: the JSON API's 100 still answers
        return None, "JSON API, 100 deep"


def _pages(rec: Recorder, items: list[dict], max_docs: int) -> dict[str, dict]:
    """Every other page the web layer serves, for the first queries of the mix."""
    pages: dict[str, dict] = {}

    def add(label: str, path: str) -> bytes:
        summary, body = rec.get(path)
        pages[label] = summary
        return body

    for path in ("/about", "/healthz", "/opensearch.xml", "/api/openapi.json", "/embed", "/static/embed.js"):
        add(path, path)
    add("error: bad date", "/?q=oil&from=1987-13-45")
    add("error: bad page (API)", "/api/search?q=oil&page=0")
    add("error: no such document", "/documents/no-such-article")
    add("error: no such facet", "/facets/nothing?q=oil")
    for item in items:
        label, params = item["label"], item["params"]
        qs = _qs(params)
        add(f"{label}: embed", "/embed?" + qs)
        add(f"{label}: feed", "/feed.atom?" + qs)
        for fmt in ("csv", "jsonl", "json"):
            add(f"{label}: export.{fmt}", f"/export.{fmt}?" + _qs(params, page=None))
        add(f"{label}: export.csv with text", "/export.csv?" + _qs(params, page=None, text=1))
        add(f"{label}: every version (API)", "/api/search?" + _qs(params, versions="all"))
        add(f"{label}: every version", "/?" + _qs(params, versions="all"))
        for field in FACETS:
            add(f"{label}: facet page {field}", f"/facets/{field}?" + _qs(params, page=None))
        add(f"{label}: facet page people A-Z", "/facets/people?" + _qs(params, page=None, order="name"))
        add(f"{label}: facet page places 'a'", "/facets/places?" + _qs(params, page=None, contains="a"))
        data = _json(rec.get("/api/search?" + _qs(params))[1])
        for n, hit in enumerate(data.get("hits", [])[:max_docs], 1):
            doc = urllib.parse.quote(str(hit.get("id")), safe="")
            q = urllib.parse.urlencode([("q", dict(params).get("q", ""))])
            add(f"{label}: document {n}", f"/documents/{doc}")
            add(f"{label}: document {n} from the search", f"/documents/{doc}?{qs}")
            add(f"{label}: document {n} (API)", f"/api/documents/{doc}?{q}")
            add(f"{label}: document {n} related (API)", f"/api/documents/{doc}/related")
            add(f"{label}: document {n} cite.bib", f"/documents/{doc}/cite.bib")
            add(f"{label}: document {n} cite.ris", f"/documents/{doc}/cite.ris")
    return pages


def picks(client) -> dict[str, str]:
    """The most named person and place, as the about page lists them (bench/search_speed.py's choice)."""
    page = client.get("/about").get_data(as_text=True)
    found = {}
    for param in ("person", "place"):
        m = re.search(rf'href="[^"]*\?{param}=([^"&]+)"', page)
        found[param] = urllib.parse.unquote_plus(html.unescape(m.group(1))) if m else ""
    return found


def _fill(items: list[dict], found: dict[str, str]) -> list[dict]:
    """The plan's queries with {person} and {place} replaced by this archive's picks."""
    marks = {"{" + k + "}": v for k, v in found.items()}
    return [{**item, "params": [[k, marks.get(v, v)] for k, v in item["params"]]} for item in items]


def digest(plan: dict) -> dict[str, object]:
    client = _app(plan["index"])
    health = _json(client.get("/healthz").get_data())
    days = {datetime.now(UTC).date().isoformat()}
    if health.get("last_update"):
        days.add(str(health["last_update"])[:10])
    volatile = Volatile(days)
    rec = Recorder(client, volatile, Path(plan["bodies"]))
    deep, how = _deep_runner(plan["index"]) if plan.get("deep") else (None, "")
    queries: dict[str, dict] = {}
    found = picks(client)
    items = _fill(plan["queries"], found)
    cpu0 = time.process_time()
    for item in items:
        entry = _query(rec, item["params"], plan.get("full_facets", False), plan.get("top", True))
        if plan.get("deep"):
            q = dict(item["params"]).get("q", "")
            cpu = time.process_time()
            if deep is not None:
                entry["deep ids"] = deep(q)
            else:
                path = "/api/search?" + _qs(item["params"], versions="all", per_page=TOP)
                entry["deep ids"] = [h.get("id") for h in _json(rec.get(path)[1]).get("hits", [])]
            rec.cpu["deep run"] = rec.cpu.get("deep run", 0.0) + time.process_time() - cpu
        queries[item["label"]] = entry
    out: dict[str, object] = {"picks": found, "queries": queries, "deep": how, "query_cpu": time.process_time() - cpu0}
    if plan.get("pages"):
        out["pages"] = _pages(rec, _fill(plan["pages"], found), plan.get("documents", 3))
    out["cpu"] = rec.cpu
    days.add(datetime.now(UTC).date().isoformat())
    out["volatile_days"] = sorted(days)
    return out


def speed(plan: dict) -> dict[str, object]:
    """CPU ms of each search page of the mix: one warm-up pass, then plan["rounds"] passes."""
    client = _app(plan["index"])
    paths = {item["label"]: "/?" + _qs(item["params"]) for item in _fill(plan["queries"], picks(client))}
    for path in paths.values():
        client.get(path)
    times: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(plan["rounds"]):
        for label, path in paths.items():
            t0 = time.process_time()
            client.get(path)
            times[label].append((time.process_time() - t0) * 1000)
    return {"cpu_ms": times, "load": os.getloadavg()[0]}


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    modes = {"digest": digest, "speed": speed}
    result = modes[plan["mode"]](plan)
    Path(argv[1]).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
