"""The error an extractor raises for a file it cannot read."""

from __future__ import annotations


class ExtractError(Exception):
    """A file or record that cannot be read; the message is the reason shown to the user."""
