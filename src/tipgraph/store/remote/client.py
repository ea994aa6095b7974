"""A SPARQL 1.1 service as tipgraph's store: queries, whole graphs, and the load's manifest."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from tipgraph.config import RemoteConfig
from tipgraph.errors import StoreError
from tipgraph.namespaces import LOAD_GRAPH
from tipgraph.store.location import Manifest
from tipgraph.store.remote.connection import TIMEOUT
from tipgraph.store.remote.graph_store import GraphStoreClient, n_triples
from tipgraph.store.remote.manifest import LOAD_QUERY, load_graph, read_load_graph
from tipgraph.store.remote.sparql_protocol import SparqlClient


class RemoteStore(SparqlClient, GraphStoreClient):
    """A client of one SPARQL service: use as a context manager, or :meth:`close` it."""

    @classmethod
    def from_config(cls, config: RemoteConfig, *, timeout: float = TIMEOUT) -> RemoteStore:
        return cls(
            config.query_url,
            config.graph_store_url,
            timeout=timeout,
            query_seconds=config.query_seconds,
        )

    def read_load(self) -> tuple[Manifest | None, list[ox.Triple]]:
        """What the last load wrote last: its manifest (None: nothing loaded yet) and the
        dataset description that came with it. Read by a query: serving needs no Graph Store."""
        return read_load_graph(self.construct(LOAD_QUERY), self.query_url)

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
        self.replace_graph(LOAD_GRAPH, [n_triples(load_graph(manifest, description))])
