"""Per-client fairness for the query workers, as public SPARQL endpoints enforce it.

Each client (an IP address, after a trusted proxy's ``X-Forwarded-For``) has a budget of
query-seconds per minute: a bucket that holds ``seconds_per_minute`` and refills at that rate,
drained by the time its queries held a worker. A client whose bucket is empty, or who already
has ``max_queries`` queries running or waiting, is answered 429 with a Retry-After.

A client never holds every worker: with two or more workers, one is always left for the
others, so a client sending runaway queries cannot make a simple query of someone else wait
for a timeout. With both limits off (0), there is no fairness at all, reserve included.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from tipgraph.errors import TooManyRequests

WINDOW_SECONDS = 60.0
# Clients remembered at most; beyond it, those with a full bucket and nothing running go first.
MAX_CLIENTS = 10_000


def client_key(address: str) -> str:
    """Whom a request counts against: its IPv4 address, or its IPv6 /64 (a host is usually
    given a whole /64, so single IPv6 addresses would each get a share of their own)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass
class _Client:
    level: float  # query-seconds left; negative after a long query, until refilled
    updated: float
    running: int = 0
    waiting: int = 0


class ClientLedger:
    """What each client may still ask of the query workers, and what it is using now."""

    def __init__(self, seconds_per_minute: float, max_queries: int, workers: int) -> None:
        self.capacity = seconds_per_minute  # 0: no query-seconds budget
        self.max_queries = max_queries  # 0: no limit on a client's queries in flight
        # The reserve is fairness too: with both limits off, a client may take every worker.
        fair = bool(seconds_per_minute or max_queries)
        self.max_running = max(1, workers - 1) if fair else workers
        self._clients: dict[str, _Client] = {}
        self.refused = {"query_seconds": 0, "in_flight": 0}  # 429s since start, by reason

    def _client(self, name: str, now: float) -> _Client:
        client = self._clients.get(name)
        if client is None:
            if len(self._clients) >= MAX_CLIENTS:
                self._forget_idle(now)
            client = self._clients[name] = _Client(self.capacity, now)
        elif self.capacity:
            rate = self.capacity / WINDOW_SECONDS
            client.level = min(self.capacity, client.level + (now - client.updated) * rate)
            client.updated = now
        return client

    def admit(self, name: str, now: float) -> None:
        """Count a new query of client ``name`` as waiting; TooManyRequests if it may not."""
        client = self._client(name, now)
        if self.capacity and client.level < 0:
            wait = -client.level / (self.capacity / WINDOW_SECONDS)
            self.refused["query_seconds"] += 1
            raise TooManyRequests(
                f"this client used its {self.capacity:g} query-seconds per minute; "
                f"retry in {math.ceil(wait) or 1} s, or download a dump for heavy work.",
                retry_after=max(1, math.ceil(wait)),
            )
        if self.max_queries and client.running + client.waiting >= self.max_queries:
            self.refused["in_flight"] += 1
            raise TooManyRequests(
                f"this client already has {self.max_queries} queries running or waiting; "
                "wait for their answers before sending more.",
                retry_after=1,
            )
        client.waiting += 1

    def may_start(self, name: str) -> bool:
        """Whether a waiting query of ``name`` may take a worker now."""
        client = self._clients.get(name)
        return client is None or client.running < self.max_running

    def running(self, name: str) -> int:
        """Queries of ``name`` holding a worker now."""
        client = self._clients.get(name)
        return 0 if client is None else client.running

    def started(self, name: str) -> None:
        """A waiting query of ``name`` took a worker."""
        client = self._clients[name]
        client.waiting -= 1
        client.running += 1

    def dropped(self, name: str) -> None:
        """A waiting query of ``name`` was abandoned before it took a worker."""
        self._clients[name].waiting -= 1

    def finished(self, name: str, seconds: float, now: float) -> None:
        """A query of ``name`` left its worker after ``seconds`` on it."""
        client = self._client(name, now)
        client.running -= 1
        if self.capacity:
            client.level -= seconds

    def _forget_idle(self, now: float) -> None:
        rate = self.capacity / WINDOW_SECONDS
        for name, client in list(self._clients.items()):
            full = client.level + (now - client.updated) * rate >= self.capacity
            if full and not client.running and not client.waiting:
                del self._clients[name]
