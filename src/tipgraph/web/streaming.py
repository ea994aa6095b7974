"""Sending a result from the worker pool to the client: buffered when small, else streamed."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tipgraph.pool import RunningQuery


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

    Once the 200 status is sent an error can only abort the connection, so clients see an
    incomplete response rather than a silently truncated one.
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
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            if scope["method"] != "HEAD":
                for chunk in self._first:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self._first = []
                async for chunk in self._running.chunks():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self._running.cancel()
            self._watcher.stop()


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
