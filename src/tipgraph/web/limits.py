"""What one HTTP connection may take: head size, time, and how many connections are open.

uvicorn's httptools protocol, as ``tipgraph serve`` runs it, accepts a request head of any size
(httptools joins a long header value piece by piece, so a 100 MB one held the event loop for
seconds), keeps a connection that sends nothing or half a request open for ever, and counts
connections only once their head is complete (``limit_concurrency``), so idle sockets run the
process out of file descriptors. :class:`LimitedHttpProtocol` bounds each of these:

- the request line and header fields together (414 for a long request line, else 431);
- a connection with no request under way (before its first, between two) is closed after
  ``idle_seconds``, silently, as uvicorn's keep-alive timeout does (RFC 9112 §9.8);
- a head started must be complete within ``head_seconds``, a body within ``body_seconds``
  of its head (408, RFC 9110 §15.5.9), unless the server is the one not reading;
- an answer whose client takes none of it for ``send_seconds`` is dropped with its connection
  (``transport.abort``: a close would wait for the client to read what the server holds);
- past ``max_connections`` open connections, or a client's ``client_connections``, a new one
  is answered 503 or 429 at once and closed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from collections import Counter
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from tipgraph.config import ConnectionLimits
from tipgraph.serving.fairness import client_key
from tipgraph.web.security import security_headers

log = logging.getLogger(__name__)

# Files the server holds besides its connections: the store's, its workers' pipes, logs.
RESERVED_FILES = 256
# Files one connection may hold: its socket and, while it downloads a dump, that file.
FILES_PER_CONNECTION = 2


def serve_capacity(limits: ConnectionLimits) -> int:
    """The connections this process can hold: ``limits.max_connections``, after raising the
    soft limit on open files towards what they need (never past the hard limit)."""
    needed = RESERVED_FILES + FILES_PER_CONNECTION * limits.max_connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        if raised > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft == resource.RLIM_INFINITY:
        return limits.max_connections
    return max(1, min(limits.max_connections, (soft - RESERVED_FILES) // FILES_PER_CONNECTION))


def _networks(addresses: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """The networks of ``--forwarded-allow-ips``; None for ``*`` (every peer is a proxy)."""
    networks = []
    for item in (part.strip() for part in addresses.split(",")):
        if item == "*":
            return None
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue  # a Unix socket's name, as uvicorn allows: no TCP peer has it
    return networks


def protocol_for(limits: ConnectionLimits, capacity: int) -> type[LimitedHttpProtocol]:
    """The protocol class for uvicorn's ``http=``, with its own count of each client's
    connections (``capacity`` is what :func:`serve_capacity` allows)."""

    class Limited(LimitedHttpProtocol):
        pass

    Limited.limits = limits
    Limited.max_connections = capacity
    Limited.proxies = _networks(limits.trusted_proxies)
    Limited.open_by_client = Counter()
    return Limited


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds of the module docstring."""

    limits: ClassVar[ConnectionLimits]
    max_connections: ClassVar[int]
    proxies: ClassVar[list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None]
    open_by_client: ClassVar[Counter[str]]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.timeout_keep_alive = self.limits.idle_seconds
        self.deadline: asyncio.TimerHandle | None = None
        self.stalled: asyncio.TimerHandle | None = None  # the client takes none of the answer
        self.reading_head = True  # the next bytes belong to a request's line and header fields
        self.head_bytes = 0
        self.request_line_done = False
        self.counted_as: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = self.client[0] if self.client else ""
        if len(self.connections) > self.max_connections:
            message = "the server has too many connections open; retry in a few seconds."
            self.refuse(503, message, retry_after=2)
            self.transport.close()
            return
        if self.limits.client_connections and not self.is_proxy(peer):
            key = client_key(peer)
            if self.open_by_client[key] >= self.limits.client_connections:
                self.refuse(
                    429,
                    f"this client already has {self.limits.client_connections} connections "
                    "open; reuse them (keep-alive) instead of opening more.",
                    retry_after=1,
                )
                self.transport.close()
                return
            self.open_by_client[key] += 1
            self.counted_as = key
        self.timeout_keep_alive_task = self.loop.call_later(
            self.limits.idle_seconds, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_deadline()
        if self.stalled is not None:
            self.stalled.cancel()
            self.stalled = None
        if self.counted_as is not None:
            self.open_by_client[self.counted_as] -= 1
            if self.open_by_client[self.counted_as] <= 0:
                del self.open_by_client[self.counted_as]
            self.counted_as = None
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        """The connection's buffer is full: the client has stopped reading. Past the send
        limit it is dropped, with what it holds: ``close`` would wait for the client first."""
        super().pause_writing()
        if self.stalled is None:
            self.stalled = self.loop.call_later(self.limits.send_seconds, self.send_stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.stalled is not None:
            self.stalled.cancel()
            self.stalled = None

    def send_stalled(self) -> None:
        self.stalled = None
        log.debug("dropping a connection from %s: it took none of its answer", self.client)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app hears http.disconnect and stops its query
            self.cycle.message_event.set()
        self.transport.abort()

    def is_proxy(self, peer: str) -> bool:
        if self.proxies is None:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if self.reading_head:
            data = self.receive_head(data)
        if data:
            super().data_received(data)

    def receive_head(self, data: bytes) -> bytes:
        """Parse what of ``data`` fits in the head limit; what is left once the head ended in
        it (b"" when the head is too large: then it is refused)."""
        if self.deadline is None:
            self.deadline = self.loop.call_later(self.limits.head_seconds, self.head_too_slow)
        room = self.limits.max_head_bytes - self.head_bytes
        head, rest = data[:room], data[room:]
        self.head_bytes += len(head)
        self.request_line_done = self.request_line_done or b"\n" in head
        super().data_received(head)
        if not rest or self.transport.is_closing():
            return b""
        if self.reading_head:  # the limit passed with no end of the head
            self.refuse_large_head()
            return b""
        return rest

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.deadline is None:  # a request begins in bytes that ended the one before
            self.deadline = self.loop.call_later(self.limits.head_seconds, self.head_too_slow)

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.cancel_deadline()
        self.deadline = self.loop.call_later(self.limits.body_seconds, self.body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.cancel_deadline()
        self.reading_head, self.head_bytes, self.request_line_done = True, 0, False

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.reading_head and self.deadline is not None and self.timeout_keep_alive_task:
            # The next request has begun: its head deadline applies, not the idle one.
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

    def cancel_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def server_is_busy(self) -> bool:
        """Whether this connection waits on the server (an earlier answer still being sent,
        or a body it has not read yet), so a slow client is not to blame."""
        answering = self.cycle is not None and not self.cycle.response_complete
        return self.flow.read_paused or (self.reading_head and answering)

    def head_too_slow(self) -> None:
        self.deadline = None
        if self.server_is_busy():
            self.deadline = self.loop.call_later(self.limits.head_seconds, self.head_too_slow)
            return
        seconds = f"{self.limits.head_seconds:g}"
        self.give_up(f"the request header did not arrive within {seconds} s; send it at once.")

    def body_too_slow(self) -> None:
        self.deadline = None
        if self.server_is_busy():
            self.deadline = self.loop.call_later(self.limits.body_seconds, self.body_too_slow)
            return
        seconds = f"{self.limits.body_seconds:g}"
        self.give_up(f"the request body did not arrive within {seconds} s; send it at once.")

    def refuse_large_head(self) -> None:
        limit = self.limits.max_head_bytes
        if self.request_line_done:
            self.give_up(f"the request header fields are longer than {limit} bytes.", 431)
        else:
            self.give_up(
                f"the request line is longer than {limit} bytes; send a long query with POST.",
                414,
            )

    def give_up(self, message: str, status: int = 408) -> None:
        """Answer ``status`` (unless an answer has begun) and close: the request is dropped."""
        if self.transport.is_closing():
            return
        log.debug("closing a connection from %s: %s", self.client, message)
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            self.refuse(status, message)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app hears http.disconnect, its answer is dropped
            self.cycle.message_event.set()
        self.transport.close()

    def refuse(self, status: int, message: str, retry_after: int | None = None) -> None:
        """Write a plain-text answer that closes the connection."""
        body = message.encode()
        headers = [
            *self.server_state.default_headers,
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *((name.encode(), value.encode()) for name, value in security_headers("").items()),
        ]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        lines = [STATUS_LINE[status], *(name + b": " + value + b"\r\n" for name, value in headers)]
        self.transport.write(b"".join([*lines, b"\r\n", body]))
