"""Turn raw bytes into text, refusing what is binary rather than guessing."""

from __future__ import annotations

from search.extract.errors import ExtractError

# Leading bytes of formats that are never articles (executables and media files hold NULs, caught below).
BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive",
    b"PK\x05\x06": "a zip archive",
    b"\x1f\x8b": "gzip-compressed data",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"BZh": "bzip2-compressed data",
    b"\xfd7zXZ": "xz-compressed data",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an Office document",
}


def refuse_binary(raw: bytes, expected: str) -> None:
    """ExtractError when the bytes open like a known binary format rather than ``expected`` (text, HTML)."""
    for magic, what in BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise ExtractError(f"binary content ({what}), not {expected}")


def decode_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else cp1252/latin-1 when the bytes look like text."""
    if not raw.strip():
        raise ExtractError("empty file")
    refuse_binary(raw, "text")
    if b"\x00" in raw[:8192]:
        raise ExtractError("binary content (NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > len(text[:8192]) * 0.01:
        raise ExtractError(f"not UTF-8 and not decodable as text ({utf8_error.reason} at byte {utf8_error.start})")
    return text
