"""What one HTTP connection may take (tipgraph.web.limits), with raw sockets on real servers:
heads too large, clients too slow or idle, too many connections. The limits are small here
(4 KiB, 1 s, 8 connections); README's rows show the defaults."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from tipgraph.web.limits import FILES_PER_CONNECTION, RESERVED_FILES

from ..helpers.documented import documented
from ..helpers.servers import LiveServer, start_server, stop_server
from .test_live_server import RUNAWAY

WAIT = 15.0  # seconds a socket waits for the server: far beyond every limit under test
TIMEOUTS = ("--idle-timeout", "1", "--header-timeout", "1", "--body-timeout", "1")
CONNECTIONS = 8
CLIENT_CONNECTIONS = 3


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[LiveServer]:
    """1 s to send a head or a body, 1 s idle, 4 KiB of head; 3 s per query."""
    live = start_server(
        store_dir, "--workers", "1", "--timeout", "3", "--max-header-kb", "4", *TIMEOUTS
    )
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def crowded(store_dir: Path) -> Iterator[LiveServer]:
    """8 connections at most, 3 per client; loopback is no proxy here, so each 127.0.0.x is
    a client. Started with a low limit on open files, which it raises for its connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = RESERVED_FILES  # lower than the connections need, and than this process uses?
    if len(os.listdir("/proc/self/fd")) < low // 2:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, low), hard))
    try:
        live = start_server(
            store_dir,
            "--workers",
            "1",
            "--max-connections",
            str(CONNECTIONS),
            "--client-connections",
            str(CLIENT_CONNECTIONS),
            "--forwarded-allow-ips",
            "10.0.0.1",
            "--idle-timeout",
            "30",
        )
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    yield live
    stop_server(live)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Connection:
    """A raw client connection, from ``source`` (any 127.0.0.x is this machine)."""

    socket: socket.socket
    stream: BinaryIO

    @classmethod
    def open(cls, server: LiveServer, source: str = "127.0.0.1") -> Connection:
        host, port = server.url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)), WAIT, (source, 0))
        return cls(sock, sock.makefile("rb"))

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def answer(self) -> Answer | None:
        """The next answer; None when the server closed the connection without one."""
        try:
            line = self.stream.readline()
        except ConnectionResetError:
            return None
        if not line:
            return None
        headers = {}
        while (header := self.stream.readline()) not in (b"\r\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.stream.read(int(headers.get("content-length", "0")))
        return Answer(int(line.split()[1]), headers, body.decode())

    def close(self) -> None:
        self.stream.close()
        self.socket.close()


@contextlib.contextmanager
def connection(server: LiveServer, source: str = "127.0.0.1") -> Iterator[Connection]:
    opened = Connection.open(server, source)
    try:
        yield opened
    finally:
        opened.close()


def health(path: str = "/health") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: tipgraph\r\n\r\n".encode()


def served(connection: Connection) -> bool:
    connection.send(health())
    answer = connection.answer()
    return answer is not None and answer.status == 200


def test_a_huge_header_is_refused_at_once_and_others_are_served(server: LiveServer) -> None:
    refused: list[Answer | None] = []

    def send_a_huge_header() -> None:
        with connection(server) as attacker:
            with contextlib.suppress(OSError):  # the server stops reading: a reset
                attacker.send(b"GET /health HTTP/1.1\r\nHost: tipgraph\r\nX-Huge: ")
                for _ in range(256):  # 64 MiB
                    attacker.send(b"a" * (256 << 10))
            refused.append(attacker.answer())

    sender = threading.Thread(target=send_a_huge_header)
    sender.start()
    with connection(server, "127.0.0.2") as other:
        assert served(other)
    sender.join(timeout=60)
    assert not sender.is_alive()
    answer = refused[0]
    assert answer is not None and answer.headers["connection"] == "close"
    documented("a huge header (over 64 KiB)", answer.status, answer.body)
    # A header under the limit is read as before.
    with connection(server) as client:
        client.send(b"GET /health HTTP/1.1\r\nHost: tipgraph\r\nX-Big: %s\r\n\r\n" % (b"a" * 3000))
        answer = client.answer()
        assert answer is not None and answer.status == 200


def test_a_long_request_line(server: LiveServer) -> None:
    with connection(server) as client:
        client.send(health("/sparql?query=" + "a" * 5000))
        answer = client.answer()
        assert answer is not None
        documented("a huge request line (a GET query over 64 KiB)", answer.status, answer.body)
        assert client.answer() is None  # and the connection is closed


def test_a_connection_that_sends_nothing_is_closed(server: LiveServer) -> None:
    with connection(server) as idle:
        assert idle.answer() is None  # closed, nothing sent (a timeout would raise)
    with connection(server) as idle:
        assert served(idle)
        assert idle.answer() is None
        documented("a connection idle for 5 s", "closed", "")


def test_a_header_sent_slowly_is_cut_off(server: LiveServer) -> None:
    with connection(server) as slow:
        stop = threading.Event()

        def trickle() -> None:  # a slowloris: a header line every 0.2 s, never the end
            with contextlib.suppress(OSError):
                slow.send(b"GET /health HTTP/1.1\r\nHost: tipgraph\r\n")
                while not stop.wait(0.2):
                    slow.send(b"X-Slow: 1\r\n")

        sender = threading.Thread(target=trickle)
        sender.start()
        try:
            answer = slow.answer()
        finally:
            stop.set()
            sender.join()
        assert answer is not None and answer.headers["connection"] == "close"
        documented(
            "a request header not complete within 10 s (slowloris)", answer.status, answer.body
        )
        assert slow.answer() is None


def test_a_body_sent_slowly_is_cut_off(server: LiveServer) -> None:
    with connection(server) as slow:
        slow.send(
            b"POST /sparql HTTP/1.1\r\nHost: tipgraph\r\nContent-Type: application/sparql-query"
            b"\r\nContent-Length: 100\r\n\r\nASK"
        )
        answer = slow.answer()
        assert answer is not None
        documented("a request body not complete within 30 s", answer.status, answer.body)
        assert slow.answer() is None


def test_a_large_body_sent_at_once_is_read(server: LiveServer) -> None:
    body = b"ASK {}" + b" " * (512 << 10)  # more than the server reads before the app does
    with connection(server) as client:
        client.send(
            b"POST /sparql HTTP/1.1\r\nHost: tipgraph\r\nContent-Type: application/sparql-query"
            b"\r\nAccept: text/csv\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        client.send(body)
        answer = client.answer()
        assert answer is not None and answer.status == 200


def test_a_slow_answer_is_never_the_clients_fault(server: LiveServer) -> None:
    """A query outlasting every limit is answered; a request begun behind it waits for it."""
    query = httpx.QueryParams({"query": RUNAWAY})
    with connection(server, "127.0.0.3") as client:
        client.send(health(f"/sparql?{query}"))
        time.sleep(0.5)
        client.send(b"GET /health HTTP/1.1\r\n")  # and never the rest
        first = client.answer()
        assert first is not None and first.status == 503  # the 3 s limit on queries
        second = client.answer()
        assert second is not None and second.status == 408
        assert client.answer() is None


def test_a_client_with_too_many_connections(crowded: LiveServer) -> None:
    with contextlib.ExitStack() as held:
        mine = [held.enter_context(connection(crowded, "127.0.0.2")) for _ in range(3)]
        assert all(served(each) for each in mine)
        with connection(crowded, "127.0.0.2") as one_more:
            answer = one_more.answer()  # before any request: refused as it connects
            assert answer is not None and answer.headers["retry-after"] == "1"
            documented(
                "a client with 32 connections open opens another", answer.status, answer.body
            )
        with connection(crowded, "127.0.0.3") as another_client:
            assert served(another_client)
        assert all(served(each) for each in mine)


def test_connections_beyond_the_limit(crowded: LiveServer) -> None:
    with contextlib.ExitStack() as held:
        kept: list[Connection] = []
        refusal = None
        for n in range(3 * CONNECTIONS):  # two from each client: under its share of 3
            opened = held.enter_context(connection(crowded, f"127.0.1.{n // 2 + 1}"))
            opened.send(health())
            answer = opened.answer()
            assert answer is not None
            if answer.status != 200:
                refusal = answer
                break
            kept.append(opened)
        assert refusal is not None and 1 <= len(kept) <= CONNECTIONS
        assert refusal.headers["retry-after"] == "2"
        documented("more than 1024 connections open", refusal.status, refusal.body)
        assert all(served(each) for each in kept)  # those open are served
    deadline = time.monotonic() + WAIT
    while True:  # once they are closed, a new client is served
        with connection(crowded, "127.0.2.1") as later:
            if served(later):
                break
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_the_file_limit_is_raised_for_the_connections(crowded: LiveServer) -> None:
    needed = RESERVED_FILES + FILES_PER_CONNECTION * CONNECTIONS
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < needed:
        pytest.skip("the hard limit on open files is below what 8 connections need")
    limits = Path(f"/proc/{crowded.process.pid}/limits").read_text(encoding="utf-8")
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    assert int(line.split()[3]) >= needed  # it started with fewer (the fixture lowered them)


CAPACITY = """
import resource
from tipgraph.config import ConnectionLimits
from tipgraph.web.limits import serve_capacity
print(serve_capacity(ConnectionLimits(max_connections=1024)))
print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
"""


@pytest.mark.parametrize("hard", [512, 4096])
def test_connections_fit_in_the_limit_on_open_files(hard: int) -> None:
    """Each connection may hold a socket and a file; the server keeps some for itself."""
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < hard:
        pytest.skip(f"the hard limit on open files is below {hard}")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))

    shown = subprocess.run(
        [sys.executable, "-c", CAPACITY],
        preexec_fn=limited,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if hard == 512:  # cannot be raised: fewer connections
        assert shown == [str((512 - RESERVED_FILES) // FILES_PER_CONNECTION), "512"]
    else:
        assert shown == ["1024", str(RESERVED_FILES + FILES_PER_CONNECTION * 1024)]


@pytest.fixture(scope="module")
def patient(store_dir: Path) -> Iterator[LiveServer]:
    """30 s per query, but 1 s for a client that takes none of its answer."""
    live = start_server(store_dir, "--workers", "1", "--timeout", "30", "--send-timeout", "1")
    yield live
    stop_server(live)


def test_a_client_that_takes_none_of_its_answer_is_dropped(patient: LiveServer) -> None:
    """Issue 13, finding 3: the connection, and what the server holds for it, go at the send
    limit; before, they stayed until the client went, however long."""
    from .test_streaming import BIG_ROW

    port = int(patient.url.rsplit(":", 1)[1])
    with socket.socket() as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", port))
        target = "/sparql?" + urllib.parse.urlencode({"query": BIG_ROW, "format": "csv"})
        stalled.sendall(f"GET {target} HTTP/1.1\r\nHost: tipgraph\r\n\r\n".encode())
        time.sleep(4)  # the answer fills the buffers, then the client takes nothing for 1 s
        stalled.settimeout(WAIT)  # far less than the 30 s query limit
        received = 0
        with contextlib.suppress(ConnectionResetError):
            while chunk := stalled.recv(1 << 16):
                received += len(chunk)
    assert received < 4 << 20  # what the buffers held: cut off, not the 41 MB answer
    documented("a client that takes none of its answer for 30 s", "closed", "")
    with connection(patient) as other:
        assert served(other)
