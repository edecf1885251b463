"""Hostile files in an archive are skipped (or read safely) with a reason; the rest is indexed, memory bounded."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from search.extract.sources import SourceFile, extract_file
from search.index.storage import open_for_reading
from tests.helpers.articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
GOOD = 6
MB = 1024 * 1024
PEAK_RSS_LIMIT_MB = 1024  # "well under 1 GB" for the whole indexer process tree
BAD_JSON_LINES = 100_000


def _zip_bomb() -> bytes:
    """A small zip that would inflate to 200 MB of zeros (never inflated: we only read text)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("index.html", b"\0" * (200 * MB))
    return buf.getvalue()


def _write_hostile(folder: Path) -> dict[str, str]:
    """Write one hostile file of each kind; returns name -> what must happen ("skipped" or "indexed")."""
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    (folder / "bomb.html").write_bytes(_zip_bomb())
    expect["bomb.html"] = "skipped"
    (folder / "page.html").write_bytes(gzip.compress(b"<html><body>" + b"<p>x</p>" * (8 * MB)))
    expect["page.html"] = "skipped"
    (folder / "gzipped.txt").write_bytes(gzip.compress(b"Council " * MB))
    expect["gzipped.txt"] = "skipped"

    with (folder / "huge.txt").open("wb") as out:  # 100 MB of real text, over the 50 MB file limit
        line = b"The harbour council of Lisbon met again on Tuesday to discuss the budget.\n"
        chunk = line * (MB // len(line) + 1)
        for _ in range(100):
            out.write(chunk[:MB])
    expect["huge.txt"] = "skipped"

    (folder / "nul.txt").write_bytes(b"Council\x00met\x00in\x00Porto " * 200)
    expect["nul.txt"] = "skipped"
    (folder / "utf16-no-bom.txt").write_bytes("The council of Porto met.".encode("utf-16-le"))
    expect["utf16-no-bom.txt"] = "skipped"
    (folder / "invalid-utf8.html").write_bytes(b"<html><body><p>" + b"\xff\xfe\x80\x81\xc3\x28" * 5000 + b"</p>")
    expect["invalid-utf8.html"] = "skipped"
    (folder / "latin1.txt").write_bytes("Caf\u00e9 society in Coimbra: the council met the mayor.\n".encode("latin-1"))
    expect["latin1.txt"] = "indexed"
    (folder / "empty.txt").write_bytes(b"")
    expect["empty.txt"] = "skipped"
    (folder / "controls.txt").write_bytes(
        b" date 2024-03-01 Controls\n\nThe council\x01 of \x1b[31mFaro\x7f met \xe2\x80\xae the mayor \x0b today.\n" * 3
    )
    expect["controls.txt"] = "indexed"

    words = ["harbour", "council", "budget", "Lisbon", "Porto", "minister", "river", "ferry", "museum", "tram"]
    long_line = " ".join(words[(i * 7) % len(words)] for i in range(15_000))  # ~100 KB, one line, no full stop
    (folder / "one-line.txt").write_text(long_line)
    expect["one-line.txt"] = "indexed"

    # 270 KB in one cell: twice csv's default field size limit.
    giant_field = "The council met in Porto to vote on the ferry budget. " * 5_000
    (folder / "giant.csv").write_text(
        "id,title,body\n"
        f'giant-1,"Giant","{giant_field}"\n'
        'small-1,"Small","A short record about the Faro museum."\n'
        'broken-1,"No body",""\n'
    )
    expect["giant.csv"] = "records"

    bad = [f"{{not json {n}\n" for n in range(BAD_JSON_LINES)]
    good = json.dumps({"id": "jsonl-good", "title": "Good record", "body": "The Braga tram reopened today."})
    half = BAD_JSON_LINES // 2
    (folder / "records.jsonl").write_text("".join(bad[:half]) + good + "\n" + "".join(bad[half:]))
    expect["records.jsonl"] = "records"
    return expect


def _index_with_rusage(source: Path, index_dir: Path, out_dir: Path) -> tuple[int, str, str, int]:
    """Run the CLI indexer; (exit code, stdout, stderr, peak RSS in MB of the indexer and its workers)."""
    cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir)]
    cmd += ["--workers", "2", "--quiet", "--json"]
    out_path, err_path = out_dir / "stdout", out_dir / "stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:  # files: the JSON lists 10^5 skips
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        # wait4 gives this child's own rusage; its maxrss covers the workers it waited for too.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out_path.read_text(), err_path.read_text(), usage.ru_maxrss // 1024


@pytest.mark.slow
def test_hostile_files_are_skipped_with_reasons_and_the_rest_is_indexed_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    write_articles(source, GOOD)
    expect = _write_hostile(source)
    index_dir = tmp_path / "index"

    code, out, err, peak_mb = _index_with_rusage(source, index_dir, tmp_path)

    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    summary = json.loads(out)
    print(f"indexer peak RSS {peak_mb} MB; skipped {len(summary['skipped'])}; added {summary['added']}")
    assert peak_mb < PEAK_RSS_LIMIT_MB

    skipped = {item["where"]: item["reason"] for item in summary["skipped"]}
    for name, what in expect.items():
        if what == "skipped":
            assert name in skipped, f"{name} was not reported as skipped"
            assert skipped[name].strip(), f"{name} skipped without a reason"
    assert "too large" in skipped["huge.txt"]
    assert "zip" in skipped["bomb.html"] and "gzip" in skipped["page.html"]
    bad_lines = [w for w in skipped if w.startswith("records.jsonl#")]
    assert len(bad_lines) == BAD_JSON_LINES
    assert all("malformed JSON line" in skipped[w] for w in bad_lines[:100])
    assert any(w.startswith("giant.csv#") and "no body" in r for w, r in skipped.items())

    ix = open_for_reading(index_dir)
    with ix.searcher() as searcher:
        stored = {f["id"]: f for f in searcher.all_stored_fields()}
    articles = {f"article-{n:05d}.txt" for n in range(GOOD)}
    assert articles <= stored.keys(), "a good article next to hostile ones was not indexed"
    for name, what in expect.items():
        if what == "indexed":
            assert name in stored, f"{name} should have been indexed"
        if what == "skipped":
            assert name not in stored
    assert {"jsonl-good", "giant-1", "small-1"} <= stored.keys()
    assert len(stored["giant-1"]["body"]) > 250_000  # read whole, not cut short


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("nested.html", b"<div>" * 20_000 + b"<p>text</p>"),
        ("unclosed.html", b"<table><tr><td>" * 2_000 + b"<p>The council met.</p>"),
        ("comment.html", b"<!--" + b"-" * 100_000 + b"<p>never closed"),
        ("script.html", b"<script>" + b"var a = 1;" * 50_000),
        ("entities.html", b"<p>" + b"&amp;&#0;&#xD800;&#1114112;&bogus;" * 10_000 + b"</p>"),
        ("attrs.html", b"<p " + b'a="b" ' * 20_000 + b">The harbour council met today.</p>"),
        ("cdata.html", b"<![CDATA[" + b"]]" * 10_000),
        ("utf7.html", b'<meta charset="utf-7"><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>'),
        ("bogus-charset.html", b'<meta charset="x-no-such-charset"><p>The council met in Braga today.</p>'),
        ("bom16.txt", "\ufeffThe council of Aveiro met today.".encode("utf-16")),
        ("surrogates.json", b'{"title": "\\ud800", "body": "Lone surrogate \\udfff in the Sines port story."}'),
        ("nul-escape.json", b'{"title": "a\\u0000b", "body": "The Evora council\\u0000 met."}'),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("deep-object.json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("numbers.json", b'{"title": 1e999999, "body": 12345678901234567890123456789, "date": 99999999999}'),
        ("types.json", b'{"title": ["a"], "body": {"x": 1}, "date": [2024], "id": {"a": 1}}'),
        ("bad-date.jsonl", b'{"body": "x", "date": "2024-13-45"}\n{"body": "y", "date": "99999-01-01"}\n'),
        ("no-header.csv", b""),
        ("quotes.csv", b'title,body\n"unterminated,' + b"x" * 10_000 + b"\n"),
        ("nul.csv", b"title,body\nA,The council\x00 met\n"),
        ("ragged.csv", b"title,body\n" + b"a,b,c,d,e,f\n" * 1000 + b"only-one\n"),
        ("date-line.txt", b" date 9999-99-99 nonsense\n\nBody."),
        ("only-date.txt", b" date 2024-01-01\n"),
        ("crlf-only.txt", b"\r\n" * 10_000),
    ],
)
def test_a_hostile_file_is_read_or_reported_never_raises(tmp_path: Path, name: str, raw: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    items = extract_file(SourceFile(path, name), raw)
    assert items, "an input must give documents or a reported skip"
    for item in items:
        if hasattr(item, "reason"):
            assert item.reason.strip()
        else:
            assert isinstance(item.body, str)
            assert isinstance(item.id, str) and item.id
            assert "\x00" not in item.body + item.title, "NUL bytes reached the index"


def test_html_nested_100k_levels_deep_is_read_without_exhausting_the_stack(tmp_path: Path) -> None:
    deep = "<html><head><title>Deep page</title></head><body>" + "<div>" * 100_000
    deep += "<p>The deeply nested article about the Lisbon harbour council and its budget.</p>"
    deep += "</div>" * 100_000 + "</body></html>"
    path = tmp_path / "deep.html"
    path.write_text(deep)
    (item,) = extract_file(SourceFile(path, "deep.html"), path.read_bytes())
    if hasattr(item, "reason"):
        assert item.reason.strip()
    else:
        assert "Lisbon harbour council" in item.body


def test_control_characters_never_reach_the_index(tmp_path: Path) -> None:
    """C0 controls (other than tab and newline) would make the Atom feed and JSON exports invalid."""
    line = b" date 2024-03-01 Lead\n\nThe council\x01 of \x1bFaro\x7f met \x0b the mayor\x08 today.\n"
    raw = line * 400 + b"late\x00nul"
    path = tmp_path / "controls.txt"
    path.write_bytes(raw)
    (doc,) = extract_file(SourceFile(path, "controls.txt"), raw)
    text = doc.title + doc.body
    bad = sorted({hex(ord(c)) for c in text if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 0x7F})
    assert not bad, f"control characters kept: {bad}"
    assert "council of Faro met" in doc.body.replace("  ", " ")


def test_the_indexer_rss_probe_is_not_blind(tmp_path: Path) -> None:
    """The peak-RSS figure of a child is real: a child that allocates 300 MB reports at least that."""
    code = "b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    proc = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert usage.ru_maxrss // 1024 >= 300
