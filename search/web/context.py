"""Per-request access to the settings and the open archive (set once in create_app)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from search.web.settings import Settings


def settings() -> Settings:
    """The app's settings."""
    return current_app.extensions["search.settings"]


def archive() -> Any:
    """The open archive; raises IndexUnavailable when the index cannot be opened."""
    return current_app.extensions["search.archive"].get()


def current_holder() -> Any:
    """The ArchiveHolder itself (for /healthz, which may need to drop a broken archive)."""
    return current_app.extensions["search.archive"]
