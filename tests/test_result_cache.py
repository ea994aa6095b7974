"""The result cache: bounded in bytes, least recently used out, keys that ignore layout."""

from __future__ import annotations

from tipgraph.result_cache import CachedAnswer, ResultCache, normalize_query


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


def test_layout_and_comments_do_not_change_the_key_but_strings_and_iris_do() -> None:
    one = "SELECT * WHERE { ?s ?p 'a  b' }"
    assert normalize_query("  SELECT *\n\tWHERE { ?s ?p 'a  b' }  # why\n") == normalize_query(one)
    assert normalize_query("SELECT * WHERE { ?s ?p 'a b' }") != normalize_query(one)
    assert normalize_query("SELECT * { <a#b> ?p ?o }") != normalize_query("SELECT * { <a> ?p ?o }")
    assert "#" in normalize_query("SELECT * { ?s ?p 'not # a comment' }")


def test_an_escaped_newline_does_not_end_a_comment_in_the_key_only() -> None:
    """The parser replaces \\u escapes first: ``#\\u000A LIMIT 1`` is a comment, then a clause."""
    plain = "SELECT * WHERE { ?s ?p ?o }"
    assert normalize_query(plain + " #\\u000A LIMIT 1") != normalize_query(plain)
    assert normalize_query(plain + " #\\u000A LIMIT 1") == normalize_query(plain + " LIMIT 1")
