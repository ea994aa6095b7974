"""Sending a result from the worker pool to the client: buffered when small, else streamed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tipgraph.errors import TipgraphError
from tipgraph.serving.pool import RunningQuery

log = logging.getLogger(__name__)

# The most handed to the server at once: a client that stops reading leaves at most about this
# much (and the server's high-water mark, 64 KiB) in its connection's buffer.
SEND_BYTES = 64 * 1024


class DisconnectWatcher:
    """Stops a query when its client goes away.

    Most queries answer within milliseconds, so watching starts only after a short delay:
    a task per request would cost more than the query.
    """

    DELAY = 0.02

    def __init__(self, receive: Receive, running: RunningQuery) -> None:
        self._receive, self._running = receive, running
        self._task: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(self.DELAY, self._start)

    def _start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:  # the request body was read before: the next message is the disconnect
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self._running.cancel()
                return

    def stop(self) -> None:
        self._timer.cancel()
        if self._task is not None:
            self._task.cancel()


class StreamedResult(Response):
    """A result too large to buffer: sent as it is written, the query stopped if it fails.

    Once the 200 status is sent an error can only end the response without its last chunk
    (the server then closes the connection), so clients see an incomplete response rather than
    a silently truncated one. The query's time limit covers the sending too: an answer its
    client has not taken by then is given up, with what it held.
    """

    def __init__(
        self,
        running: RunningQuery,
        first: list[bytes | memoryview],
        watcher: DisconnectWatcher,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Streamed with chunked transfer coding: the length is not known in advance.
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self._running, self._first, self._watcher = running, first, watcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with asyncio.timeout_at(self._running.deadline) as limit:
                await self._send(scope, send)
        except TimeoutError:
            if not limit.expired():
                raise
            seconds = self._running.pool.settings.timeout
            log.info("gave up an answer its client did not take within the %g s limit", seconds)
        except TipgraphError as error:  # expected (a limit, a client gone): no traceback
            log.info("stopped a streamed answer: %s", error)
        finally:
            self._first = []
            self._running.cancel()
            self._watcher.stop()

    async def _send(self, scope: Scope, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if scope["method"] != "HEAD":
            for chunk in self._first:
                await _send_body(send, chunk)
            self._first = []
            async for chunk in self._running.chunks():
                await _send_body(send, chunk)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_body(send: Send, chunk: bytes | memoryview) -> None:
    """Send ``chunk`` in pieces of SEND_BYTES (the server waits for a slow client between)."""
    view = memoryview(chunk)
    for start in range(0, len(view), SEND_BYTES):
        piece = view[start : start + SEND_BYTES]
        await send({"type": "http.response.body", "body": piece, "more_body": True})


async def collect(running: RunningQuery, limit: int) -> tuple[list[bytes | memoryview], bool]:
    """Chunks up to ``limit`` bytes, and whether that was the whole result."""
    chunks: list[bytes | memoryview] = []
    size = 0
    async for chunk in running.chunks():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return chunks, running.complete and not running.pending
