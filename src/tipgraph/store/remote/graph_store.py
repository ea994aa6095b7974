"""Whole named graphs read, replaced and removed by the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import contextlib
import gzip
import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, cast

import httpx
import pyoxigraph as ox

from tipgraph.errors import StoreError
from tipgraph.formats import ResultKind
from tipgraph.namespaces import LOAD_GRAPH, RDF
from tipgraph.store.remote.connection import Connection
from tipgraph.store.remote.results import GRAPH_ACCEPT, READ_BYTES, Answer

N_TRIPLES = "application/n-triples"
GZIP_PROBE = f"{LOAD_GRAPH}#gzip-probe"


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


class GraphStoreClient(Connection):
    """A client of a service's Graph Store endpoint (its Graph Store URL)."""

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
            headers = {
                "Content-Type": media_type,
                "Content-Length": str(replayable.size),
            }
            if compress:
                headers["Content-Encoding"] = "gzip"
            request = self._graph_request("PUT", graph, content=replayable, headers=headers)
            with self._send(
                request,
                self._store_auth,
                self.graph_store_user,
                f"the upload of <{graph}>",
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

    def accepts_gzip(self) -> bool:
        """Whether the Graph Store takes gzipped bodies (Oxigraph does, Virtuoso does not):
        tried once with a one-triple graph, removed again."""
        probe = ox.Triple(ox.NamedNode(GZIP_PROBE), ox.NamedNode(f"{RDF}value"), ox.Literal("1"))
        try:
            self.replace_graph(GZIP_PROBE, [n_triples([probe])], compress=True)
            with self._read_graph(GZIP_PROBE) as triples:
                accepted = triples is not None and list(triples) == [probe]
        except StoreError:
            accepted = False
        with contextlib.suppress(StoreError):
            self.delete_graph(GZIP_PROBE)
        return accepted


def n_triples(triples: Iterable[ox.Triple]) -> bytes:
    """``triples`` as an N-Triples document."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data
