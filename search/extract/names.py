"""Ids made from file names and record ids, and names shown in reports: always valid, visible, one line."""

from __future__ import annotations

import re

# Characters a reader cannot see or that break a line or a terminal: C0 and C1 controls (escape sequences
# start with ESC or CSI), DEL, zero-width and bidirectional format marks (they reorder what is shown),
# line and paragraph separators, lone surrogates (undecodable bytes of a file name) and BOM / non-characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufffe\uffff\ud800-\udfff]")


def safe_id(name: str) -> str:
    """``name`` with every unsafe character percent-escaped (its UTF-8 bytes, or the raw byte of a file name
    that is not UTF-8): ``caf\\udce9.txt`` -> ``caf%E9.txt``, ``a\\x01.txt`` -> ``a%01.txt``. A name that is
    already safe is returned as it is."""
    if not _UNSAFE.search(name):
        return name
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in _bytes_of(m.group())), name)


def _bytes_of(ch: str) -> bytes:
    """The byte a file name's undecodable byte stood for, or the character's UTF-8 (surrogates too)."""
    if "\udc80" <= ch <= "\udcff":
        return bytes([ord(ch) - 0xDC00])
    return ch.encode("utf-8", "surrogatepass")


def printable(text: str) -> str:
    """``text`` for one line of a report: unsafe characters written as Python escapes (``\\x1b``, ``\\n``)."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)
