"""Reading a query before it goes to the pool: off the event loop, charged to its client.

Checking a query's text (for SERVICE, and whatever else is read of it before evaluation) is
pure Python and grows with the text: a 1 MiB body takes a good part of a second. Done on the
event loop, it would hold up every other request; so it runs in a thread, and the thread's
CPU time is taken from the client's query-seconds (:mod:`tipgraph.fairness`), whether the query
then runs or is refused (a query too malformed to run costs its reading all the same).

Short queries, the usual ones, have a lane of their own, so they are never read after a few
long ones; long ones are read one at a time, which leaves the event loop the interpreter's
attention more often than a crowd of threads would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread

from tipgraph.fairness import ClientLedger

T = TypeVar("T")
SHORT_QUERY_CHARACTERS = 16 * 1024
SHORT_LANE_THREADS = 2
LONG_LANE_THREADS = 1


class QueryReaders:
    """The threads that read queries: a lane for short queries and one for long ones."""

    def __init__(self, ledger: ClientLedger) -> None:
        self.ledger = ledger
        self._short = CapacityLimiter(SHORT_LANE_THREADS)
        self._long = CapacityLimiter(LONG_LANE_THREADS)

    async def read(self, client: str, work: Callable[[str], T], query: str) -> T:
        """``work(query)`` in a thread, its CPU time charged to ``client``; TooManyRequests
        first if the client may send no query now (over its share, see
        :meth:`ClientLedger.reading`)."""
        ledger = self.ledger
        ledger.reading(client, time.monotonic())
        spent = 0.0

        def timed() -> T:
            nonlocal spent
            started = time.thread_time()
            try:
                return work(query)
            finally:
                spent = time.thread_time() - started

        lane = self._short if len(query) <= SHORT_QUERY_CHARACTERS else self._long
        try:
            return await to_thread.run_sync(timed, limiter=lane)
        finally:
            ledger.read(client, spent, time.monotonic())
