"""Per-client fairness on a real server: a flooding client gets 429 with Retry-After while
the others are still served, and runaway queries from several addresses cannot keep a client
with nothing running waiting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tipgraph.errors import TipgraphError
from tipgraph.sparql import refuse_federated

from ..helpers.documented import documented
from ..helpers.servers import LiveServer, start_server, stop_server, wait_until_idle
from .test_live_server import RUNAWAY, SIMPLE, as_client, federated


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[LiveServer]:
    """2 workers, 2 s per query, each client 3 query-seconds per minute and 2 queries at once."""
    live = start_server(
        store_dir,
        *("--workers", "2", "--timeout", "2", "--queue", "8"),
        *("--client-seconds", "3", "--client-queries", "2"),
    )
    yield live
    stop_server(live)


def simple(n: int) -> str:
    return f"SELECT ?s WHERE {{ ?s a qb:Observation }} LIMIT {n + 1}"  # each one new: no cache


def test_a_client_flooding_in_parallel_gets_429_while_another_is_served(
    server: LiveServer,
) -> None:
    wait_until_idle(server, workers=2)
    flooder, other = as_client(10), as_client(11)
    with ThreadPoolExecutor(8) as pool, server.client(timeout=30) as client:
        flood = [
            pool.submit(client.get, "/sparql", params={"query": RUNAWAY}, headers=flooder)
            for _ in range(8)
        ]
        time.sleep(0.3)
        answers, slowest = [], 0.0
        for n in range(10):
            started = time.monotonic()
            answers.append(client.get("/sparql", params={"query": simple(n)}, headers=other))
            slowest = max(slowest, time.monotonic() - started)
        flooded = [f.result() for f in flood]
    assert [a.status_code for a in answers] == [200] * 10
    assert slowest < 1.5  # served beside the flood, not after its 2 s timeouts
    statuses = sorted(r.status_code for r in flooded)
    assert statuses == [429] * 6 + [503] * 2  # two in flight (timed out), six refused
    refused = [r for r in flooded if r.status_code == 429]
    assert all(r.headers["Retry-After"] == "1" for r in refused)
    assert all("already has 2 queries running or waiting" in r.text for r in refused)
    documented("a flood (one client, many queries at once)", 429, refused[0].text)


def test_a_client_over_its_query_seconds_gets_429_with_when_to_retry(server: LiveServer) -> None:
    wait_until_idle(server, workers=2)  # the flood's stopped workers are replaced
    flooder, other = as_client(20), as_client(21)
    with server.client(timeout=30) as client:
        first = client.get("/sparql", params={"query": RUNAWAY}, headers=flooder)
        second = client.get("/sparql", params={"query": RUNAWAY}, headers=flooder)
        third = client.get("/sparql", params={"query": RUNAWAY}, headers=flooder)
        served = client.get("/sparql", params={"query": simple(50)}, headers=other)
    assert (first.status_code, second.status_code) == (503, 503)  # 2 s each: 3 - 4 < 0
    assert third.status_code == 429
    # About 1 query-second in debt, refilled at 3 per minute: some 20 s.
    assert 10 <= int(third.headers["Retry-After"]) <= 25
    assert "3 query-seconds per minute" in third.text
    documented("a client over its query-seconds", third.status_code, third.text)
    assert served.status_code == 200
    health = httpx.get(f"{server.url}/health").json()
    assert health["running"] == 0 and health["waiting"] == 0
    assert health["refused"]["query_seconds"] >= 1 and health["refused"]["in_flight"] >= 6


def test_reading_a_refused_query_costs_query_seconds_too(server: LiveServer) -> None:
    """Security review (issue 13, finding 4): the time spent reading a query that is refused
    before it runs (here for SERVICE) was never counted against its client."""
    body = federated(256 * 1024)
    started = time.thread_time()
    with pytest.raises(TipgraphError):
        refuse_federated(body)
    reading = max(time.thread_time() - started, 0.01)  # what reading it costs, here
    headers = {"Content-Type": "application/sparql-query", **as_client(80)}
    answers = []
    with server.client(timeout=60) as client:
        # 3 query-seconds a minute: spent after some 3 / reading queries.
        for _ in range(int(3 * 3 / reading) + 5):
            answers.append(client.post("/sparql", content=body, headers=headers))
            if answers[-1].status_code == 429:
                break
        other = client.get("/sparql", params={"query": simple(60)}, headers=as_client(81))
    assert {a.status_code for a in answers[:-1]} == {400}
    assert "SERVICE" in answers[0].text
    assert answers[-1].status_code == 429 and "query-seconds" in answers[-1].text
    assert other.status_code == 200


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(store_dir: Path) -> None:
    """Loopback is no trusted proxy here: two 'clients' it names are one client, itself."""
    untrusting = start_server(
        store_dir,
        *("--workers", "2", "--timeout", "2", "--client-queries", "1"),
        *("--forwarded-allow-ips", "192.0.2.99"),
    )
    try:
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda n: httpx.get(
                        f"{untrusting.url}/sparql",
                        params={"query": RUNAWAY},
                        headers=as_client(n),
                        timeout=30,
                    ),
                    [30, 31],
                )
            )
    finally:
        stop_server(untrusting)
    assert sorted(a.status_code for a in answers) == [429, 503]


def test_runaway_queries_from_two_addresses_make_room_for_a_third_client(
    store_dir: Path,
) -> None:
    """Security review (issue 13, finding 4): two addresses with two runaway queries each held
    all three workers, so a third client's ASK waited for their time limit."""
    server = start_server(store_dir, "--workers", "3", "--timeout", "15")
    try:
        wait_until_idle(server, workers=3)
        with ThreadPoolExecutor(4) as pool, server.client(timeout=60) as client:
            runaways = []
            for n in range(4):  # a, a, b, b: a holds two workers, b the last one
                headers = as_client(50 + n // 2)
                runaways.append(
                    pool.submit(client.get, "/sparql", params={"query": RUNAWAY}, headers=headers)
                )
                time.sleep(0.3)
            assert httpx.get(f"{server.url}/health").json()["running"] == 3
            started = time.monotonic()
            light = client.get("/sparql", params={"query": SIMPLE}, headers=as_client(60))
            waited = time.monotonic() - started
            answers = [future.result() for future in runaways]
    finally:
        stop_server(server)
    assert light.status_code == 200 and light.json()["boolean"] is True
    assert waited < 7  # about a second and a worker's start, not the 15 s limit
    preempted = [a for a in answers if "to make room" in a.text]
    assert len(preempted) == 1
    # The client holding two workers gives one up; the time limit stops the others.
    assert answers.index(preempted[0]) in (0, 1)
    assert preempted[0].status_code == 503 and preempted[0].headers["Retry-After"] == "2"
    documented("runaway queries hold every worker", 503, preempted[0].text)
