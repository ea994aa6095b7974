"""Oxigraph itself as the judge: does it parse a query, and does evaluating it call a service?

A TCP listener on 127.0.0.1 counts the connections it receives; queries name it as their
SERVICE. Evaluation runs in this process (which has the loopback network), on a tiny store,
so a SERVICE pattern Oxigraph reads is one it calls.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from tipgraph.namespaces import PREFIXES

EX = "http://example.org/"


@dataclass
class Listener:
    port: int
    connections: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@contextmanager
def listening() -> Iterator[Listener]:
    """A listener recording the first bytes of each connection, closed on leaving."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.05)
    listener = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    listener.connections.append(connection.recv(256))
                except OSError:
                    listener.connections.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        stop.set()
        thread.join()
        server.close()


def small_store() -> ox.Store:
    store = ox.Store()
    node = ox.NamedNode(EX + "s")
    store.add(ox.Quad(node, ox.NamedNode(EX + "p"), ox.Literal("o")))
    return store


def oxigraph_reads(store: ox.Store, query: str) -> bool:
    """Whether Oxigraph parses ``query`` (evaluating it fully, so any SERVICE is called)."""
    try:
        result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError:
        return False
    except Exception:  # an evaluation error: it parsed
        return True
    try:
        if isinstance(result, ox.QueryBoolean):
            bool(result)
        else:
            for _ in result:
                pass
    except Exception:
        pass  # a SERVICE that answered nothing usable, or any other evaluation error
    return True
