"""The query pool's scheduling with per-client shares, on real worker processes."""

from __future__ import annotations

import asyncio

import pytest

from tipgraph.config import EndpointSettings
from tipgraph.errors import EndpointBusy
from tipgraph.evaluation import QueryRequest
from tipgraph.query_targets import EmbeddedTarget
from tipgraph.serving.pool import QueryPool
from tipgraph.store.location import StoreVersion

from .test_live_server import RUNAWAY, SIMPLE


def settings(store: StoreVersion, **limits: object) -> EndpointSettings:
    return EndpointSettings(
        store=store.path.parent,
        timeout=20,
        client_seconds=0,
        client_queries=10,
        **limits,  # type: ignore[arg-type]
    )


def test_the_queue_bound_holds_while_a_worker_is_kept_for_others(
    built_store: StoreVersion,
) -> None:
    async def run() -> None:
        async with QueryPool(
            EmbeddedTarget(built_store.database), settings(built_store, workers=2, queue_size=1)
        ) as pool:
            running = pool.submit(QueryRequest(RUNAWAY), "a")
            waiting = pool.submit(QueryRequest(RUNAWAY), "a")  # the other worker is kept
            with pytest.raises(EndpointBusy):
                pool.submit(QueryRequest(RUNAWAY), "a")  # the queue holds one
            assert (pool.busy, pool.waiting) == (1, 1)
            other = pool.submit(QueryRequest(SIMPLE), "b")  # starts on the kept worker
            assert other.started_at is not None
            await other.head()
            for job in (running, waiting, other):
                job.cancel()

    asyncio.run(run())


def test_a_waiting_query_starts_as_soon_as_its_client_may(built_store: StoreVersion) -> None:
    async def run() -> None:
        async with QueryPool(
            EmbeddedTarget(built_store.database), settings(built_store, workers=2)
        ) as pool:
            first = pool.submit(QueryRequest(RUNAWAY), "a")
            second = pool.submit(QueryRequest(SIMPLE), "a")
            assert second.started_at is None  # a holds one worker of two
            first.cancel()  # its worker is replaced; the idle one takes the waiting query
            await asyncio.sleep(0.05)  # far less than a worker takes to start
            assert second.started_at is not None
            await second.head()

    asyncio.run(run())


def test_clients_with_a_query_running_leave_the_last_worker_to_a_client_with_none(
    built_store: StoreVersion,
) -> None:
    async def run() -> None:
        async with QueryPool(
            EmbeddedTarget(built_store.database), settings(built_store, workers=3)
        ) as pool:
            held = [pool.submit(QueryRequest(RUNAWAY), client) for client in ("a", "b")]
            kept = [pool.submit(QueryRequest(RUNAWAY), client) for client in ("a", "b")]
            assert [job.started_at is None for job in kept] == [True, True]
            light = pool.submit(QueryRequest(SIMPLE), "c")  # takes the worker kept free
            assert light.started_at is not None
            await light.head()
            for job in (*held, *kept, light):
                job.cancel()

    asyncio.run(run())
