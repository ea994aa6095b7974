"""A SPARQL 1.1 service as the store: queries by the SPARQL 1.1 Protocol, whole graphs by the
Graph Store HTTP Protocol, and the load's manifest kept in the service itself.

Layouts tipgraph knows (see :func:`tipgraph.config.default_graph_store`)::

    Oxigraph   http://host:7878/query   Graph Store at /store
    Virtuoso   http://host:8890/sparql  Graph Store at /sparql-graph-crud(-auth)

Credentials come in a URL's userinfo (``http://user:password@host/…``) and answer the
server's challenge, HTTP Basic or Digest (Virtuoso's ``-auth`` endpoints ask for Digest).
Messages name URLs without their credentials.

Answers are read in the formats every server tested writes faithfully: query solutions as
SPARQL XML (streamed), graphs as Turtle (Virtuoso's N-Triples and JSON lose the lexical form
of some literals, e.g. ``"P1Y"^^xsd:duration`` becomes ``"12"``; its Turtle keeps it).

A query cut off on tipgraph's side (its time limit, or its client gone) is not cut off on the
service's: the service goes on evaluating it until it would write. So a store given
``query_seconds`` asks the service to hold each query to that limit itself, where the service
takes one with the query (told by its ``Server`` header, read once): Virtuoso a ``timeout``
in milliseconds, Fuseki a ``timeout`` in seconds. Virtuoso answers a query it stopped with the
rows found so far and ``X-SQL-State: S1TAT``; that is a timeout here, never an answer. The
Oxigraph server takes no limit with a query: start it with its own (``oxigraph serve
--timeout-s``), no longer than tipgraph's ``--timeout``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import gzip
import hashlib
import io
import json
import logging
import re
import secrets
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Generator, Iterable, Iterator, Mapping
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from tipgraph.config import RemoteConfig
from tipgraph.errors import QuerySyntaxError, QueryTimeout, StoreError
from tipgraph.namespaces import LOAD_GRAPH, RDF
from tipgraph.sparql import ResultKind
from tipgraph.store.location import Manifest

log = logging.getLogger(__name__)
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Solution = dict[str, Term]
RESULTS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOLUTIONS_ACCEPT = "application/sparql-results+xml"
GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9"
N_TRIPLES = "application/n-triples"
MANIFEST_PREDICATE = f"{RDF}value"  # <LOAD_GRAPH> rdf:value "{…the manifest as JSON…}"
GZIP_PROBE = f"{LOAD_GRAPH}#gzip-probe"
READ_BYTES = 1 << 16
TIMEOUT = 60.0  # seconds without an answer (connecting, or between two reads)
# For loads: Virtuoso takes seconds to replace a graph of 10,000 triples, minutes for 100,000.
LOAD_TIMEOUT = 900.0


# Services that take a time limit with each query, by their Server header's product: the
# parameter, and how many of its units make a second.
TIME_LIMIT_PARAMETERS = {"virtuoso": ("timeout", 1000), "fuseki": ("timeout", 1)}
VIRTUOSO_INCOMPLETE = "S1TAT"  # X-SQL-State of an answer cut off by its time limit


def service_product(server: str) -> str | None:
    """Which service a ``Server`` header names, among those tipgraph knows."""
    name = server.strip().lower()
    if name.startswith("virtuoso"):
        return "virtuoso"
    if "fuseki" in name:
        return "fuseki"
    if name.startswith("oxigraph"):
        return "oxigraph"
    return None


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its userinfo, and the user and password it carried."""
    parts = urlsplit(url.strip())
    if parts.username is None and parts.password is None:
        return url.strip(), None, None
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


class ChallengeAuth(httpx.Auth):
    """Answers a server's 401 challenge with HTTP Basic or Digest (RFC 7617, RFC 7616).

    Once challenged it authenticates every later request up front, so a body is sent once (a
    request body is replayed after a 401 only when it can be: bytes, or a spooled file).
    """

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self._challenge: dict[str, str] | None = None
        self._count = 0
        self._lock = threading.Lock()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        sent = self._challenge is not None
        if sent:
            request.headers["Authorization"] = self._header(request)
        response = yield request
        if response.status_code != 401:
            return
        challenge = _parse_challenge(response.headers.get_list("www-authenticate"))
        if challenge is None or (sent and challenge.get("stale", "").lower() != "true"):
            return  # no scheme we speak, or these credentials were refused
        with self._lock:
            self._challenge, self._count = challenge, 0
        request.headers["Authorization"] = self._header(request)
        yield request

    def _header(self, request: httpx.Request) -> str:
        challenge = self._challenge
        assert challenge is not None
        if challenge["scheme"] == "basic":
            token = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(token).decode()
        with self._lock:
            self._count += 1
            count = f"{self._count:08x}"
        algorithm = challenge.get("algorithm", "MD5").upper()
        name = "sha256" if algorithm.startswith("SHA-256") else "md5"

        def digest(text: str) -> str:
            return hashlib.new(name, text.encode()).hexdigest()

        realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
        uri = request.url.raw_path.decode("ascii")
        cnonce = secrets.token_hex(8)
        secret = digest(f"{self.user}:{realm}:{self.password}")
        if algorithm.endswith("-SESS"):
            secret = digest(f"{secret}:{nonce}:{cnonce}")
        target = digest(f"{request.method}:{uri}")
        qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
        fields = {
            "username": self.user,
            "realm": realm,
            "nonce": nonce,
            "uri": uri,
            "algorithm": challenge.get("algorithm", "MD5"),
        }
        if "auth" in qops:
            answer = digest(f"{secret}:{nonce}:{count}:{cnonce}:auth:{target}")
            fields |= {"qop": "auth", "nc": count, "cnonce": cnonce}
        else:
            answer = digest(f"{secret}:{nonce}:{target}")
        fields["response"] = answer
        if "opaque" in challenge:
            fields["opaque"] = challenge["opaque"]
        unquoted = {"algorithm", "qop", "nc"}
        return "Digest " + ", ".join(
            f"{key}={value}" if key in unquoted else f'{key}="{value}"'
            for key, value in fields.items()
        )


CHALLENGE_PARAM = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')


def _parse_challenge(headers: list[str]) -> dict[str, str] | None:
    """The Digest challenge among ``WWW-Authenticate`` headers, else the Basic one."""
    found: dict[str, dict[str, str]] = {}
    for header in headers:
        for part in re.split(r",\s*(?=(?:Basic|Digest)\s)", header, flags=re.IGNORECASE):
            scheme, _, rest = part.strip().partition(" ")
            scheme = scheme.lower()
            if scheme in ("basic", "digest"):
                params = {k.lower(): v.strip('"') for k, v in CHALLENGE_PARAM.findall(rest)}
                found[scheme] = {"scheme": scheme, **params}
    return found.get("digest") or found.get("basic")


class _Replayable:
    """A spooled request body httpx can send again (after a 401), with its length known."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        stream.seek(0, io.SEEK_END)
        self.size = stream.tell()

    def __iter__(self) -> Iterator[bytes]:
        self._stream.seek(0)
        while block := self._stream.read(READ_BYTES):
            yield block


class _ResponseFile(io.RawIOBase):
    """A streamed HTTP response body as a file, for pyoxigraph's parsers (read as needed)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def blank_node(label: str) -> ox.BlankNode:
    """A blank node labelled as a server labels it, made a valid label the same way each time
    (Virtuoso writes ``nodeID://b10000`` in results and ``_:b10000`` in Turtle)."""
    label = label.removeprefix("_:").removeprefix("nodeID://")
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + label.encode().hex())


def _server_message(response: httpx.Response) -> str:
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


class RemoteStore:
    """A client of one SPARQL service: use as a context manager, or :meth:`close` it."""

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

    @classmethod
    def from_config(cls, config: RemoteConfig, *, timeout: float = TIMEOUT) -> RemoteStore:
        return cls(
            config.query_url,
            config.graph_store_url,
            timeout=timeout,
            query_seconds=config.query_seconds,
        )

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # --- requests and their failures ------------------------------------------------------

    @contextlib.contextmanager
    def _send(
        self, request: httpx.Request, auth: httpx.Auth | None, user: str | None, what: str
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
        message = _server_message(response)
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

    def _query_request(
        self,
        query: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> httpx.Request:
        form: list[tuple[str, str]] = [("query", query)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        form += self._time_limit()
        # A form POST: every server reads it (Virtuoso 7.2 waits forever on a sparql-query body).
        return self._client.build_request(
            "POST", self.query_url, data=dict(_grouped(form)), headers={"Accept": accept}
        )

    def _time_limit(self) -> list[tuple[str, str]]:
        """The parameter holding a query to ``query_seconds`` on this service, if it takes one
        (its product is learnt from the first answer: an ``ASK {}`` if none came yet)."""
        if not self.query_seconds:
            return []
        if self.server is None:
            self.server = ""  # the probe itself is sent without a limit
            with contextlib.suppress(StoreError):
                self.ping()
        product = service_product(self.server or "")
        if product not in TIME_LIMIT_PARAMETERS:
            return []
        name, per_second = TIME_LIMIT_PARAMETERS[product]
        # Virtuoso ignores values under a second; Fuseki takes fractions.
        return [(name, f"{max(self.query_seconds, 1.0) * per_second:g}")]

    @contextlib.contextmanager
    def query(
        self,
        query: str,
        kind: ResultKind | None,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> Iterator[Answer]:
        """Send ``query`` as it is (prologue included) and open its answer.

        ``kind`` (from :func:`tipgraph.sparql.query_kind`) chooses what to ask for; a 400 is
        the server refusing the query (QuerySyntaxError, with its message).
        """
        accept = GRAPH_ACCEPT if kind is ResultKind.GRAPH else SOLUTIONS_ACCEPT
        if kind is None:
            accept = f"{SOLUTIONS_ACCEPT}, {GRAPH_ACCEPT}"
        request = self._query_request(query, accept, default_graphs, named_graphs)
        with self._send(request, self._query_auth, self.query_user, "the query") as response:
            if response.status_code == 400:
                message = _server_message(response) or "no reason given"
                raise QuerySyntaxError(f"the SPARQL service refused the query: {message}")
            if response.status_code != 200:
                raise self._failed(response, "the query")
            if response.headers.get("x-sql-state") == VIRTUOSO_INCOMPLETE:
                limit = f"the {self.query_seconds:g} s limit" if self.query_seconds else "its limit"
                raise QueryTimeout(
                    f"the query ran longer than {limit} and was stopped; narrow it (fewer rows, "
                    "more selective patterns) or run it on a dump."
                )
            yield Answer(response, kind)

    def select(
        self,
        query: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> list[Solution]:
        with self.query(query, ResultKind.SOLUTIONS, default_graphs, named_graphs) as answer:
            return list(answer.solutions())

    def ask(
        self, query: str, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> bool:
        with self.query(query, ResultKind.BOOLEAN, default_graphs, named_graphs) as answer:
            return answer.boolean()

    def construct(
        self, query: str, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> list[ox.Triple]:
        with self.query(query, ResultKind.GRAPH, default_graphs, named_graphs) as answer:
            return list(answer.triples())

    def ping(self) -> None:
        """Check that the query endpoint answers SPARQL (StoreError otherwise)."""
        self.ask("ASK {}")

    # --- the Graph Store HTTP Protocol --------------------------------------------------------

    def _graph_request(
        self,
        method: str,
        graph: str,
        *,
        content: Iterable[bytes] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        if self.graph_store_url is None:
            raise StoreError(
                f"no Graph Store URL is known for {self.query_url}: give it with --graph-store "
                "(or TIPGRAPH_GRAPH_STORE), e.g. http://host:7878/store for Oxigraph."
            )
        ox.NamedNode(graph)  # a ValueError for anything that is no IRI
        return self._client.build_request(
            method,
            self.graph_store_url,
            params={"graph": graph},
            content=content,
            headers=dict(headers or {}),
        )

    def replace_graph(
        self,
        graph: str,
        body: Iterable[bytes] | IO[bytes],
        media_type: str = N_TRIPLES,
        *,
        compress: bool = False,
    ) -> None:
        """Replace the named graph ``graph`` with ``body`` (HTTP PUT), gzipped if ``compress``.

        The body is spooled to a temporary file first, never held in memory: servers need its
        length (Virtuoso takes a chunked body for an empty one), and a 401 can be answered by
        sending it again. Whether readers ever see a half-replaced graph is the server's
        affair: Oxigraph replaces it in one transaction, Virtuoso does not.
        """
        with tempfile.TemporaryFile() as spool:
            target: IO[bytes] = spool
            if compress:
                target = gzip.GzipFile(fileobj=spool, mode="wb", mtime=0)  # type: ignore[assignment]
            if hasattr(body, "read"):
                source = cast(IO[bytes], body)
                while block := source.read(READ_BYTES):
                    target.write(block)
            else:
                for block in body:
                    target.write(block)
            if compress:
                target.close()
            replayable = _Replayable(spool)
            headers = {"Content-Type": media_type, "Content-Length": str(replayable.size)}
            if compress:
                headers["Content-Encoding"] = "gzip"
            request = self._graph_request("PUT", graph, content=replayable, headers=headers)
            with self._send(
                request, self._store_auth, self.graph_store_user, f"the upload of <{graph}>"
            ) as response:
                if response.status_code not in (200, 201, 204):
                    raise self._failed(response, f"the upload of <{graph}>")

    def delete_graph(self, graph: str) -> bool:
        """Remove the named graph ``graph``; False when it was not there (a 404)."""
        request = self._graph_request("DELETE", graph)
        what = f"the removal of <{graph}>"
        with self._send(request, self._store_auth, self.graph_store_user, what) as response:
            if response.status_code == 404:
                return False
            if response.status_code not in (200, 202, 204):
                raise self._failed(response, what)
            return True

    @contextlib.contextmanager
    def _read_graph(self, graph: str) -> Iterator[Iterator[ox.Triple] | None]:
        request = self._graph_request("GET", graph, headers={"Accept": GRAPH_ACCEPT})
        what = f"the reading of <{graph}>"
        with self._send(request, self._store_auth, self.graph_store_user, what) as response:
            if response.status_code == 404:
                yield None
                return
            if response.status_code != 200:
                raise self._failed(response, what)
            yield Answer(response, ResultKind.GRAPH).triples()

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """Every triple of the named graph ``graph`` (GET, parsed as it arrives); none if the
        server has no such graph."""
        with self._read_graph(graph) as triples:
            if triples is not None:
                yield from triples

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        """The triples of ``graph`` as quads in it, streamed."""
        name = ox.NamedNode(graph)
        for triple in self.graph_triples(graph):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, name)

    def graphs(self) -> list[str]:
        """Every named graph holding a triple on the server (Virtuoso's own graphs included)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))

    def accepts_gzip(self) -> bool:
        """Whether the Graph Store takes gzipped bodies (Oxigraph does, Virtuoso does not):
        tried once with a one-triple graph, removed again."""
        probe = ox.Triple(
            ox.NamedNode(GZIP_PROBE), ox.NamedNode(MANIFEST_PREDICATE), ox.Literal("1")
        )
        try:
            self.replace_graph(GZIP_PROBE, [_n_triples([probe])], compress=True)
            with self._read_graph(GZIP_PROBE) as triples:
                accepted = triples is not None and list(triples) == [probe]
        except StoreError:
            accepted = False
        with contextlib.suppress(StoreError):
            self.delete_graph(GZIP_PROBE)
        return accepted

    # --- the manifest ------------------------------------------------------------------------

    def read_load(self) -> tuple[Manifest | None, list[ox.Triple]]:
        """What the last load wrote last: its manifest (None: nothing loaded yet) and the
        dataset description that came with it. Read by a query: serving needs no Graph Store."""
        found = self.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LOAD_GRAPH}> {{ ?s ?p ?o }} }}"
        )
        manifest = None
        description = []
        for triple in found:
            if triple.subject == ox.NamedNode(LOAD_GRAPH) and (
                triple.predicate == ox.NamedNode(MANIFEST_PREDICATE)
            ):
                manifest = _manifest(triple.object, self.query_url)
            else:
                description.append(triple)
        return manifest, description

    def read_manifest(self) -> Manifest | None:
        return self.read_load()[0]

    def require_manifest(self) -> Manifest:
        """The manifest; StoreError saying how to load the service when it has none."""
        manifest = self.read_manifest()
        if manifest is None:
            raise StoreError(
                f"{self.query_url} holds no tipgraph data yet; run `tipgraph load --store "
                f"{self.query_url}` first."
            )
        return manifest

    def write_manifest(self, manifest: Manifest, description: Iterable[ox.Triple] = ()) -> None:
        """Replace the load graph: the manifest (as JSON) and the dataset description."""
        text = json.dumps(dataclasses.asdict(manifest), sort_keys=True, separators=(",", ":"))
        record = ox.Triple(
            ox.NamedNode(LOAD_GRAPH), ox.NamedNode(MANIFEST_PREDICATE), ox.Literal(text)
        )
        self.replace_graph(LOAD_GRAPH, [_n_triples([record, *description])])


@dataclasses.dataclass
class Answer:
    """The open answer to a query: solutions (SPARQL XML), a boolean, or triples (Turtle)."""

    response: httpx.Response
    kind: ResultKind | None

    @property
    def media_type(self) -> str:
        value: str = self.response.headers.get("content-type", "")
        return value.split(";")[0].strip().lower()

    def result_kind(self) -> ResultKind:
        """What the server sent, by its media type (StoreError when it is no SPARQL answer)."""
        if self.media_type == SOLUTIONS_ACCEPT:
            return self.kind if self.kind is ResultKind.BOOLEAN else ResultKind.SOLUTIONS
        if ox.RdfFormat.from_media_type(self.media_type) is not None:
            return ResultKind.GRAPH
        shown = self.response.request.url.copy_with(query=None)
        if ox.QueryResultsFormat.from_media_type(self.media_type) is not None:
            raise StoreError(
                f"{shown} answered in {self.media_type} although asked for {SOLUTIONS_ACCEPT}, "
                "the only results format tipgraph reads from a service."
            )
        raise StoreError(
            f"{shown} did not answer as a SPARQL service (it sent "
            f"{self.media_type or 'no media type'}); check the --store URL "
            "(Oxigraph: http://host:7878/query, Virtuoso: http://host:8890/sparql)."
        )

    def _chunks(self) -> Iterator[bytes]:
        return self.response.iter_bytes(READ_BYTES)

    def variables_and_solutions(self) -> tuple[list[str], Iterator[Solution]]:
        """The variables, then the solutions as they arrive (SPARQL XML, streamed)."""
        if self.result_kind() is not ResultKind.SOLUTIONS:
            raise StoreError(f"the service answered a SELECT query with {self.media_type}.")
        return _read_xml(self._chunks())

    def solutions(self) -> Iterator[Solution]:
        return self.variables_and_solutions()[1]

    def boolean(self) -> bool:
        """The answer to an ASK (Virtuoso answers a table of one ``__ASK_RETVAL``: 1 or 0)."""
        if self.result_kind() is ResultKind.GRAPH:
            raise StoreError(f"the service answered an ASK query with {self.media_type}.")
        variables, rows = _read_xml(self._chunks())
        found = list(rows)
        if not variables and found and "boolean" in found[0]:  # a real boolean
            return found[0]["boolean"].value in ("1", "true")
        if len(variables) == 1 and len(found) <= 1:
            value = found[0].get(variables[0]) if found else None
            return value is not None and value.value in ("1", "true")
        raise StoreError("the service answered an ASK query with a table.")

    def triples(self) -> Iterator[ox.Triple]:
        """The triples of a graph answer, parsed as they arrive."""
        if self.result_kind() is not ResultKind.GRAPH:
            raise StoreError(f"the service answered a graph query with {self.media_type}.")
        rdf_format = ox.RdfFormat.from_media_type(self.media_type)
        assert rdf_format is not None
        source = io.BufferedReader(_ResponseFile(self._chunks()), READ_BYTES)
        try:
            for quad in ox.parse(source, rdf_format, without_named_graphs=True):
                yield ox.Triple(_label(quad.subject), quad.predicate, _label(quad.object))
        except SyntaxError as error:
            raise StoreError(f"the service sent RDF that does not parse: {error}") from None


def _label(term: Any) -> Any:
    return blank_node(term.value) if isinstance(term, ox.BlankNode) else term


def _read_xml(chunks: Iterator[bytes]) -> tuple[list[str], Iterator[Solution]]:
    """SPARQL XML results read as they arrive: the variables, then a generator of solutions.
    A boolean answer is one solution binding ``boolean`` to "true" or "false"."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    events: Iterator[tuple[str, ET.Element]] = _events(parser, chunks)
    variables: list[str] = []
    for event, element in events:
        if event == "end" and element.tag == f"{RESULTS}variable":
            variables.append(element.get("name", ""))
        elif event == "end" and element.tag == f"{RESULTS}head":
            break
    return variables, _xml_solutions(events)


def _events(
    parser: ET.XMLPullParser[ET.Element], chunks: Iterator[bytes]
) -> Iterator[tuple[str, ET.Element]]:
    try:
        for chunk in chunks:
            parser.feed(chunk)
            yield from parser.read_events()  # type: ignore[misc]
        parser.close()
        yield from parser.read_events()  # type: ignore[misc]
    except ET.ParseError as error:
        raise StoreError(f"the service sent SPARQL XML that does not parse: {error}") from None


def _xml_solutions(events: Iterator[tuple[str, ET.Element]]) -> Iterator[Solution]:
    solution: Solution = {}
    name = ""
    results: ET.Element | None = None
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == f"{RESULTS}results":
                results = element
            elif tag == f"{RESULTS}result":
                solution = {}
            elif tag == f"{RESULTS}binding":
                name = element.get("name", "")
            continue
        if tag == f"{RESULTS}uri":
            solution[name] = _iri(element.text or "")
        elif tag == f"{RESULTS}bnode":
            solution[name] = blank_node((element.text or "").strip())
        elif tag == f"{RESULTS}literal":
            solution[name] = _literal(element)
        elif tag == f"{RESULTS}result":
            yield solution
            if results is not None:
                results.clear()  # what was read is not kept: constant memory
        elif tag == f"{RESULTS}boolean":
            yield {"boolean": ox.Literal((element.text or "").strip())}


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value.strip())
    except ValueError:
        raise StoreError(f"the service sent {value!r} as an IRI, which is none.") from None


def _literal(element: ET.Element) -> ox.Literal:
    text = element.text or ""
    language = element.get(XML_LANG)
    datatype = element.get("datatype")
    if language:
        return ox.Literal(text, language=language.lower())
    if datatype and datatype != f"{RDF}langString":
        return ox.Literal(text, datatype=_iri(datatype))
    return ox.Literal(text)


def _manifest(term: Any, where: str) -> Manifest | None:
    """The manifest a load wrote; None (as if nothing was loaded) when it is damaged, so that
    the next load can replace it."""
    known = {field.name for field in dataclasses.fields(Manifest)}
    try:
        fields = json.loads(term.value)
        return Manifest(**{k: v for k, v in fields.items() if k in known})
    except (ValueError, TypeError, AttributeError) as error:
        log.warning("%s: the manifest in <%s> is damaged (%s)", where, LOAD_GRAPH, error)
        return None


def _n_triples(triples: Iterable[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


def _grouped(pairs: list[tuple[str, str]]) -> Iterator[tuple[str, str | list[str]]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        yield key, values if len(values) > 1 else values[0]


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
