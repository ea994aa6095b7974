"""Loading into a SPARQL service, and reading it back: what `tipgraph load` and `tipgraph dump`
do with ``--store URL``.

A load replaces each named graph with the Graph Store HTTP Protocol (PUT), then writes the
manifest (with the dataset description) into ``…/graph/load``, then removes the graphs the
previous load had and this one has not. Readers going through tipgraph take the list of graphs
from the manifest, so a graph new in this load shows up with it, and none listed is gone. Each
graph is replaced as atomically as the server replaces a graph: Oxigraph in one transaction,
Virtuoso not (its readers can see a graph emptied and half loaded, and a failed upload leaves
part of it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from tipgraph.errors import StoreError
from tipgraph.store.location import Manifest
from tipgraph.store.remote import RemoteStore

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
CHUNK = 10_000  # triples serialised at a time: the body is spooled to disk, never held whole


def _n_triples(statements: Iterable[ox.Quad | ox.Triple], counted: list[int]) -> Iterator[bytes]:
    """The statements' triples as N-Triples, ``CHUNK`` at a time, counted in ``counted[0]``."""
    iterator = iter(statements)
    while chunk := list(islice(iterator, CHUNK)):
        triples = [s.triple if isinstance(s, ox.Quad) else s for s in chunk]
        counted[0] += len(triples)
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        yield data


def publish(
    remote: RemoteStore,
    graphs: Iterable[tuple[str, Iterable[ox.Quad | ox.Triple]]],
    *,
    version: str,
    files: int,
    validated: bool,
    description: Iterable[ox.Triple] = (),
    started: float | None = None,
    progress: Progress = log.info,
) -> Manifest:
    """Load ``graphs`` (each named graph's IRI with its statements; a quad's own graph name is
    ignored) into the service, then write the manifest; return it.

    ``version``, ``files`` and ``validated`` go into the manifest as they do for a store on
    disk; ``description`` (the dataset's VoID/DCAT triples) is stored with the manifest for the
    pages; ``started`` (a :func:`time.perf_counter` value) is when the load began. Every failure
    is a StoreError; the manifest then still describes the previous load.
    """
    started = time.perf_counter() if started is None else started
    previous = remote.read_manifest()
    compress = remote.accepts_gzip()
    counts: dict[str, int] = {}
    for graph, statements in graphs:
        if graph in counts:
            raise StoreError(f"<{graph}> is given twice; give each named graph once.")
        counted = [0]
        try:
            remote.replace_graph(graph, _n_triples(statements, counted), compress=compress)
        except StoreError as error:
            raise StoreError(
                f"{error} The load stopped there: graphs before <{graph}> are new, the rest "
                "and the manifest are the previous load's; run the load again."
            ) from None
        counts[graph] = counted[0]
        progress(f"{graph}: {counted[0]:,} triples")
    stale = sorted(set(previous.graphs) - set(counts)) if previous is not None else []
    manifest = Manifest(
        version=version,
        triples=sum(counts.values()),
        graphs=dict(sorted(counts.items())),
        files=files,
        loaded_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.perf_counter() - started, 3),
        validated=validated,
    )
    # The manifest first, then the graphs it no longer lists go: readers never follow a
    # manifest to a graph that is gone.
    remote.write_manifest(manifest, description)
    for graph in stale:
        remote.delete_graph(graph)
        progress(f"{graph}: removed (not in this load)")
    return manifest


def graphs_of(remote: RemoteStore) -> Iterator[tuple[str, Iterator[ox.Quad]]]:
    """The graphs of the last load into the service, each with its quads streamed (for
    `tipgraph dump`: blank nodes are labelled as the server labels them)."""
    manifest = remote.require_manifest()
    for graph in manifest.graphs:
        yield graph, remote.quads(graph)


def quads_of(remote: RemoteStore) -> Iterator[ox.Quad]:
    """Every quad of the last load into the service, graph after graph."""
    for _, quads in graphs_of(remote):
        yield from quads


def copy_of_service(remote: RemoteStore, folder: Path) -> ox.Store:
    """An embedded store in ``folder`` holding what tipgraph loaded into a SPARQL service, graph
    by graph (streamed: the dumps are then written as from any store)."""
    store = ox.Store(str(folder))
    store.bulk_extend(quads_of(remote))
    store.flush()
    return store
