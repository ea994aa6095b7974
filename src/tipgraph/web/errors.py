"""One place that turns tipgraph errors into HTTP answers: status, plain-text message."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from tipgraph.errors import (
    EndpointBusy,
    QueryError,
    QueryOutOfMemory,
    QueryPreempted,
    QueryTimeout,
    TipgraphError,
    TooManyRequests,
    WorkerFailed,
)
from tipgraph.web.protocol import ProtocolError
from tipgraph.web.security import security_headers

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "2"
NO_STORE = {"Cache-Control": "no-store"}
# The failures (5xx) whose message tipgraph writes for clients. Any other failure's words (an
# engine's error, a SPARQL service's URL or answer, what a SERVICE target sent back) go to
# the server's log only (issue 13, finding 6).
PUBLIC_FAILURES = (QueryTimeout, EndpointBusy, QueryOutOfMemory, QueryPreempted)
NOT_EVALUATED = (
    "the query could not be evaluated: the store, or the SPARQL service behind it, failed (the "
    "server's log says how); retry in a few seconds."
)


def error_response(error: TipgraphError) -> PlainTextResponse:
    """The answer to ``error``: its status and message; never a traceback or a local path."""
    status = 500
    if isinstance(error, ProtocolError | QueryError):
        status = error.status
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, EndpointBusy | QueryPreempted):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    elif isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    return PlainTextResponse(f"{_public(error, status)}\n", status_code=status, headers=headers)


def _public(error: TipgraphError, status: int) -> str:
    """What a client is told of ``error``: its message, unless it is a failure's own words."""
    public = isinstance(error, PUBLIC_FAILURES) or (
        isinstance(error, WorkerFailed) and str(error) in WorkerFailed.PUBLIC
    )
    if status < 500 or public:
        return str(error)
    log.warning("a request failed: %s", error)
    return NOT_EVALUATED if isinstance(error, QueryError) else "internal error"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every TipgraphError raised by a route with :func:`error_response`."""

    async def handle(request: Request, error: Exception) -> PlainTextResponse:
        assert isinstance(error, TipgraphError)
        return error_response(error)

    app.add_exception_handler(TipgraphError, handle)

    async def invalid(request: Request, error: Exception) -> PlainTextResponse:
        assert isinstance(error, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        return PlainTextResponse(f"{problems}\n", status_code=400, headers=NO_STORE)

    app.add_exception_handler(RequestValidationError, invalid)

    async def http_error(request: Request, error: Exception) -> Response:
        """Starlette's own errors (405 and the like) as plain text, as every other error."""
        assert isinstance(error, HTTPException)
        message = str(error.detail).rstrip(".").lower()
        if error.status_code == 405:
            message = f"{request.method} is not allowed here; this server is read-only"
        headers = {**(error.headers or {}), **NO_STORE}
        if error.status_code in (204, 304):  # no body may follow
            return Response(status_code=error.status_code, headers=headers)
        return PlainTextResponse(f"{message}.\n", status_code=error.status_code, headers=headers)

    app.add_exception_handler(HTTPException, http_error)

    async def internal(request: Request, error: Exception) -> Response:
        return internal_error_response(request, error)

    app.add_exception_handler(Exception, internal)


def internal_error_response(request: Request, error: Exception) -> PlainTextResponse:
    """A bug: logged here in full, answered with nothing a client could learn from. The answer
    carries the security headers: FastAPI sends it from outside every middleware."""
    log.error("internal error answering %s", request.url.path, exc_info=error)
    headers = security_headers("text/plain") | NO_STORE
    return PlainTextResponse("internal error\n", status_code=500, headers=headers)
