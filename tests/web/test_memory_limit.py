"""A query that needs more memory than a worker may use is stopped with a 503 that says so."""

from __future__ import annotations

import time
from pathlib import Path

from ..helpers.documented import documented
from ..helpers.servers import start_server, stop_server

# Every pair of statements, sorted: the sort holds them all in memory.
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
SIMPLE = "SELECT ?s WHERE { ?s a qb:Observation } LIMIT 3"


def test_a_query_past_the_memory_limit_is_stopped_and_the_worker_replaced(
    store_dir: Path,
) -> None:
    server = start_server(
        store_dir, "--workers", "1", "--timeout", "30", "--worker-memory-mb", "300"
    )
    try:
        with server.client(timeout=60) as client:
            assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200
            hungry = client.get("/sparql", params={"query": HUNGRY}, headers={"Accept": "text/csv"})
            assert hungry.status_code == 503
            assert "more than 300 MiB of memory" in hungry.text
            documented("a query that needs too much memory", hungry.status_code, hungry.text)
            deadline = time.monotonic() + 10
            while client.get("/health").json()["workers"] != 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            after = client.get("/sparql", params={"query": SIMPLE + " OFFSET 1"})
            assert after.status_code == 200
    finally:
        stop_server(server)
