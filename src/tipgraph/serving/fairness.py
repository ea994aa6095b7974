"""Per-client fairness for the query workers, as public SPARQL endpoints enforce it.

Each client (an IP address, after a trusted proxy's ``X-Forwarded-For``) has a budget of
query-seconds per minute: a bucket that holds ``seconds_per_minute`` and refills at that rate,
drained by the time its queries held a worker (reading the query is part of it: a query
refused as malformed or for SERVICE costs its reading all the same). A client whose bucket is
empty, or who already has ``max_queries`` queries running or waiting, is answered 429 with a
Retry-After.

Two rules keep a worker for a client with nothing running, whatever the others send:

- *The reserve.* A client with a query running never takes the last free worker; only a client
  with nothing running may. So clients with queries running, however many addresses they
  use, can fill every worker only one query each (with two or more workers, a single client
  holds at most all but one).
- *Making room.* When a query of a client with nothing running has waited
  :data:`PREEMPT_SECONDS` with every worker busy (and no replaced worker about to start), one
  running query is stopped for it: a query that has run at least that long, of a client that
  has used at least that many query-seconds more than the waiting client of late (the time
  its queries held a worker, fading over about a minute, its running queries'
  time so far included). Of those, the client holding the most workers goes first, then the
  one that used the most. The query is answered 503 with a Retry-After and its time counts
  against its client, as any query's does.

So a light query of a client with nothing running starts within about
:data:`PREEMPT_SECONDS` plus the start of a worker, even when runaway queries from many
addresses fill every worker; the shares above then refuse the runaway clients more queries.
Room is only ever made by a heavier user for a lighter one, so clients with long queries of
their own do not take turns stopping each other's: they wait for a free worker, as before.
With both limits off (0), there is no fairness at all: no reserve and no making room.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from tipgraph.errors import TooManyRequests

WINDOW_SECONDS = 60.0
# How long a query of a client with nothing running waits, every worker busy, before one
# running query (that has run at least as long) is stopped to make room for it.
PREEMPT_SECONDS = 1.0
# Clients remembered at most; beyond it, those with a full bucket and nothing running go first.
MAX_CLIENTS = 10_000


def client_key(address: str) -> str:
    """Whom a request counts against: its IPv4 address, or its IPv6 /64 (a host is usually
    given a whole /64, so single IPv6 addresses would each get a share of their own)."""
    if ":" not in address:  # IPv4 (one written form only) or no address: itself, as below
        return address
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
    spent: float = 0.0  # query-seconds used of late, fading (e^(-t/60 s)): whatever the budget
    running: int = 0
    waiting: int = 0

    @property
    def in_flight(self) -> int:
        return self.running + self.waiting


class ClientLedger:
    """What each client may still ask of the query workers, and what it is using now."""

    def __init__(self, seconds_per_minute: float, max_queries: int) -> None:
        self.capacity = seconds_per_minute  # 0: no query-seconds budget
        self.max_queries = max_queries  # 0: no limit on a client's queries in flight
        # The reserve and making room are fairness too: with both limits off, neither applies.
        self.fair = bool(seconds_per_minute or max_queries)
        self._clients: dict[str, _Client] = {}
        self.refused = {"query_seconds": 0, "in_flight": 0}  # 429s since start, by reason

    def _client(self, name: str, now: float) -> _Client:
        client = self._clients.get(name)
        if client is None:
            if len(self._clients) >= MAX_CLIENTS:
                self._forget_idle(now)
            client = self._clients[name] = _Client(self.capacity, now)
        elif now > client.updated:
            elapsed = now - client.updated
            if self.capacity:
                rate = self.capacity / WINDOW_SECONDS
                client.level = min(self.capacity, client.level + elapsed * rate)
            client.spent *= math.exp(-elapsed / WINDOW_SECONDS)
            client.updated = now
        return client

    def _check(self, name: str, now: float) -> _Client:
        """The client, if it may send one more query now; TooManyRequests if not."""
        client = self._client(name, now)
        if self.capacity and client.level < 0:
            wait = -client.level / (self.capacity / WINDOW_SECONDS)
            self.refused["query_seconds"] += 1
            raise TooManyRequests(
                f"this client used its {self.capacity:g} query-seconds per minute; "
                f"retry in {math.ceil(wait) or 1} s, or download a dump for heavy work.",
                retry_after=max(1, math.ceil(wait)),
            )
        if self.max_queries and client.in_flight >= self.max_queries:
            self.refused["in_flight"] += 1
            raise TooManyRequests(
                f"this client already has {self.max_queries} queries running or waiting; "
                "wait for their answers before sending more.",
                retry_after=1,
            )
        return client

    def admit(self, name: str, now: float) -> None:
        """Count a new query of client ``name`` as waiting; TooManyRequests if it may not."""
        self._check(name, now).waiting += 1

    def may_start(self, name: str, idle: int) -> bool:
        """Whether a waiting query of ``name`` may take one of ``idle`` free workers now: a
        client with a query running never takes the last one (the reserve)."""
        if idle < 1:
            return False
        client = self._clients.get(name)
        return not self.fair or idle > 1 or client is None or client.running == 0

    def running(self, name: str) -> int:
        """Queries of ``name`` holding a worker now."""
        client = self._clients.get(name)
        return 0 if client is None else client.running

    def used(self, name: str, now: float) -> float:
        """The query-seconds ``name`` used of late (fading over about a minute)."""
        return self._client(name, now).spent if name in self._clients else 0.0

    def heaviest(self, candidates: dict[str, float], now: float, waiting: str) -> str | None:
        """Whose query to stop to make room for ``waiting``'s: among ``candidates`` (client →
        what its running queries have run so far, in seconds), those that used
        :data:`PREEMPT_SECONDS` more than ``waiting`` did; of them, the client holding the most
        workers, then the one that used the most. None when no one is heavier enough."""
        floor = self.used(waiting, now) + PREEMPT_SECONDS
        use = {name: self.used(name, now) + ran for name, ran in candidates.items()}
        heavier = [name for name in candidates if use[name] >= floor]
        return max(heavier, key=lambda name: (self.running(name), use[name]), default=None)

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
        client.spent += seconds
        if self.capacity:
            client.level -= seconds

    def _forget_idle(self, now: float) -> None:
        rate = self.capacity / WINDOW_SECONDS
        for name, client in list(self._clients.items()):
            full = client.level + (now - client.updated) * rate >= self.capacity
            if full and not client.in_flight:
                del self._clients[name]
