"""The memo the web app keeps slow readings in: once per version and key, bounded."""

from __future__ import annotations

import threading
import time

from tipgraph.web.state import Memo


def test_a_result_is_computed_once_per_version_and_key() -> None:
    memo = Memo(4)
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value.upper()

    assert memo.get("v1", "a", lambda: compute("a")) == "A"
    assert memo.get("v1", "a", lambda: compute("again")) == "A"
    assert memo.get("v2", "a", lambda: compute("b")) == "B"  # a new version reads again
    assert calls == ["a", "b"]
    assert memo.get("v1", "a", lambda: compute("c")) == "C"  # v1's was dropped with v2's read


def test_the_least_recently_used_entry_goes_first() -> None:
    memo = Memo(2)
    memo.get("v", 1, lambda: "one")
    memo.get("v", 2, lambda: "two")
    memo.get("v", 1, lambda: "not read")  # 1 is now the most recently used
    memo.get("v", 3, lambda: "three")  # 2 goes
    assert memo.get("v", 1, lambda: "again") == "one"
    assert memo.get("v", 2, lambda: "again") == "again"


def test_concurrent_requests_for_one_key_wait_for_one_reading() -> None:
    memo = Memo(4)
    calls: list[int] = []
    results: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [
        threading.Thread(target=lambda: results.append(memo.get("v", "k", slow))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 5 and calls == [1]
