"""Read article files and records into Documents: one module per input format."""

from __future__ import annotations

from search.extract.errors import ExtractError, Skipped

__all__ = ["ExtractError", "Skipped"]
