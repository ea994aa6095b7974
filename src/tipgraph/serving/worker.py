"""The worker process: evaluates the pool's queries on a read-only store, one at a time.

A request comes pickled by :mod:`pickle` itself (it holds no file descriptor for
multiprocessing's own pickler to pass). Messages to the pool are tagged bytes. A small result
is one message, ``C`` (complete: head, row count, body); a large one is ``H`` (head and first
chunk), ``D`` (data) …, ``F`` (finished, row count), no chunk over CHUNK_BYTES. ``E`` carries
an error (JSON), ``R`` says the worker is ready.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.connection
import os
import pickle
import signal
from typing import Any

from tipgraph import errors
from tipgraph.evaluation import QueryRequest, ResultHead
from tipgraph.query_targets import Prepare, QueryTarget

# The most one message carries: a value pyoxigraph writes in one piece (CSV, TSV and both XML
# formats write a literal whole) is split, so the pool's flow control holds whatever the row.
CHUNK_BYTES = 256 * 1024


class _PipeOutput:
    """A file-like object sending what pyoxigraph writes to the pool, in messages of at most
    CHUNK_BYTES (plus the tag, and the head in the first)."""

    def __init__(self, conn: multiprocessing.connection.Connection, head: ResultHead) -> None:
        self._conn = conn
        self._head = f"{head.kind} {head.media_type.name}".encode()
        self._buffer = bytearray(b"D")  # the tag leads the buffer: no copy to send it
        self.started = False

    def write(self, data: bytes, /) -> int:
        with memoryview(data) as view:
            offset = 0
            while offset < len(view):
                room = CHUNK_BYTES + 1 - len(self._buffer)
                self._buffer += view[offset : offset + room]
                offset += room
                if len(self._buffer) > CHUNK_BYTES:
                    self._send()
        return len(data)

    def flush(self) -> None:
        """Send what is buffered (pyoxigraph flushes at the end; so does :meth:`finish`),
        unless it may still be the whole result, to be sent as one message."""
        if self.started and len(self._buffer) > 1:
            self._send()

    def _send(self) -> None:
        if self.started:
            self._conn.send_bytes(self._buffer)
        else:
            self._conn.send_bytes(b"H" + self._head + b"\n" + self._buffer[1:])
            self.started = True
        del self._buffer[1:]

    def finish(self, rows: int) -> None:
        """Send the end of the result: the last chunk and the row count."""
        if self.started:
            self.flush()
            self._conn.send_bytes(b"F%d" % rows)
        else:
            self._conn.send_bytes(b"C" + self._head + b" %d\n" % rows + self._buffer[1:])
        del self._buffer[1:]


def _send_json(conn: multiprocessing.connection.Connection, tag: bytes, body: object) -> None:
    conn.send_bytes(tag + json.dumps(body).encode())


def error_body(error: errors.QueryError) -> dict[str, Any]:
    return {"type": type(error).__name__, "message": str(error)}


def worker_main(
    target: QueryTarget,
    requests: multiprocessing.connection.Connection,
    conn: multiprocessing.connection.Connection,
) -> None:
    """Answer queries from ``requests`` on ``conn`` until it closes. Runs in a worker process.

    A store on disk is opened read-only by a worker kept off the network (see
    :mod:`tipgraph.sandbox`; a worker that cannot be kept off it does not serve); a SPARQL
    service needs the network, and there the SERVICE check, which reads queries as Oxigraph
    does, keeps queries from other hosts.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _wait_for_turn()
    layers = target.isolate()
    if layers is None:
        message = (
            "the query workers cannot be kept off the network (neither an empty network "
            "namespace nor a seccomp filter could be applied), so a query could reach other "
            "hosts; run tipgraph on Linux 3.17 or later, on x86_64 or aarch64."
        )
        _send_json(conn, b"E", {"type": "StoreError", "message": message})
        return
    try:
        with target.open() as prepare:
            conn.send_bytes(b"R" + ",".join(layers).encode())
            _serve(prepare, requests, conn)
    except errors.StoreError as error:
        _send_json(conn, b"E", {"type": "StoreError", "message": str(error)})


def _wait_for_turn() -> None:
    """Run as a batch task (Linux): woken by each request, a worker preempted the web process
    that woke it, on its core, in the middle of its work for every other connection; as a
    batch task it waits for its turn, and keeps its fair share of the processor. Point lookups
    on two cores: 3,900-5,200 -> 5,750-6,300 a second, interleaved (bench/README.md)."""
    with contextlib.suppress(AttributeError, OSError):  # no SCHED_BATCH: the usual policy
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def _serve(
    prepare: Prepare,
    requests: multiprocessing.connection.Connection,
    conn: multiprocessing.connection.Connection,
) -> None:
    while True:
        try:
            request: QueryRequest = pickle.loads(requests.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            prepared = prepare(request)
            output = _PipeOutput(conn, prepared.head)
            output.finish(prepared.write(output))
        except errors.QueryError as error:
            _send_json(conn, b"E", error_body(error))
        except Exception as error:  # a store or engine failure: not the client's fault
            _send_json(
                conn, b"E", {"type": "WorkerFailed", "message": f"evaluation failed: {error}"}
            )
