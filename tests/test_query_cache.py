"""The query core's one bounded cache: least recently used out first, bounded by count and by cost."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from search.query.cache import BoundedCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache("test", 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert len(cache) == 2


def test_a_cost_bound_keeps_the_total_under_it_and_refuses_what_alone_exceeds_it() -> None:
    cache: BoundedCache[str, np.ndarray] = BoundedCache("masks", 100, lambda a: int(a.nbytes), max_cost=250)
    for key in "abc":
        cache.put(key, np.zeros(100, dtype=bool))
    assert "a" not in cache and "b" in cache and "c" in cache
    cache.put("huge", np.zeros(1000, dtype=bool))
    assert "huge" not in cache
    assert "b" in cache and "c" in cache
    cache.put("b", np.zeros(50, dtype=bool))  # replacing a value counts its new cost only
    cache.put("d", np.zeros(100, dtype=bool))
    assert {"b", "c", "d"} <= {k for k in "abcd" if k in cache}


def test_a_cache_of_size_zero_keeps_nothing_and_none_is_never_kept() -> None:
    off: BoundedCache[str, int] = BoundedCache("off", 0)
    off.put("a", 1)
    assert off.get("a") is None
    made = []
    assert off.get_or_make("a", lambda: made.append(1) or 7) == 7
    assert off.get_or_make("a", lambda: made.append(1) or 7) == 7
    assert len(made) == 2  # with nothing kept, the value is made every time
    on: BoundedCache[str, int | None] = BoundedCache("on", 4)
    on.put("none", None)
    assert "none" not in on


@pytest.mark.parametrize("threads", [8])
def test_concurrent_use_keeps_the_bound(threads: int) -> None:
    cache: BoundedCache[int, int] = BoundedCache("shared", 50)

    def work(start: int) -> None:
        for i in range(start, start + 2000):
            cache.put(i % 300, i)
            cache.get((i * 7) % 300)

    workers = [threading.Thread(target=work, args=(n * 1000,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(cache) == 50
