"""Errors of the search core, mapped to messages and status codes at the edges."""

from __future__ import annotations

from search.index.errors import IndexStorageError


class IndexUnavailable(IndexStorageError):
    """The index folder is missing, empty or unreadable; the message says which and what to do."""
