"""A SPARQL 1.1 service as the store: queries and reads by the SPARQL 1.1 Protocol, loads by
the Graph Store Protocol (:mod:`tipgraph.store.remote`)."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from tipgraph.build import publish_to_service
from tipgraph.config import RemoteConfig, Settings
from tipgraph.errors import StoreError
from tipgraph.publish_remote import copy_of_service
from tipgraph.published.base import LoadOptions, Publication
from tipgraph.query_targets import ServiceTarget
from tipgraph.store.location import Manifest
from tipgraph.store.remote import LOAD_TIMEOUT, TIMEOUT, RemoteStore
from tipgraph.store.remote_reader import RemoteReader

# A worker waits this much longer than the service is asked to take over a query.
WORKER_GRACE_SECONDS = 5.0


class ServiceBackend:
    """The last load tipgraph put into a SPARQL service (its manifest lives in the service).

    Every query names its dataset (the loaded graphs), so the answer does not depend on the
    server's defaults or on other graphs it holds.
    """

    kind = "sparql"
    loads_when_served = False
    needs_network = True

    def __init__(self, config: RemoteConfig, timeout: float | None = None) -> None:
        # The service is asked to stop a query at the limit too (tipgraph.store.remote).
        self.config = (
            config if timeout is None else dataclasses.replace(config, query_seconds=timeout)
        )
        self.timeout = TIMEOUT if timeout is None else timeout
        self._remote: RemoteStore | None = None
        self._graphs: tuple[str, ...] | None = None

    @property
    def remote(self) -> RemoteStore:
        if self._remote is None:
            self._remote = RemoteStore.from_config(self.config, timeout=self.timeout)
        return self._remote

    @property
    def name(self) -> str:
        return self.remote.query_url

    def has_load(self) -> bool:
        return self.remote.read_load()[0] is not None

    def publication(self) -> Publication:
        self.remote.ping()
        manifest, triples = self.remote.read_load()
        if manifest is None:
            raise StoreError(
                f"{self.remote.query_url} holds no tipgraph data yet; run `tipgraph load "
                "--store URL` with that URL first (tipgraph serve never loads a SPARQL "
                "service itself)."
            )
        self._graphs = tuple(manifest.graphs)
        return Publication(manifest, _graph_of(triples))

    def newer_publication(self, served: Manifest) -> Publication | None:
        latest, triples = self.remote.read_load()
        if latest is None or latest.version == served.version:
            return None
        return Publication(latest, _graph_of(triples))

    def graphs(self) -> tuple[str, ...]:
        if self._graphs is None:
            self._graphs = tuple(self.remote.require_manifest().graphs)
        return self._graphs

    def reader(self) -> RemoteReader:
        return RemoteReader(self.remote, self.graphs())

    def query_target(self, timeout: float | None = None) -> ServiceTarget:
        wait = (timeout or self.timeout) + WORKER_GRACE_SECONDS
        return ServiceTarget(self.config, self.graphs(), wait)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[ox.Store]:
        """A temporary embedded copy of the loaded graphs."""
        with tempfile.TemporaryDirectory(prefix="tipgraph-copy-") as folder:
            with RemoteStore.from_config(self.config, timeout=LOAD_TIMEOUT) as remote:
                copy = copy_of_service(remote, Path(folder))
            yield copy

    def load(self, settings: Settings, options: LoadOptions) -> Manifest:
        with RemoteStore.from_config(self.config, timeout=LOAD_TIMEOUT) as remote:
            manifest = publish_to_service(
                settings,
                remote,
                validate=options.validate,
                data_paths=options.data_paths,
                jobs=options.jobs,
                progress=options.progress,
            )
        self._graphs = tuple(manifest.graphs)
        return manifest

    def hold(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def ping(self) -> None:
        self.remote.ping()

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()
            self._remote = None


def _graph_of(triples: list[ox.Triple]) -> ox.Store | None:
    """The dataset description a load wrote into the service, in memory."""
    if not triples:
        return None
    graph = ox.Store()
    graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return graph
