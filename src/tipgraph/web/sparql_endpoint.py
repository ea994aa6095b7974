"""The read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` (query operation only)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tipgraph.config import EndpointSettings
from tipgraph.errors import NotAcceptable, TipgraphError
from tipgraph.evaluation import QueryRequest
from tipgraph.namespaces import PREFIXES
from tipgraph.service import service_description
from tipgraph.sparql import (
    MEDIA_TYPES,
    ResultKind,
    media_types_for,
    negotiate,
    prefers_html,
    refuse_federated,
)
from tipgraph.store.location import StoreVersion
from tipgraph.web.errors import error_response
from tipgraph.web.protocol import ProtocolError, read_protocol_request
from tipgraph.workers import QueryPool, RunningQuery

EXAMPLE_QUERY = """SELECT ?indicator ?label (COUNT(?observation) AS ?observations)
WHERE {
  ?observation tip:indicator ?indicator .
  ?indicator skos:prefLabel ?label .
  FILTER(LANG(?label) = "en")
}
GROUP BY ?indicator ?label
ORDER BY DESC(?observations)"""

QUERY_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": (
            "A SPARQL 1.1 query. Without it, GET answers the service description "
            "(browsers get the query page)."
        ),
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs forming the default graph (replaces FROM).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs available to GRAPH (replaces FROM NAMED).",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": (
            "Result format overriding Accept: json, xml, csv, tsv, ttl, nt, jsonld, rdf, nq, "
            "trig or a media type."
        ),
    },
]
RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "description": "The result, in the negotiated format.",
        "content": {m.name: {} for m in MEDIA_TYPES},
    },
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    400: {
        "description": "Malformed query, SERVICE refused, too many rows, or bad parameters.",
        "content": {"text/plain": {}},
    },
    403: {
        "description": "SPARQL Update is refused: the endpoint is read-only.",
        "content": {"text/plain": {}},
    },
    406: {
        "description": "No acceptable format for this kind of result.",
        "content": {"text/plain": {}},
    },
    413: {"description": "Request body too large.", "content": {"text/plain": {}}},
    415: {"description": "POST body of an unsupported media type.", "content": {"text/plain": {}}},
    503: {
        "description": "Time limit exceeded, or busy (see Retry-After).",
        "content": {"text/plain": {}},
    },
}


POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        "application/sparql-query": {"schema": {"type": "string"}},
    },
}


def _etag(version: StoreVersion, request: QueryRequest, accept: str | None) -> str:
    digest = hashlib.sha256(
        "\0".join(
            [
                version.manifest.version,
                request.query,
                accept or "",
                request.format or "",
                "\1".join(request.default_graphs),
                "\1".join(request.named_graphs),
                str(request.max_rows),
            ]
        ).encode()
    )
    return f'"{digest.hexdigest()[:32]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


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
        self, running: RunningQuery, first: list[bytes], watcher: DisconnectWatcher, **kwargs: Any
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


async def _collect(running: RunningQuery, limit: int) -> tuple[list[bytes], bool]:
    """Chunks up to ``limit`` bytes, and whether that was the whole result."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in running.chunks():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return chunks, running.finished and not running.pending


def _query_page(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    prologue = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    html = templates.get_template("query.html").render(
        prologue=prologue, example=EXAMPLE_QUERY, endpoint=str(request.url_for("sparql"))
    )
    return HTMLResponse(html)


def _service_description(request: Request) -> Response:
    offered = media_types_for(ResultKind.GRAPH)
    media = negotiate(request.headers.get("accept"), offered)
    if media is None:
        raise NotAcceptable(
            "the service description is RDF; accept text/turtle or another RDF type."
        )
    version: StoreVersion = request.app.state.store_version
    body = service_description(str(request.url_for("sparql")), version.manifest, media)
    return Response(body, media_type=media.content_type, headers={"Vary": "Accept"})


async def sparql(request: Request) -> Response:
    """Answer a SPARQL query (GET ?query=, POST form, POST application/sparql-query)."""
    settings: EndpointSettings = request.app.state.endpoint_settings
    protocol = await read_protocol_request(request, settings.max_query_bytes)
    accept = request.headers.get("accept")
    if protocol.query is None:
        if request.method != "POST" and prefers_html(accept):
            return _query_page(request)
        if request.method == "POST":
            return error_response(_missing_query())
        return _service_description(request)
    refuse_federated(protocol.query)
    if protocol.format is None and negotiate(accept, MEDIA_TYPES) is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is a SPARQL results or RDF format; accept "
            "application/sparql-results+json, text/csv, text/turtle or another listed in /sparql."
        )
    query = QueryRequest(
        query=protocol.query,
        accept=accept,
        format=protocol.format,
        default_graphs=protocol.default_graphs,
        named_graphs=protocol.named_graphs,
        max_rows=settings.max_rows,
    )
    version: StoreVersion = request.app.state.store_version
    etag = _etag(version, query, accept)
    cache_headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.cache_seconds}",
        "Vary": "Accept",
    }
    if request.method != "POST" and _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=cache_headers)
    pool: QueryPool = request.app.state.pool
    running = pool.submit(query)
    watcher = DisconnectWatcher(request.receive, running)
    try:
        head = await running.head()
        chunks, complete = await _collect(running, settings.buffer_bytes)
    except BaseException:
        running.cancel()
        watcher.stop()
        raise
    media_type = head.media_type.content_type
    if complete:
        watcher.stop()
        return Response(b"".join(chunks), media_type=media_type, headers=cache_headers)
    return StreamedResult(running, chunks, watcher, media_type=media_type, headers=cache_headers)


def _missing_query() -> TipgraphError:
    return ProtocolError(
        400, "no query: give the query parameter (or an application/sparql-query body)."
    )


def _operation(operation_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": "SPARQL 1.1 query (read-only)",
        "parameters": QUERY_PARAMETERS,
        "responses": {str(status): response for status, response in RESPONSES.items()},
        **extra,
    }


# /sparql is a plain Starlette route: FastAPI's parameter machinery would cost more than a
# point lookup, and the protocol is parsed strictly by hand anyway. Its OpenAPI entry is this.
OPENAPI_PATH = {
    "get": _operation("query_get"),
    "post": _operation("query_post", requestBody=POST_BODY),
}
ROUTE = Route("/sparql", sparql, methods=["GET", "HEAD", "POST"], name="sparql")
