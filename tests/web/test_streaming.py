"""Clients that ask for a large answer and never read it (issue 13, finding 3): the web
process's memory stays bounded in every format, and past the time limit the answer is given up.

CSV, TSV and both XML formats write a long literal in one piece; once that piece crossed every
layer whole, each such client pinned a copy of its row in the web process, past the limit.
"""

from __future__ import annotations

import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers.servers import LiveServer, start_server, stop_server, wait_until_idle
from .test_live_server import as_client

# The source passages joined (about 29 KB), copied 1,400 times by nested CONCATs: one literal
# of about 41 MB, whose query costs a worker under a second.
BIG_VALUE = """{ SELECT (GROUP_CONCAT(?text) AS ?a) { ?x prov:value ?text } }
  BIND(CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b)
  BIND(CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?c)
  BIND(CONCAT(?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c, ?c) AS ?d)
  BIND(CONCAT(?d, ?c, ?c, ?c, ?c) AS ?big)"""
BIG_ROW = f"SELECT ?big WHERE {{ {BIG_VALUE} }}"
BIG_TRIPLE = f"CONSTRUCT {{ <urn:x:big> <urn:x:value> ?big }} WHERE {{ {BIG_VALUE} }}"
VALUE_MIB = 41

TIMEOUT = 4
CONNECTIONS = 3  # one per worker
# What the web process may grow by while the connections are held: their rows would be 123 MiB.
BOUND_MIB = 48


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[LiveServer]:
    live = start_server(store_dir, "--workers", str(CONNECTIONS), "--timeout", str(TIMEOUT))
    yield live
    stop_server(live)


def resident_mib(pid: int) -> float:
    """A process's resident memory (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def never_reading(server: LiveServer, query: str, output_format: str, n: int) -> socket.socket:
    """A connection that sends its request and reads nothing (a small receive buffer: the
    kernel holds little for it, so what piles up is the server's)."""
    port = int(server.url.rsplit(":", 1)[1])
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.connect(("127.0.0.1", port))
    target = "/sparql?" + urllib.parse.urlencode({"query": query, "format": output_format})
    forwarded = as_client(n)["X-Forwarded-For"]
    request = f"GET {target} HTTP/1.1\r\nHost: test\r\nX-Forwarded-For: {forwarded}\r\n\r\n"
    connection.sendall(request.encode())
    return connection


def read_until_closed(connection: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """What the connection still delivers, and whether the server ended it within ``seconds``
    of silence."""
    connection.settimeout(seconds)
    received = bytearray()
    try:
        while data := connection.recv(1 << 20):
            received += data
    except TimeoutError:
        return bytes(received), False
    except ConnectionResetError:
        pass
    return bytes(received), True


@pytest.mark.parametrize(
    ("query", "output_format"),
    [
        (BIG_ROW, "csv"),
        (BIG_ROW, "tsv"),
        (BIG_ROW, "xml"),
        (BIG_TRIPLE, "rdfxml"),
        (BIG_ROW, "json"),
        (BIG_TRIPLE, "turtle"),
    ],
)
def test_clients_that_never_read_hold_bounded_memory_and_are_cut_off_at_the_limit(
    server: LiveServer, query: str, output_format: str
) -> None:
    wait_until_idle(server, workers=CONNECTIONS)
    pid = server.process.pid
    before = resident_mib(pid)
    connections = [never_reading(server, query, output_format, n) for n in range(CONNECTIONS)]
    try:
        peak = before
        past_limit = time.monotonic() + TIMEOUT + 1.5
        while time.monotonic() < past_limit:
            peak = max(peak, resident_mib(pid))
            time.sleep(0.1)
        assert peak - before < BOUND_MIB, f"{before:.0f} MiB before, {peak:.0f} MiB held"
        for connection in connections:
            received, closed = read_until_closed(connection, seconds=5)
            # Given up at the limit: a small part of the value, no last chunk, connection closed.
            assert len(received) < (VALUE_MIB << 20) // 4
            assert not received.endswith(b"\r\n0\r\n\r\n")
            assert closed
    finally:
        for connection in connections:
            connection.close()
