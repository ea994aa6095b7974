"""Settings: where the ontology, shapes and data live; built once and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tipgraph.errors import DataLayoutError


@dataclass(frozen=True)
class Settings:
    """Paths tipgraph works on. Build with :meth:`Settings.load`."""

    root: Path
    ontology_dir: Path
    shapes_dir: Path
    data_dir: Path

    @classmethod
    def load(
        cls,
        root: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from explicit options, then `TIPGRAPH_ROOT`, then the current directory."""
        env = os.environ if environ is None else environ
        chosen = root or Path(env.get("TIPGRAPH_ROOT") or Path.cwd())
        chosen = chosen.resolve()
        settings = cls(
            root=chosen,
            ontology_dir=chosen / "ontology",
            shapes_dir=chosen / "shapes",
            data_dir=chosen / "data",
        )
        for folder in (settings.ontology_dir, settings.shapes_dir, settings.data_dir):
            if not folder.is_dir():
                raise DataLayoutError(
                    f"{folder} is not a folder: run tipgraph from a tipgraph checkout "
                    "or pass --root (or set TIPGRAPH_ROOT)."
                )
        return settings


DEFAULT_STORE = Path(".tipgraph") / "store"


@dataclass(frozen=True)
class RemoteConfig:
    """A SPARQL 1.1 service used as the store (``--store URL``).

    ``query_url`` answers the SPARQL 1.1 Protocol; ``graph_store_url`` the Graph Store HTTP
    Protocol (loading, reading whole graphs), None when no known layout gives it. Credentials
    come in a URL's userinfo (``http://user:password@host/…``).
    """

    query_url: str = field(repr=False)  # may carry credentials: never shown
    graph_store_url: str | None = field(default=None, repr=False)
    # The time limit the service is asked to hold each query to, where it takes one with the
    # query (see tipgraph.store.remote); None: none is sent.
    query_seconds: float | None = None


StoreTarget = Path | RemoteConfig


@dataclass(frozen=True)
class EndpointSettings:
    """How the public endpoint runs: the store it serves and the limits it enforces."""

    store: StoreTarget
    timeout: float = 30.0
    max_rows: int = 100_000
    # The most one answer may take, serialised (0: no limit); more is an error, as with rows.
    max_result_bytes: int = 256 << 20
    workers: int = 3
    queue_size: int = 64
    # Each client's share (tipgraph.serving.fairness): query-seconds per minute, and queries
    # running or waiting at once. 0 turns either off.
    client_seconds: float = 30.0
    client_queries: int = 4
    # A worker growing past this much resident memory has its query stopped (0: no limit).
    worker_memory_bytes: int = 1 << 30
    max_query_bytes: int = 1 << 20
    # A result up to this size is sent whole, with Content-Length; a larger one is streamed.
    buffer_bytes: int = 1 << 20
    cache_seconds: int = 300
    # The answers kept in memory (complete results up to buffer_bytes each, and pages).
    result_cache_bytes: int = 64 << 20
    # With a SPARQL service as the store: how often its manifest is read to notice a new load.
    refresh_seconds: float = 10.0
    # Where the dataset's base IRI is published (behind a proxy, or at the w3id address); pages
    # link IRIs under the base to it. None: links stay relative to this server's root.
    base_url: str | None = None
    # The path prefix a reverse proxy serves this server under (ASGI root_path), e.g. /tipgraph.
    root_path: str = ""
    # A checkout whose working files /review/SLUG shows (tipgraph serve --review), for curators
    # on their own machine; None (the default, and what a public server wants): no such pages.
    review: Settings | None = None


@dataclass(frozen=True)
class ConnectionLimits:
    """What one HTTP connection may take, and how many may be open (tipgraph.web.limits)."""

    # The request line and header fields together; a browser sends 1-2 KiB, a long GET query
    # more (longer ones go by POST).
    max_head_bytes: int = 64 << 10
    # A connection with no request under way (before its first, between two) is then closed.
    idle_seconds: int = 5
    # From a request's first byte to the end of its header fields; then to the end of its body.
    head_seconds: float = 10.0
    body_seconds: float = 30.0
    # An answer whose client takes none of it for this long is dropped with its connection
    # (the bytes the server held for it are freed at once, not when the client goes).
    send_seconds: float = 30.0
    max_connections: int = 1024
    # Each client's (IP address, IPv6 /64) open connections; 0: no limit. Connections from the
    # trusted proxies (--forwarded-allow-ips) are not counted: they carry many clients.
    client_connections: int = 32
    trusted_proxies: str = "127.0.0.1,::1"


def is_url(value: str) -> bool:
    """Whether a ``--store`` value names a SPARQL service rather than a directory."""
    return value.strip().lower().startswith(("http://", "https://"))


def store_target(
    option: str | None,
    root: Path,
    environ: Mapping[str, str] | None = None,
    graph_store: str | None = None,
) -> StoreTarget:
    """The store: ``--store``, then ``TIPGRAPH_STORE``, then ``<root>/.tipgraph/store``.

    An ``http(s)`` URL is a SPARQL service's query endpoint; its Graph Store URL is
    ``graph_store`` (``--graph-store``), then ``TIPGRAPH_GRAPH_STORE``, then the one its layout
    implies (:func:`default_graph_store`). Anything else is a directory.
    """
    env = os.environ if environ is None else environ
    value = option or env.get("TIPGRAPH_STORE") or None
    if value is None:
        return root / DEFAULT_STORE
    if not is_url(value):
        return Path(value).resolve()
    chosen = graph_store or env.get("TIPGRAPH_GRAPH_STORE") or default_graph_store(value)
    return RemoteConfig(query_url=value.strip(), graph_store_url=chosen)


def default_graph_store(query_url: str) -> str | None:
    """The Graph Store URL of a well-known layout: Oxigraph's ``…/query`` → ``…/store``;
    Virtuoso's ``…/sparql`` → ``…/sparql-graph-crud``, or ``…/sparql-graph-crud-auth`` (which
    asks for credentials, with HTTP Digest) when the URL carries a user. None otherwise."""
    parts = urlsplit(query_url.strip())
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        path = path.removesuffix("/query") + "/store"
    elif path.endswith("/sparql"):
        path += "-graph-crud-auth" if parts.username else "-graph-crud"
    else:
        return None
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
