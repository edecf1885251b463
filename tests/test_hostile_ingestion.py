"""Hostile files in an archive are skipped (or read safely) with a reason; the rest is indexed, memory bounded."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from search.documents import Document
from search.extract.errors import ExtractError, Note, Skipped
from search.extract.sources import Limits, SourceFile, extract_file, read_file
from search.index.storage import open_for_reading
from search.ingest import IndexSummary, index_paths
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
    assert {"jsonl-good", "giant-1", "small-1", "broken-1"} <= stored.keys()  # broken-1: a title, no body
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


# --- Hostile entries in a folder (issue 13): each reported with its reason in one safe line, the rest indexed,
# nothing outside the folder read, later runs unharmed. In-process runs use one worker and no entity step: what
# is tested here happens before enrichment.


def _index(source: Path, index_dir: Path, **kwargs: object) -> IndexSummary:
    return index_paths([source], index_dir, workers=1, entities=False, **kwargs)


def _stored(index_dir: Path) -> dict[str, dict]:
    with open_for_reading(index_dir).searcher() as searcher:
        return {f["id"]: f for f in searcher.all_stored_fields()}


def _reasons(summary: IndexSummary) -> dict[str, str]:
    return {s.where: s.reason for s in summary.skipped}


def _cli_index(source: Path, index_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """The real command line, as an archivist runs it; a hang fails the test instead of stalling the suite."""
    cmd = [sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir), "--workers", "1"]
    cmd += ["--quiet", "--no-entities", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=600)


def _article(path: Path, words: str) -> None:
    path.write_text(f"The harbour council met on Tuesday. {words} was the word of the day.\n")


def test_a_file_name_that_is_not_utf8_is_indexed_under_an_escaped_id_and_later_runs_work(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    source.mkdir()
    _article(source / "plain.txt", "Quokka")
    with open(os.fsencode(source) + b"/caf\xe9.txt", "wb") as out:  # latin-1 é: not UTF-8
        out.write(b"The cafe society of Coimbra met. Wombat was the word of the day.\n")
    with open(os.fsencode(source) + b"/r\xe9sum\xe9.jsonl", "wb") as out:
        out.write(b'{"body": "A record in a file whose name is not UTF-8: Numbat."}\n')

    first = _index(source, tmp_path / "ix")

    assert first.added == 3 and not first.skipped, first.skipped
    docs = _stored(tmp_path / "ix")
    assert "Wombat" in docs["caf%E9.txt"]["body"]
    assert "Numbat" in docs["r%E9sum%E9.jsonl#1"]["body"]
    again = _index(source, tmp_path / "ix")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    _article(source / "later.txt", "Bilby")
    later = _index(source, tmp_path / "ix")
    assert (later.added, later.updated, later.unchanged, later.documents) == (1, 0, 3, 4)


def test_fifos_and_links_to_devices_are_reported_never_waited_on_or_read(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    source.mkdir()
    _article(source / "good.txt", "Quokka")
    os.mkfifo(source / "f.txt")  # nobody ever writes to it: reading it would wait for ever
    (source / "zero.txt").symlink_to("/dev/zero")
    (source / "random.txt").symlink_to("/dev/urandom")
    (source / "status.txt").symlink_to("/proc/self/status")

    proc = _cli_index(source, tmp_path / "ix")

    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode()
    assert "skipped f.txt: not a regular file" in out
    for name in ("zero.txt", "random.txt", "status.txt"):
        assert f"skipped {name}: symbolic link to outside the folder: not followed" in out
    assert set(_stored(tmp_path / "ix")) == {"good.txt"}


def test_read_file_takes_only_regular_files_and_never_reads_past_its_limit(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.txt")
    for path in (tmp_path / "f.txt", Path("/dev/zero")):
        with pytest.raises(ExtractError, match="not a regular file"):
            read_file(SourceFile(path, path.name))
    # /proc files are regular files of size 0 to stat(): the bytes read are counted, not the size believed.
    with pytest.raises(ExtractError, match="file too large"):
        read_file(SourceFile(Path("/proc/self/maps"), "maps.txt"), Limits(file_bytes=64))
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    with pytest.raises(ExtractError, match=r"file too large \(0.0 MB; the limit is"):
        read_file(SourceFile(big, "big.txt"), Limits(file_bytes=4000))
    assert read_file(SourceFile(big, "big.txt"), Limits(file_bytes=5000)) == b"word " * 1000


def test_symbolic_links_out_of_the_folder_are_never_followed_and_loops_do_not_hang(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("root:$6$Zyzzyvasecret$hash:19000:0:99999:7:::\n")
    (outside / "folder" / "more.txt").write_text("Another Zyzzyvasecret lives here.\n")
    source = tmp_path / "archive"
    (source / "sub").mkdir(parents=True)
    _article(source / "good.txt", "Quokka")
    _article(source / "sub" / "deep.txt", "Wombat")
    (source / "shadow.txt").symlink_to(outside / "secret.txt")
    (source / "relative.txt").symlink_to("../outside/secret.txt")
    (source / "outdir").symlink_to(outside / "folder")
    (source / "alias.txt").symlink_to("good.txt")  # inside the folder: followed
    (source / "sub" / "up").symlink_to("..")  # a loop through a folder link
    (source / "loop1.txt").symlink_to("loop2.txt")
    (source / "loop2.txt").symlink_to("loop1.txt")
    (source / "dangling.txt").symlink_to("nowhere.txt")

    proc = _cli_index(source, tmp_path / "ix", "--json")

    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    summary = json.loads(proc.stdout)
    reasons = {s["where"]: s["reason"] for s in summary["skipped"]}
    for name in ("shadow.txt", "relative.txt", "outdir"):
        assert reasons[name] == "symbolic link to outside the folder: not followed"
    assert "symbolic link to a folder: not followed" in reasons["sub/up/"]
    for name in ("loop1.txt", "loop2.txt", "dangling.txt"):
        assert "broken or looping symbolic link" in reasons[name]
    docs = _stored(tmp_path / "ix")
    assert set(docs) == {"good.txt", "alias.txt", "sub/deep.txt"}
    assert not [d for d in docs.values() if "Zyzzyva" in json.dumps(d)], "a file outside the folder was read"


def test_colliding_article_ids_are_reported_and_every_article_kept_on_every_run(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    (source / "sub").mkdir(parents=True)
    _article(source / "a.txt", "Quokka")
    _article(source / "a\x01.txt", "Wombat")  # stripping the control character made it a.txt
    _article(source / "sub" / "normal.txt", "Numbat")
    records = [
        {"id": "sub/normal.txt", "body": "A record posing as the normal file: Bilby."},
        {"id": "twice", "body": "The first record called twice: Dugong."},
        {"id": "twice", "body": "The second record called twice: Echidna."},
        {"id": "twice~2", "body": "A record whose own id is taken by the rename: Platypus."},
    ]
    (source / "feed.json").write_text(json.dumps(records))

    first = _index(source, tmp_path / "ix")

    docs = _stored(tmp_path / "ix")
    bodies = {doc_id: doc["body"] for doc_id, doc in docs.items()}
    assert "Quokka" in bodies["a.txt"] and "Wombat" in bodies["a%01.txt"]
    assert "Numbat" in bodies["sub/normal.txt"] and "Bilby" in bodies["sub/normal.txt~2"]
    assert "Dugong" in bodies["twice"] and "Echidna" in bodies["twice~2"] and "Platypus" in bodies["twice~2~2"]
    assert first.added == len(docs) == 7 and not first.skipped
    notes = [n.reason for n in first.notes]
    assert "record id 'sub/normal.txt' is already the id of sub/normal.txt; indexed as 'sub/normal.txt~2'" in notes
    assert "record id 'twice' is already the id of another record of this file; indexed as 'twice~2'" in notes
    assert "indexed as 'twice~2~2'" in notes[-1]

    again = _index(source, tmp_path / "ix")
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 7)
    # The file changes (one record edited): the others keep their ids, only the edited one is updated.
    records[2]["body"] += " Edited."
    (source / "feed.json").write_text(json.dumps(records))
    edited = _index(source, tmp_path / "ix")
    assert (edited.added, edited.updated, edited.deleted, edited.unchanged) == (0, 1, 0, 6)
    assert set(_stored(tmp_path / "ix")) == set(docs)


def test_a_new_file_whose_path_a_record_already_holds_takes_it_and_the_record_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    source.mkdir()
    (source / "feed.jsonl").write_text(json.dumps({"id": "new.txt", "body": "The record came first: Bilby."}) + "\n")
    _index(source, tmp_path / "ix")
    _article(source / "new.txt", "Quokka")

    second = _index(source, tmp_path / "ix")

    bodies = {doc_id: doc["body"] for doc_id, doc in _stored(tmp_path / "ix").items()}
    assert set(bodies) == {"new.txt", "new.txt~2"}
    assert "Quokka" in bodies["new.txt"] and "Bilby" in bodies["new.txt~2"]
    assert second.documents == 2 and [n.where for n in second.notes] == ["feed.jsonl"]
    third = _index(source, tmp_path / "ix")
    assert (third.added, third.updated, third.deleted, third.unchanged) == (0, 0, 0, 2)


def test_a_record_with_a_title_and_no_body_is_indexed_by_its_title(tmp_path: Path) -> None:
    raw = b'{"id": "brief", "title": "Dollar falls in Tokyo"}\n{"id": "nothing", "title": " ", "body": ""}\n'
    path = tmp_path / "wire.jsonl"
    path.write_bytes(raw)
    brief, nothing = extract_file(SourceFile(path, "wire.jsonl"), raw)
    assert (brief.id, brief.title, brief.body) == ("brief", "Dollar falls in Tokyo", "Dollar falls in Tokyo")
    assert nothing == Skipped("wire.jsonl#2", "record has no text (no title and no body)")


@pytest.mark.slow
def test_reuters_21578_every_record_is_indexed_or_reported(corpus: Path, tmp_path: Path) -> None:
    """1,798 Reuters briefs have a headline and no body; one record (NEWID 12793) holds no text at all."""
    from bench.corpora.reuters import articles

    path = tmp_path / "reuters.jsonl"
    with path.open("w") as out:
        for art in articles(corpus / "reuters21578"):
            rec = {"id": f"reuters-{art['id']}", "title": art["title"], "body": art["body"]}
            out.write(json.dumps(rec) + "\n")
    items = extract_file(SourceFile(path, "reuters.jsonl"), path.read_bytes(), Limits())
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(docs) + len(skipped) == 21_578
    assert len(docs) == 21_577
    assert sum(1 for d in docs if d.body == d.title) == 1_798
    assert [(s.where, s.reason) for s in skipped] == [
        ("reuters.jsonl#12793", "record has no text (no title and no body)")
    ]


def test_dot_files_are_indexed_and_hidden_folders_reported(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    (source / ".git").mkdir(parents=True)
    (source / ".git" / "HEAD.txt").write_text("ref: refs/heads/main\n")
    _article(source / "..evil.txt", "Quokka")
    _article(source / ".notes.txt", "Wombat")
    (source / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    summary = _index(source, tmp_path / "ix")

    assert set(_stored(tmp_path / "ix")) == {"..evil.txt", ".notes.txt"}
    assert _reasons(summary) == {".git/": "hidden folder: not read", ".DS_Store": "unsupported file type '(none)'"}


def test_the_report_gives_one_escaped_line_per_entry_whatever_the_names_hold(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    source.mkdir()
    _article(source / "good.txt", "Quokka")
    hostile = [
        "red\x1b[31m.doc",  # a terminal escape
        "two\nskipped good.txt: forged line.doc",  # a newline forging a report line
        "bidi\u202etxt.exe",  # a right-to-left override hiding the real extension
        "bell\x07.doc",
    ]
    for name in hostile:
        (source / name).write_text("x")
    with open(os.fsencode(source) + b"/bad\xff\xfe.doc", "wb") as out:
        out.write(b"x")
    (source / "feed.jsonl").write_text(json.dumps({"id": "x\x1b[2J\nskipped: forged", "body": "Wombat"}) + "\n")

    proc = _cli_index(source, tmp_path / "ix")

    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode("utf-8")  # valid UTF-8 whatever the names were
    assert not [ch for ch in out if ch != "\n" and (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e")]
    lines = out.splitlines()
    assert len(lines) == 1 + 5  # the summary, then one line per skipped file; no note
    assert lines[0].startswith("Indexed into") and "5 skipped" in lines[0]
    assert all(line.startswith("  skipped ") and "unsupported file type" in line for line in lines[1:])
    assert "  skipped red%1B[31m.doc: unsupported file type '.doc'" in lines
    assert "  skipped two%0Askipped good.txt: forged line.doc: unsupported file type '.doc'" in lines
    assert "  skipped bidi%E2%80%AEtxt.exe: unsupported file type '.exe'" in lines
    assert "  skipped bad%FF%FE.doc: unsupported file type '.doc'" in lines
    assert set(_stored(tmp_path / "ix")) == {"good.txt", "x%1B[2J%0Askipped: forged"}


def test_skipped_and_notes_print_as_one_line_whatever_their_text() -> None:
    item = Skipped("a\x1b[31m\nb", "reason\r\nforged\u2028line\udce9")
    assert str(item) == "a\\x1b[31m\\nb: reason\\r\\nforged\\u2028line\\udce9"
    assert str(Note("x\u202e", "y")) == "x\\u202e: y"


def test_an_article_longer_than_the_limit_is_cut_with_a_note(tmp_path: Path) -> None:
    body = "The harbour council met again. " * 2000  # 62,000 characters
    raw = json.dumps({"id": "long", "title": "T" * 20_000, "body": body}).encode()
    path = tmp_path / "long.json"
    path.write_bytes(raw)
    limits = Limits(article_chars=10_000)
    doc, note = extract_file(SourceFile(path, "long.json"), raw, limits)
    assert isinstance(note, Note) and note.where == "long"
    assert "text cut at" in note.reason and "SEARCH_MAX_ARTICLE_MB" in note.reason
    assert "title cut at 10,000 characters of 20,000" in note.reason
    assert 9_000 < len(doc.body) <= 10_000
    assert body.startswith(doc.body) and body[len(doc.body)] == " "  # cut between words
    assert len(doc.title) == 10_000
    short, note = extract_file(SourceFile(path, "long.json"), raw, Limits(article_chars=100_000))
    assert short.body == body.strip() and note.reason == "title cut at 10,000 characters of 20,000"


def test_two_folders_given_with_the_same_file_path_keep_both_articles(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    _article(first / "index.txt", "Quokka")
    _article(second / "index.txt", "Wombat")

    summary = index_paths([first, second], tmp_path / "ix", workers=1, entities=False)

    bodies = {doc_id: doc["body"] for doc_id, doc in _stored(tmp_path / "ix").items()}
    assert "Quokka" in bodies["index.txt"] and "Wombat" in bodies["index.txt~2"]
    assert [str(n) for n in summary.notes] == [
        "index.txt~2: same path as a file of an earlier folder given; indexed as 'index.txt~2'"
    ]
    again = index_paths([first, second], tmp_path / "ix", workers=1, entities=False)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 2)


def test_a_manifest_or_mets_file_that_is_a_fifo_or_a_link_out_is_reported_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("file,title\ngood.txt,Title from outside the folder\n")
    source = tmp_path / "archive"
    (source / "sub").mkdir(parents=True)
    _article(source / "good.txt", "Quokka")
    (source / "manifest.csv").symlink_to(outside)
    os.mkfifo(source / "sub" / "manifest.json")
    os.mkfifo(source / "sub" / "mets.xml")

    proc = _cli_index(source, tmp_path / "ix", "--json")

    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    reasons = {s["where"]: s["reason"] for s in json.loads(proc.stdout)["skipped"]}
    assert reasons == {
        "manifest.csv": "manifest ignored: symbolic link to outside the folder: not followed",
        "sub/manifest.json": "manifest ignored: not a regular file (a FIFO, device or socket): not read",
        "sub/mets.xml": "METS ignored: not a regular file (a FIFO, device or socket): not read",
    }
    assert _stored(tmp_path / "ix")["good.txt"]["title"] != "Title from outside the folder"


def test_a_record_id_too_long_to_be_an_id_is_reported(tmp_path: Path) -> None:
    raw = (json.dumps({"id": "x" * 5000, "body": "Text"}) + "\n" + json.dumps({"id": "ok", "body": "Text"})).encode()
    path = tmp_path / "ids.jsonl"
    path.write_bytes(raw)
    skipped, doc = extract_file(SourceFile(path, "ids.jsonl"), raw)
    assert skipped == Skipped("ids.jsonl#1", "record id too long (5,000 characters; at most 1000)")
    assert doc.id == "ok"


def _made_up_words(size: int, seed: int) -> str:
    """``size`` characters of sentences of made-up words: a vocabulary that keeps growing, as in a real archive."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ber", "dan", "gor", "lin", "mar", "nos", "pel"]
    words = ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(200_000)]
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choices(words, k=rng.randint(8, 25))).capitalize() + ". "
        parts.append(sentence)
        total += len(sentence)
    return "".join(parts)[:size]


@pytest.mark.slow
def test_a_50_mb_text_and_a_45_mb_record_are_cut_with_a_note_in_bounded_memory(tmp_path: Path) -> None:
    """Before the cap: 2.8 GB of indexer memory for the text, 1.3 GB for the record (BENCHMARKS.md)."""
    source = tmp_path / "archive"
    write_articles(source, GOOD)
    (source / "big.txt").write_text("Opening words of the long file: Quokka. " + _made_up_words(50 * MB - 100, 1))
    record = {"id": "big-record", "title": "A big record", "body": "Wombat. " + _made_up_words(45_000_000, 2)}
    (source / "big.json").write_text(json.dumps(record))

    code, out, err, peak_mb = _index_with_rusage(source, tmp_path / "index", tmp_path)

    assert code == 0, err[-2000:]
    summary = json.loads(out)
    print(f"indexer peak RSS {peak_mb} MB")
    assert peak_mb < PEAK_RSS_LIMIT_MB
    notes = {n["where"]: n["reason"] for n in summary["notes"]}
    assert notes["big.txt"].startswith("text cut at 1 MB of 50.0 MB")
    assert notes["big-record"].startswith("text cut at 1 MB of 42.9 MB")
    stored = _stored(tmp_path / "index")
    assert len(stored) == GOOD + 2
    assert stored["big.txt"]["body"].startswith("Opening words") and len(stored["big.txt"]["body"]) <= MB
    assert stored["big-record"]["body"].startswith("Wombat.")
