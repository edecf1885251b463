"""Where the index lives unless told otherwise: the one default of the command line and the web service."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_INDEX = Path("index")  # in the working directory (the checkout's, for `make serve`)


def default_index_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$SEARCH_INDEX``, else ``./index``."""
    value = (os.environ if env is None else env).get("SEARCH_INDEX", "").strip()
    return Path(value).expanduser() if value else DEFAULT_INDEX
