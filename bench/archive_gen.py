"""A deterministic archive of any size made only from real text in the shared corpus, for the scale benchmark.

Each article recombines real paragraphs of two to four source articles (Reuters-21578, BBC, CoNLL-2003, TIME and
the html_news gold bodies) under a real headline, at a length drawn from a long-tailed distribution like real news.
What makes it an archive rather than copies: people and companies named in the borrowed text are renamed from an
ever-growing space of real first names and surnames (CoNLL-2003's gold person names), figures are re-drawn, and a
rare typo is made, so vocabulary and entity names keep growing with size (Heaps' law, checked by `heaps()`). Dates
spread over six decades (some month-only or year-only, a few percent undated); about 5% of articles are
near-duplicate reprints of a recent story (small edits, another source and date) and about 1% exact copies.

Article ``i`` depends only on the seed and articles before it, so the 20k archive is the first 20k of the 100k
one, and "1,000 new articles" are the next 1,000 of the same stream.

Run: .venv/bin/python -m bench.archive_gen OUT_DIR --size 20000 [--seed 7] [--heaps]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.corpora import conll
from bench.corpora.ir import load_time
from bench.corpora.reuters_text import REUTERS, articles

CORPUS = REUTERS.parent
PER_FILE = 1000
NEAR_DUPLICATES = 0.05
EXACT_COPIES = 0.01
UNDATED, YEAR_ONLY, MONTH_ONLY = 0.03, 0.02, 0.04
TYPO_RATE = 1 / 2500  # words; OCR and keying errors of a real archive
FIRST_DAY, LAST_DAY = dt.date(1960, 1, 1).toordinal(), dt.date(2024, 12, 31).toordinal()
SOURCES = tuple(
    f"{place} {kind}"
    for place in ("Northern", "Harbour", "Capital", "Valley", "Coast", "Metro", "County", "Union")
    for kind in ("Ledger", "Courier", "Wire", "Herald", "Gazette")
)

_NAME = re.compile(r"\b([A-Z][a-z]{2,}) ([A-Z][a-z]{2,})\b")
_FIRM = re.compile(r"\b([A-Z][a-z]{2,}) (Corp|Inc|Co|Ltd|Group|Holdings|Industries)\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_WORD = re.compile(r"[a-z]{5,}")
_TOKENS = re.compile(r"\w+")


@dataclass(frozen=True)
class Source:
    """One real source article cut into paragraphs, with its headline (may be empty) and dateline."""

    title: str
    paragraphs: tuple[str, ...]
    dateline: str = ""


@dataclass(frozen=True)
class Pools:
    """Everything the generator draws from: source articles, headlines, names and datelines."""

    sources: tuple[Source, ...]
    titles: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    known_names: frozenset[str]
    datelines: tuple[str, ...]


def _paragraphs(text: str, sentences_per: int = 3) -> tuple[str, ...]:
    """Paragraphs by blank lines (or wire indentation); a long unbroken text in runs of a few sentences."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n {3,}", text) if p.strip()]
    if len(parts) == 1 and len(parts[0]) > 1200:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", parts[0])
        parts = [" ".join(sentences[i : i + sentences_per]) for i in range(0, len(sentences), sentences_per)]
    return tuple(p for p in parts if len(p) > 20)


def _headline(title: str) -> str:
    """Wire headlines are in capitals: set them in title case as a newspaper would."""
    return title.title() if title.isupper() else title


@cache
def load_pools(corpus: Path = CORPUS) -> Pools:
    """Read the real texts once: about 26,000 source articles."""
    sources: list[Source] = []
    titles: list[str] = []
    datelines: list[str] = []
    for a in articles():
        paras = _paragraphs(str(a["body"]))
        if paras and a["body"] != a["title"]:
            sources.append(Source(_headline(str(a["title"])), paras, str(a["dateline"])))
        if a["title"]:
            titles.append(_headline(str(a["title"])))
        if a["dateline"]:
            datelines.append(str(a["dateline"]).split(",")[0].strip().title())
    for path in sorted((corpus / "bbc").glob("*/*.txt")):
        head, _, body = path.read_bytes().decode("latin-1").partition("\n")
        if paras := _paragraphs(body):
            sources.append(Source(head.strip(), paras))
            titles.append(head.strip())
    first: set[str] = set()
    last: set[str] = set()
    known: set[str] = set()
    for split in ("train", "valid", "test"):
        for doc in conll.documents(split):
            if paras := _paragraphs(doc.body.replace("\n", "\n\n")):
                sources.append(Source("", paras))
            for part, start, end, kind in doc.gold:
                if kind != "PER" or part != "body":
                    continue
                words = doc.body[start:end].split()
                if len(words) == 2 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words):
                    first.add(words[0])
                    last.add(words[1])
                    known.add(" ".join(words))
    for d in load_time(corpus / "time").documents:
        if paras := _paragraphs(d.body):
            sources.append(Source("", paras))
    truth = json.loads((corpus / "html_news" / "ground-truth.json").read_text(encoding="utf-8"))
    for item in truth.values():
        if paras := _paragraphs(str(item.get("articleBody", ""))):
            sources.append(Source("", paras))
    return Pools(
        tuple(sources),
        tuple(titles),
        tuple(sorted(first)),
        tuple(sorted(last)),
        frozenset(known),
        tuple(sorted(set(datelines))),
    )


class Generator:
    """The article stream: ``article(i)`` for i = 0, 1, 2, ... in order (reprints look back at recent ones)."""

    def __init__(self, seed: int = 7, pools: Pools | None = None) -> None:
        self.seed = seed
        self.pools = pools or load_pools()
        self.recent: deque[dict[str, str]] = deque(maxlen=2000)
        self.next_index = 0
        self.kinds = {"original": 0, "near_duplicate": 0, "exact_copy": 0}

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + i)

    def _person(self, rng: random.Random, i: int) -> str:
        """A name from a space that grows as the square root of the archive (new names keep coming)."""
        space = int(40 * math.sqrt(i + 100))
        k = rng.randrange(space)
        f, s = self.pools.first_names, self.pools.surnames
        return f"{f[(k * 7919) % len(f)]} {s[(k * 104_729 // len(f) + k) % len(s)]}"

    def _surname(self, rng: random.Random, i: int) -> str:
        return self._person(rng, i).split()[1]

    def _rewrite(self, text: str, rng: random.Random, i: int, names: dict[str, str]) -> str:
        """Rename people and firms (consistently within the article), re-draw figures, make a rare typo."""

        def person(m: re.Match[str]) -> str:
            full = m.group(0)
            if full not in self.pools.known_names:
                return full
            if full not in names:
                names[full] = self._person(rng, i)
                names[m.group(2)] = names[full].split()[1]
            return names[full]

        def firm(m: re.Match[str]) -> str:
            key = m.group(0)
            if key not in names:
                names[key] = f"{self._surname(rng, i)} {m.group(2)}"
            return names[key]

        def number(m: re.Match[str]) -> str:
            whole, frac = m.group(1), m.group(2) or ""
            digits = whole.replace(",", "")
            if (len(digits) < 3 and not frac) or (len(digits) == 4 and digits[:2] in ("19", "20")):
                return m.group(0)  # days, small counts and years stay as written
            value = rng.randrange(10 ** (len(digits) - 1) if len(digits) > 1 else 1, 10 ** len(digits))
            out = f"{value:,}" if "," in whole else str(value)
            return out + ("." + "".join(str(rng.randrange(10)) for _ in frac[1:]) if frac else "")

        text = _NAME.sub(person, text)
        for short, new in [(k, v) for k, v in names.items() if " " not in k]:
            text = re.sub(rf"\b{short}\b", new, text)
        text = _FIRM.sub(firm, text)
        text = _NUMBER.sub(number, text)
        if rng.random() < len(text) / 6 * TYPO_RATE:
            words = list(_WORD.finditer(text))
            if words:
                w = rng.choice(words)
                text = text[: w.start()] + _typo(w.group(0), rng) + text[w.end() :]
        return text

    def _date(self, rng: random.Random) -> str:
        r = rng.random()
        if r < UNDATED:
            return ""
        day = dt.date.fromordinal(rng.randrange(FIRST_DAY, LAST_DAY))
        if r < UNDATED + YEAR_ONLY:
            return f"{day.year:04d}"
        if r < UNDATED + YEAR_ONLY + MONTH_ONLY:
            return f"{day.year:04d}-{day.month:02d}"
        return day.isoformat()

    def _original(self, i: int, rng: random.Random) -> dict[str, str]:
        target = min(3000, max(40, int(rng.lognormvariate(math.log(330), 0.75))))
        picked = [rng.choice(self.pools.sources) for _ in range(rng.randint(2, 4))]
        names: dict[str, str] = {}
        paras: list[str] = []
        words = 0
        for n, src in enumerate(picked):
            share = target // len(picked) if n < len(picked) - 1 else target - words
            start = rng.randrange(len(src.paragraphs)) if n else 0
            for p in src.paragraphs[start:]:
                paras.append(self._rewrite(p, rng, i, names))
                words += len(p.split())
                share -= len(p.split())
                if share <= 0:
                    break
        lead = next((s for s in picked if s.title), None)
        title = lead.title if lead else rng.choice(self.pools.titles)
        title = self._rewrite(title, rng, i, names)
        body = "\n\n".join(paras)
        if rng.random() < 0.5 and self.pools.datelines:
            body = f"{rng.choice(self.pools.datelines).upper()} - {body}"
        return {"title": title, "body": body}

    def _near_duplicate(self, base: dict[str, str], rng: random.Random) -> dict[str, str]:
        """The same story reprinted: a paragraph dropped or a sentence trimmed, a word or two changed."""
        paras = base["body"].split("\n\n")
        if len(paras) > 3 and rng.random() < 0.5:
            del paras[rng.randrange(1, len(paras))]
        else:
            last = paras[-1].split(". ")
            paras[-1] = ". ".join(last[:-1]) if len(last) > 1 else paras[-1]
        body = "\n\n".join(paras)
        for _ in range(rng.randint(1, 3)):
            words = list(_WORD.finditer(body))
            if words:
                w = rng.choice(words)
                body = body[: w.start()] + _typo(w.group(0), rng) + body[w.end() :]
        return {"title": base["title"], "body": body}

    def article(self) -> dict[str, str]:
        """The next article of the stream as a JSON record (id, title, body, date, source, author)."""
        i = self.next_index
        self.next_index += 1
        rng = self._rng(i)
        r = rng.random()
        if self.recent and r < EXACT_COPIES:
            base = rng.choice(self.recent)
            item, kind = {"title": base["title"], "body": base["body"]}, "exact_copy"
        elif self.recent and r < EXACT_COPIES + NEAR_DUPLICATES:
            item, kind = self._near_duplicate(rng.choice(self.recent), rng), "near_duplicate"
        else:
            item, kind = self._original(i, rng), "original"
        self.kinds[kind] += 1
        record = {"id": f"gen-{i:07d}", **item, "date": self._date(rng), "source": rng.choice(SOURCES)}
        if rng.random() < 0.3:
            record["author"] = self._person(rng, i)
        if kind == "original":
            self.recent.append(item)
        return record

    def stream(self, count: int) -> Iterator[dict[str, str]]:
        for _ in range(count):
            yield self.article()


def _typo(word: str, rng: random.Random) -> str:
    """One realistic slip: a dropped, doubled or swapped letter, or a neighbouring key."""
    k = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:k] + word[k + 1 :]
    if kind == 1:
        return word[:k] + word[k] + word[k:]
    if kind == 2:
        return word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]
    return word[:k] + rng.choice(_NEIGHBOURS.get(word[k], word[k])) + word[k + 1 :]


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    c: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)) for row in _ROWS for i, c in enumerate(row)
}


def write_archive(folder: Path, size: int, seed: int = 7, start: int = 0, per_file: int = PER_FILE) -> dict:
    """Write articles ``start .. size-1`` of the stream as JSONL files of ``per_file`` records; return counts."""
    gen = Generator(seed)
    folder.mkdir(parents=True, exist_ok=True)
    raw = 0
    kinds = dict.fromkeys(gen.kinds, 0)
    out = None
    for n in range(size):
        rec = gen.article()
        if n < start:
            continue
        if (n - start) % per_file == 0:
            if out:
                out.close()
            out = (folder / f"archive-{n // per_file:05d}.jsonl").open("w", encoding="utf-8")
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        raw += len(rec["title"].encode()) + len(rec["body"].encode())
    if out:
        out.close()
    for kind, count in gen.kinds.items():
        kinds[kind] = count
    return {"articles": size - start, "raw_bytes": raw, "kinds": kinds, "seed": seed}


def heaps(size: int, seed: int = 7, points: int = 8) -> dict[str, object]:
    """Vocabulary (distinct lower-cased words) and distinct person names against tokens seen, and the fitted
    Heaps' law exponent beta of V = K * N^beta (real English text: about 0.4-0.6)."""
    gen = Generator(seed)
    vocab: set[str] = set()
    people: set[str] = set()
    tokens = 0
    marks = sorted({max(1, int(size * (k + 1) / points)) for k in range(points)})
    rows = []
    for n in range(1, size + 1):
        rec = gen.article()
        words = _TOKENS.findall(f"{rec['title']} {rec['body']}".lower())
        tokens += len(words)
        vocab.update(words)
        people.update(m.group(0) for m in _NAME.finditer(rec["body"]))
        if n == marks[len(rows)] if len(rows) < len(marks) else False:
            rows.append({"articles": n, "tokens": tokens, "vocabulary": len(vocab), "name_pairs": len(people)})
    xs = [math.log(r["tokens"]) for r in rows]
    ys = [math.log(r["vocabulary"]) for r in rows]
    beta = _slope(xs, ys)
    names_beta = _slope([math.log(r["articles"]) for r in rows], [math.log(r["name_pairs"]) for r in rows])
    return {"rows": rows, "beta": beta, "names_exponent": names_beta, "kinds": gen.kinds}


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, nargs="?", help="folder to write JSONL files into (outside the repository)")
    p.add_argument("--size", type=int, default=20_000)
    p.add_argument("--start", type=int, default=0, help="skip the stream's first START articles (for additions)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--heaps", action="store_true", help="print vocabulary growth and the fitted Heaps exponent")
    args = p.parse_args(argv)
    if args.heaps:
        print(json.dumps(heaps(args.size, args.seed), indent=1))
    if args.out:
        print(json.dumps(write_archive(args.out, args.size, args.seed, args.start)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
