"""Errors of the index layer, mapped to messages and exit codes at the edges."""

from __future__ import annotations


class IndexLockedError(RuntimeError):
    """Another indexer holds the index's write lock."""


class IndexStorageError(RuntimeError):
    """The index folder cannot be created, read or written (missing, read-only, full disk...)."""


class IndexVersionError(IndexStorageError):
    """The index was written in a format this build does not read (it must be indexed again)."""
