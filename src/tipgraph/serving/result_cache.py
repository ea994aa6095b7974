"""A bounded in-memory cache of complete answers, sized in bytes, least recently used out.

The data is read-only between loads and every key carries the dataset version, so an entry is
never stale: a new load is a new version, hence new keys. A query is keyed by its exact text:
two texts that differ by a byte never share an answer, so no query can take another's place
(a key "normalised" by anything but the engine's own parser could equate two that differ).
One cache serves all query workers (it lives in the web process, in front of them).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

ENTRY_OVERHEAD = 200  # bytes counted per entry on top of its body (key, headers, bookkeeping)


@dataclass(frozen=True)
class CachedAnswer:
    """A complete answer: its body, content type and the headers that belong to it."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int
    evictions: int

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


class ResultCache:
    """Answers by key, at most ``max_bytes`` in all, none larger than ``max_entry_bytes``."""

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8 if max_entry_bytes is None else max_entry_bytes
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._hits = self._misses = self._evictions = 0
        self._lock = threading.Lock()  # pages read it from threads, the endpoint from the loop

    def get(self, key: Hashable) -> CachedAnswer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return answer

    def put(self, key: Hashable, answer: CachedAnswer) -> None:
        """Keep ``answer`` unless it is too large; evict the least recently used to fit it."""
        size = _size(answer)
        if size > self.max_entry_bytes or size > self.max_bytes:  # never kept (cache off: 0)
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= _size(evicted)
                self._evictions += 1

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                entries=len(self._entries),
                bytes=self._bytes,
                max_bytes=self.max_bytes,
                evictions=self._evictions,
            )


def _size(answer: CachedAnswer) -> int:
    return len(answer.body) + ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in answer.headers)
