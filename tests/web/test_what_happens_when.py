"""README's "What happens when…" rows about the endpoint, on a real server with small limits:
2 workers, 2 s per query, a queue of 1, 5,000 rows, 4 MiB per result, 300 MiB per worker, and
each client 3 query-seconds a minute and 2 queries at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ..helpers.documented import documented
from ..helpers.servers import LiveServer, start_server, stop_server, wait_until_idle
from .test_live_server import RUNAWAY, as_client

LIMITS = ("--workers", "2", "--timeout", "2", "--queue", "1", "--max-rows", "5000")
LIMITS += ("--max-result-mb", "4")
SHARES = ("--client-seconds", "3", "--client-queries", "2", "--worker-memory-mb", "300")


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[LiveServer]:
    live = start_server(store_dir, *LIMITS, *SHARES)
    yield live
    stop_server(live)


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    """A session on the server once every worker is back and idle (a test may kill one)."""
    wait_until_idle(server, workers=2)
    with server.client(timeout=60) as session:
        yield session


def ask(client: httpx.Client, query: str, who: int = 0, **options: object) -> httpx.Response:
    return client.get("/sparql", params={"query": query}, headers=as_client(who), **options)  # type: ignore[arg-type]


def test_a_malformed_query(client: httpx.Client) -> None:
    answer = ask(client, "SELEC ?s WHERE { ?s ?p ?o }")
    documented("a malformed query", answer.status_code, answer.text)
    # Long indentation before a syntax error once made the update check backtrack for ever.
    indented = ask(client, " " * 60 + "{")
    assert indented.status_code == 400 and "does not parse" in indented.text


def test_a_huge_query(client: httpx.Client) -> None:
    body = "ASK {}" + " " * (1 << 20)
    answer = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    documented("a huge query (over 1 MiB)", answer.status_code, answer.text)


def test_invalid_utf8(client: httpx.Client) -> None:
    answer = client.get("/sparql?query=SELECT%FF%FE")
    documented("invalid UTF-8", answer.status_code, answer.text)


def test_an_unknown_accept(client: httpx.Client) -> None:
    answer = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    documented("an Accept no format meets", answer.status_code, answer.text)


def test_an_update(client: httpx.Client) -> None:
    answer = client.post("/sparql", data={"update": "DROP ALL"})
    documented("an update", answer.status_code, answer.text)
    as_query = ask(client, "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }")
    documented("an update sent as a query", as_query.status_code, as_query.text)


def test_service(client: httpx.Client) -> None:
    answer = ask(client, "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    documented("SERVICE", answer.status_code, answer.text)


def test_a_runaway_query(client: httpx.Client) -> None:
    answer = ask(client, RUNAWAY, who=30)
    documented("a runaway query", answer.status_code, answer.text)


def test_too_many_rows(client: httpx.Client) -> None:
    answer = ask(client, "SELECT ?s WHERE { ?s ?p ?o }", who=32)
    documented("more rows than --max-rows", answer.status_code, answer.text)


def test_too_many_bytes(client: httpx.Client) -> None:
    # One value of about 8.8 MB (the source passages joined, copied 300 times), refused at
    # the write that would pass the limit: before the 200.
    long_value = """SELECT ?long WHERE {
      { SELECT (GROUP_CONCAT(?text) AS ?a) { ?x prov:value ?text } }
      BIND(CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b)
      BIND(CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?c)
      BIND(CONCAT(?c, ?c, ?c) AS ?long) }"""
    params = {"query": long_value, "format": "csv"}
    answer = client.get("/sparql", params=params, headers=as_client(33))
    documented("a result larger than --max-result-mb", answer.status_code, answer.text)


def test_a_full_queue(server: LiveServer, client: httpx.Client) -> None:
    def send(who: int) -> httpx.Response:
        time.sleep(0.2 * who)  # in order: two run, one waits, the fourth finds no room
        return httpx.get(
            f"{server.url}/sparql",
            params={"query": RUNAWAY},
            headers=as_client(40 + who),
            timeout=30,
        )

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    busy = answers[3]
    assert busy.headers["Retry-After"] == "2"
    documented("every worker busy and the queue full", busy.status_code, busy.text)


def test_an_unknown_iri(client: httpx.Client) -> None:
    answer = client.get("/id/agency/no-such-agency", follow_redirects=True)
    documented("an unknown IRI", answer.status_code, answer.text)


@pytest.mark.parametrize(
    "path", ["/dumps/../../manifest.json", "/dumps/..%2F..%2Fmanifest.json", "/id/%2e%2e/%2e%2e"]
)
def test_a_traversal_attempt(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    documented("a traversal attempt", answer.status_code, answer.text)
