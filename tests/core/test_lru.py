"""The bounded cache: never more than its size, the least recently used goes first, safe across threads."""

from __future__ import annotations

import threading

import pytest

from tourapp.lru import BoundedCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_get_returns_the_default_for_a_missing_key_and_clear_empties() -> None:
    cache: BoundedCache[str, int] = BoundedCache(4)
    assert cache.get("x", -1) == -1
    cache.put("x", 0)
    assert cache.get("x", -1) == 0 and "x" in cache
    cache.clear()
    assert len(cache) == 0 and "x" not in cache


def test_a_cache_needs_room_for_one_entry() -> None:
    with pytest.raises(ValueError, match="maxsize must be at least 1"):
        BoundedCache(0)


def test_many_threads_never_push_it_past_its_size() -> None:
    cache: BoundedCache[tuple[int, int], int] = BoundedCache(50)
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for i in range(2000):
                cache.put((thread, i), i)
                cache.get((thread, i - 1))
                assert len(cache) <= 50
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(cache) == 50
