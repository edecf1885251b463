"""One small bounded cache for the query core: thread-safe, least recently used out first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A named least-recently-used map holding at most max_items entries (0: holds nothing).

    With cost (say, an array's bytes) it also holds at most max_cost in all; a value costing more than that
    on its own is not kept. A value of None is never stored, so get() returning None always means a miss.
    """

    def __init__(self, name: str, max_items: int, cost: Callable[[V], int] | None = None, max_cost: int = 0) -> None:
        self.name = name
        self.max_items = max(0, max_items)
        self.max_cost = max_cost
        self._cost = cost
        self._total = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept for key (now the most recently used), or None."""
        with self._lock:
            held = self._items.get(key)
            if held is None:
                return None
            self._items.move_to_end(key)
            return held[0]

    def put(self, key: K, value: V) -> None:
        """Keep value for key, dropping the least recently used entries past the bounds."""
        if not self.max_items or value is None:
            return
        cost = self._cost(value) if self._cost is not None else 0
        if self._cost is not None and cost > self.max_cost:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._items[key] = (value, cost)
            self._total += cost
            while len(self._items) > self.max_items or (self._cost is not None and self._total > self.max_cost):
                _, (_, dropped) = self._items.popitem(last=False)
                self._total -= dropped

    def __setitem__(self, key: K, value: V) -> None:
        self.put(key, value)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for key, else make() kept and returned (made outside the lock)."""
        hit = self.get(key)
        if hit is None:
            hit = make()
            self.put(key, hit)
        return hit

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __repr__(self) -> str:
        return f"BoundedCache({self.name!r}, {len(self)}/{self.max_items})"
