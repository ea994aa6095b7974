"""The result cache: bounded in bytes, least recently used out, keys that ignore layout."""

from __future__ import annotations

from tipgraph.serving.result_cache import CachedAnswer, ResultCache


def _answer(size: int) -> CachedAnswer:
    return CachedAnswer(b"x" * size, "text/plain")


def test_a_kept_answer_is_found_and_counted_as_a_hit() -> None:
    cache = ResultCache(10_000)
    assert cache.get("q") is None
    cache.put("q", _answer(10))
    assert cache.get("q") == _answer(10)
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1)
    assert stats.hit_rate == 0.5


def test_the_least_recently_used_goes_first_and_the_total_stays_under_the_bound() -> None:
    cache = ResultCache(3_000, max_entry_bytes=1_000)
    for key in "abc":
        cache.put(key, _answer(700))
    assert cache.get("a") is not None  # "a" is now the most recent: "b" goes next
    cache.put("d", _answer(700))
    assert cache.get("b") is None
    assert all(cache.get(key) is not None for key in "acd")
    stats = cache.stats()
    assert stats.bytes <= 3_000 and stats.evictions == 1


def test_an_answer_larger_than_an_entry_may_be_is_not_kept() -> None:
    cache = ResultCache(1 << 20, max_entry_bytes=100)
    cache.put("big", _answer(101))
    assert cache.get("big") is None and cache.stats().bytes == 0


def test_replacing_an_entry_does_not_count_it_twice() -> None:
    cache = ResultCache(10_000)
    cache.put("q", _answer(100))
    cache.put("q", _answer(300))
    assert cache.stats().entries == 1
    assert cache.stats().bytes == ResultCache(10_000).stats().bytes + 300 + 200
