"""A suggested citation of one article: plain text to copy, BibTeX and RIS to download (pinned to its permalink)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from search.query.types import DocumentView

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


@dataclass(frozen=True)
class Citation:
    """What a citation names: the article, where it was published and when, and where it is kept."""

    title: str
    author: str
    source: str
    date: str  # "YYYY", "YYYY-MM", "YYYY-MM-DD" or "" when undated
    dateline: str
    archive: str
    permalink: str
    accessed: date
    doc_id: str

    @classmethod
    def of(cls, doc: DocumentView, archive: str, permalink: str, accessed: date) -> Citation:
        return cls(
            _line(doc.title) or "Untitled article",
            _line(doc.author),
            _line(doc.source),
            doc.date or "",
            _line(doc.dateline),
            _line(archive),
            permalink,
            accessed,
            doc.id,
        )

    def text(self) -> str:
        """A plain suggested citation, in the common shape of a newspaper article reference."""
        parts = [f"{self.author}. " if self.author else ""]
        parts.append(f"“{self.title.rstrip('.')}.” ")
        where = ", ".join(p for p in (self.source, self.date or "undated", self.dateline) if p)
        parts.append(f"{where}. ")
        parts.append(f"{self.archive}, {self.permalink} (accessed {self.accessed.isoformat()}).")
        return "".join(parts)

    def key(self) -> str:
        """A BibTeX key: source, year and a short hash of the id (stable for the article)."""
        source = re.sub(r"[^a-z0-9]+", "", _ascii(self.source).lower())[:20] or "article"
        digest = hashlib.blake2b(self.doc_id.encode(), digest_size=3).hexdigest()
        return f"{source}{self.date[:4] or 'nd'}-{digest}"

    def bibtex(self) -> str:
        fields = [("title", self.title), ("author", self.author), ("journal", self.source)]
        if self.date:
            fields.append(("year", self.date[:4]))
            if len(self.date) >= 7:
                fields.append(("month", _MONTHS[int(self.date[5:7]) - 1]))
            fields.append(("date", self.date))
        if self.dateline:
            fields.append(("note", f"Dateline: {self.dateline}"))
        fields += [
            ("howpublished", self.archive),
            ("url", self.permalink),
            ("urldate", self.accessed.isoformat()),
        ]
        lines = [f"@article{{{self.key()},"]
        for name, value in fields:
            if not value:
                continue
            shown = value if name in ("url", "month") else _bibtex_escape(value)
            lines.append(f"  {name} = {shown}," if name == "month" else f"  {name} = {{{shown}}},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def ris(self) -> str:
        rows = [("TY", "NEWS"), ("TI", self.title)]
        if self.author:
            rows.append(("AU", self.author))
        if self.source:
            rows.append(("T2", self.source))
        if self.date:
            rows.append(("PY", self.date[:4]))
            parts = self.date.split("-")
            rows.append(("DA", "/".join([*parts, *([""] * (3 - len(parts)))]) + "/"))
        if self.dateline:
            rows.append(("CY", self.dateline))
        rows += [("DB", self.archive), ("UR", self.permalink), ("Y2", self.accessed.isoformat()), ("ER", "")]
        return "".join(f"{tag}  - {value}\r\n" for tag, value in rows)


def _line(text: str) -> str:
    """One line of text: any run of whitespace (newlines included) is one space."""
    return " ".join((text or "").split())


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else " ", text)
