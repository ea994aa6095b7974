"""One SPARQL service over HTTP: its URLs and credentials, and every failure in one sentence.

Credentials come in a URL's userinfo (``http://user:password@host/…``) and answer the server's
challenge (see :class:`ChallengeAuth`). Messages name URLs without their credentials.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Self

import httpx

from tipgraph.errors import StoreError
from tipgraph.store.remote.auth import ChallengeAuth, split_credentials

TIMEOUT = 60.0  # seconds without an answer (connecting, or between two reads)
# For loads: Virtuoso takes seconds to replace a graph of 10,000 triples, minutes for 100,000.
LOAD_TIMEOUT = 900.0


class Connection:
    """An HTTP client of one SPARQL service: use as a context manager, or :meth:`close` it."""

    def __init__(
        self,
        query_url: str,
        graph_store_url: str | None = None,
        *,
        timeout: float = TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        query_seconds: float | None = None,
    ) -> None:
        self.query_url, query_user, query_password = split_credentials(query_url)
        self._query_auth = _auth(query_user, query_password)
        self.query_user = query_user
        self.graph_store_url: str | None = None
        self.graph_store_user: str | None = None
        self._store_auth: httpx.Auth | None = None
        if graph_store_url:
            self.graph_store_url, user, password = split_credentials(graph_store_url)
            self.graph_store_user = user
            self._store_auth = _auth(user, password)
        self.timeout = timeout
        self.query_seconds = query_seconds
        self.server: str | None = None  # the Server header it answers with, once seen
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"User-Agent": "tipgraph"},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @contextlib.contextmanager
    def _send(
        self,
        request: httpx.Request,
        auth: httpx.Auth | None,
        user: str | None,
        what: str,
    ) -> Iterator[httpx.Response]:
        """Send ``request`` (streamed answer); every failure a StoreError in one sentence."""
        shown = f"{request.url.copy_with(query=None)}"
        try:
            response = self._client.send(request, auth=auth, stream=True)
        except httpx.ConnectError as error:
            raise StoreError(
                f"cannot reach the SPARQL service at {shown} ({_reason(error)}); is it running, "
                "and is the --store URL right?"
            ) from None
        except httpx.TimeoutException:
            raise StoreError(
                f"the SPARQL service at {shown} did not answer {what} within {self.timeout:g} s."
            ) from None
        except httpx.HTTPError as error:
            raise StoreError(f"{what} at {shown} failed: {_reason(error)}.") from None
        if not self.server:
            self.server = response.headers.get("server", "")
        try:
            if response.status_code in (401, 403):
                raise StoreError(_refusal(response.status_code, shown, user, what))
            yield response
        except httpx.TimeoutException:
            raise StoreError(
                f"the SPARQL service at {shown} stopped answering {what} "
                f"(nothing for {self.timeout:g} s)."
            ) from None
        except httpx.HTTPError as error:
            raise StoreError(f"{what} at {shown} failed: {_reason(error)}.") from None
        finally:
            response.close()

    def _failed(self, response: httpx.Response, what: str) -> StoreError:
        shown = f"{response.request.url.copy_with(query=None)}"
        message = server_message(response)
        hint = ""
        if response.status_code in (404, 405, 415):
            option = "--store" if shown == self.query_url else "--graph-store"
            hint = (
                f"; is {option} right? (Oxigraph: http://host:7878/query and …/store, "
                "Virtuoso: http://host:8890/sparql and …/sparql-graph-crud-auth)"
            )
        return StoreError(
            f"{shown} answered {what} with HTTP {response.status_code}"
            + (f" ({message})" if message else "")
            + (hint or ".")
        )

    # --- the SPARQL 1.1 Protocol ------------------------------------------------------------


def server_message(response: httpx.Response) -> str:
    """The server's own words about a failure, in one line: no markup, no echoed query."""
    try:
        text = response.read().decode("utf-8", "replace")
    except httpx.HTTPError:
        return ""
    text = text.split("SPARQL query:")[0]  # Virtuoso repeats the whole query
    text = re.sub(r"<(script|style|title)\b.*?</\1>", " ", text, flags=re.DOTALL | re.I)
    text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text[:500]


def _auth(user: str | None, password: str | None) -> httpx.Auth | None:
    return ChallengeAuth(user, password or "") if user is not None else None


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text.split("\n")[0]


def _refusal(status: int, shown: str, user: str | None, what: str) -> str:
    if status == 401 and user is None:
        return (
            f"{shown} asks for credentials for {what} (401 Unauthorized); put them in the URL: "
            "http://user:password@host/…"
        )
    if status == 401:
        return f"{shown} refused the password of user {user!r} for {what} (401 Unauthorized)."
    who = f"user {user!r}" if user else "anonymous clients"
    hint = ""
    if shown.endswith("/sparql-graph-crud"):
        hint = (
            "; Virtuoso lets only authenticated users write: use …/sparql-graph-crud-auth with "
            "http://user:password@… in --graph-store (or in the --store URL)"
        )
    return f"{shown} forbids {what} to {who} (403 Forbidden){hint}."
