"""Reuters-21578 (gzipped SGML) as plain article dicts and as JSONL record folders, for the speed benchmarks."""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

REUTERS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "reuters21578"

_ARTICLE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _tag(text: str, name: str) -> str:
    m = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", text, re.S)
    return m.group(1) if m else ""


def _codes(text: str, name: str) -> list[str]:
    return re.findall(r"<D>(.*?)</D>", _tag(text, name))


def _clean(text: str) -> str:
    """Entities decoded, wire control characters dropped, the trailing 'Reuter' sign-off kept (it is text)."""
    return _CONTROL.sub("", html.unescape(text)).strip()


def articles(root: Path = REUTERS) -> Iterator[dict[str, object]]:
    """Every article: id, title, body (the title when the article has none), date, dateline, codes."""
    for path in sorted(root.glob("reut2-*.sgm.gz")):
        text = gzip.decompress(path.read_bytes()).decode("latin-1")  # reut2-017 has a stray 0xFC byte
        for m in _ARTICLE.finditer(text):
            attrs, inner = m.groups()
            body_part = _tag(inner, "TEXT")
            title = _clean(_tag(body_part, "TITLE"))
            body = _tag(body_part, "BODY")
            if not body and "<TITLE>" not in body_part:  # TYPE="UNPROC": unstructured text
                body = body_part
            body = _clean(body) or title
            stamp = dt.datetime.strptime(_tag(inner, "DATE").split()[0], "%d-%b-%Y").date()
            yield {
                "id": f"reuters-{_NEWID.search(attrs).group(1)}",
                "title": title,
                "body": body,
                "date": stamp.isoformat(),
                "dateline": _clean(_tag(body_part, "DATELINE")).rstrip(" -"),
                "places": _codes(inner, "PLACES"),
                "people": _codes(inner, "PEOPLE"),
                "orgs": _codes(inner, "ORGS"),
                "source": "Reuters",
            }


def raw_text_bytes(items: list[dict[str, object]]) -> int:
    """UTF-8 bytes of title and body text: the 'raw text' an index size is compared with."""
    return sum(len(str(a["title"]).encode()) + len(str(a["body"]).encode()) for a in items)


def record(article: dict[str, object]) -> dict[str, object]:
    """The JSON record the product indexes: the dateline leads the body as on the wire; no gold codes."""
    rec = {k: article[k] for k in ("id", "title", "body", "date", "source")}
    if article["dateline"] and article["body"] != article["title"]:
        rec["body"] = f"{article['dateline']} - {article['body']}"
    return rec


def write_jsonl(items: list[dict[str, object]], folder: Path, per_file: int = 0) -> list[Path]:
    """Write the records as one JSONL file (per_file=0) or as files of per_file records each."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks = [items] if per_file <= 0 else [items[i : i + per_file] for i in range(0, len(items), per_file)]
    paths = []
    for n, chunk in enumerate(chunks):
        path = folder / (f"reuters-{n:03d}.jsonl" if per_file > 0 else "reuters.jsonl")
        with path.open("w", encoding="utf-8") as out:
            for item in chunk:
                out.write(json.dumps(record(item), ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def write_text_files(items: list[dict[str, object]], folder: Path) -> None:
    """One plain-text article per file (`date YYYY-MM-DD <title>` first line), in folders of 1000."""
    for n, item in enumerate(items):
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        text = f" date {item['date']} {item['title']}\n{item['body']}\n"
        (sub / f"{item['id']}.txt").write_text(text, encoding="utf-8")


def multiplied(items: list[dict[str, object]], times: int) -> Iterator[dict[str, object]]:
    """The archive `times` over: copy k gets new ids and dates shifted by k years (for growth runs)."""
    for k in range(times):
        for item in items:
            if k == 0:
                yield item
                continue
            d = dt.date.fromisoformat(str(item["date"]))
            yield {**item, "id": f"{item['id']}-x{k}", "date": d.replace(year=d.year - k).isoformat()}
