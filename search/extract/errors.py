"""What extraction reports when a file or a record cannot be read, or was read with a change worth knowing."""

from __future__ import annotations

from dataclasses import dataclass

from search.extract.names import printable


class ExtractError(Exception):
    """A file or record that cannot be read; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Skipped:
    """A file or record left out of the index, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        """One line, whatever the name or reason hold (no terminal escapes, no line breaks)."""
        return f"{printable(self.where)}: {printable(self.reason)}"


@dataclass(frozen=True)
class Note:
    """A file or record that was indexed, but not quite as it stands (its body cut, its id changed), and how."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.where)}: {printable(self.reason)}"
