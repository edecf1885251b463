"""What extraction reports when a file or a record cannot be read."""

from __future__ import annotations

from dataclasses import dataclass


class ExtractError(Exception):
    """A file or record that cannot be read; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Skipped:
    """A file or record left out of the index, and why."""

    where: str
    reason: str
