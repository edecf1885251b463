"""The origins this worker refused framing or CORS: logged once each, and listed on the about page naming the
setting that would allow them."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

log = logging.getLogger(__name__)

REMEMBERED = 20  # refused origins kept per worker, per kind


class Refusals:
    """The last few origins refused framing or CORS, with how often (per worker process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, OrderedDict[str, int]] = {"framing": OrderedDict(), "cors": OrderedDict()}

    def note(self, kind: str, origin: str) -> None:
        setting = "FRAME_ANCESTORS" if kind == "framing" else "ALLOWED_ORIGINS"
        with self._lock:
            seen = self._seen[kind]
            first = origin not in seen
            seen[origin] = seen.get(origin, 0) + 1
            seen.move_to_end(origin)
            while len(seen) > REMEMBERED:
                seen.popitem(last=False)
        if first:
            log.warning("%s refused for %s: add it to %s to allow it", kind, origin, setting)

    def items(self, kind: str) -> list[tuple[str, int]]:
        with self._lock:
            return list(reversed(self._seen[kind].items()))


refusals = Refusals()
