"""One open archive per worker process, opened lazily so a missing index makes /healthz say 503."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from search import query
from search.query.errors import IndexUnavailable

log = logging.getLogger(__name__)


class ArchiveHolder:
    """Opens the index on first use and keeps it; retries on later requests while it cannot be opened."""

    def __init__(self, index_dir: Path, result_cache: int = 0) -> None:
        self.index_dir = index_dir
        self.result_cache = result_cache
        self._archive: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The open archive; raises IndexUnavailable (with a reason) when it cannot be opened."""
        archive = self._archive
        if archive is not None:
            return archive
        with self._lock:
            if self._archive is None:
                try:
                    self._archive = query.open_index(self.index_dir, result_cache=self.result_cache)
                except IndexUnavailable:
                    raise
                except OSError as exc:  # an unreadable folder the core did not translate
                    raise IndexUnavailable(f"cannot read the index at {self.index_dir}: {exc}") from exc
                log.info("opened the index at %s", self.index_dir)
            return self._archive

    def forget(self) -> None:
        """Drop the open archive so the next request opens the index afresh (after it went away)."""
        with self._lock:
            self._archive = None
