"""The busiest request answered without the middleware stack: a SPARQL query by GET.

A point lookup's own work in the web process is small next to what FastAPI's middleware and
router add to every request (about 70 µs of a lookup's 220, bench/README.md). A GET of
``/sparql`` sent without an ``Origin`` header (a SPARQL client, a script, a browser on this
site) goes straight to the endpoint's handler, with the same error answers and security
headers the stack would give. A request with ``Origin`` (a page of another site) takes the
whole stack, so CORS is answered by one middleware only; so does every other request. A test
holds the two ways to the same answers, headers included.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from tipgraph.errors import TipgraphError
from tipgraph.web.errors import error_response, internal_error_response
from tipgraph.web.security import with_security_headers
from tipgraph.web.sparql_endpoint import sparql


class TipgraphApp(FastAPI):
    """FastAPI, with GET ``/sparql`` (no ``Origin``) answered in the fast lane above."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _in_fast_lane(scope, self.root_path):
            await super().__call__(scope, receive, send)
            return
        if self.root_path:  # as FastAPI and Starlette set them: links are built from these
            scope["root_path"] = self.root_path
        scope["app"] = self
        scope["router"] = self.router
        request = Request(scope, receive)
        try:
            response: Response = await sparql(request)
        except TipgraphError as error:
            response = error_response(error)
        except Exception as error:  # a bug: as the stack's last handler answers it
            response = internal_error_response(request, error)
        await response(scope, receive, _varying_by_origin(with_security_headers(send)))


def _varying_by_origin(send: Send) -> Send:
    """``send``, adding ``Origin`` to the response's Vary, as CORSMiddleware does to every
    answer it passes: the same request with Origin is answered with CORS headers."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        await send(message)

    return sending


def _in_fast_lane(scope: Scope, root_path: str) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    path = scope["path"]
    if path != "/sparql" and path != root_path + "/sparql":
        return False
    return not any(name == b"origin" for name, _ in scope["headers"])
