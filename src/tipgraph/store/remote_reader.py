"""Pages' reads from a SPARQL service: the :class:`~tipgraph.store.reader.StoreReader` queries,
sent by the SPARQL 1.1 Protocol with IRIs bound in VALUES blocks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from tipgraph.namespaces import PREFIXES
from tipgraph.sparql import bind_values, read, with_prologue
from tipgraph.store.reader import Binding, Node, is_iri, serialize, to_node
from tipgraph.store.remote import RemoteStore

GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $g { ?s ?p ?o } }"
MAX_DEPTH = 100  # blank nodes nested deeper than this are not followed


def _chain(depth: int) -> str:
    """The query for the triples of the blank nodes ``depth`` steps from ``$s`` through blank
    nodes only (0: the triples of ``$s`` itself)."""
    if depth == 0:
        return "CONSTRUCT { $s ?p ?o } WHERE { $s ?p ?o }"
    steps = ["$s ?p1 ?b1 . FILTER(isBlank(?b1))"]
    steps += [f"?b{n - 1} ?p{n} ?b{n} . FILTER(isBlank(?b{n}))" for n in range(2, depth + 1)]
    return f"CONSTRUCT {{ ?b{depth} ?p ?o }} WHERE {{ {' '.join(steps)} ?b{depth} ?p ?o }}"


class RemoteReader:
    """The loaded graphs of a SPARQL service, read as pages read a store version.

    Every query names its dataset (the loaded graphs as default and named graphs), so the
    answer does not depend on the server's union-default-graph setting or on other graphs it
    holds. Values are bound as terms by :func:`tipgraph.sparql.bind_values`.
    """

    local = False

    def __init__(self, remote: RemoteStore, graphs: Sequence[str]) -> None:
        self._remote = remote
        self._graphs = tuple(graphs)

    def _query(self, query: str, bindings: Binding | None) -> str:
        bound = {name: ox.NamedNode(iri) for name, iri in (bindings or {}).items()}
        bound_query = bind_values(query, bound)
        return with_prologue(bound_query, read(bound_query), PREFIXES)

    def select(
        self, query: str, bindings: Binding | None = None, *, graph: str | None = None
    ) -> list[dict[str, Node]]:
        default = (graph,) if graph else self._graphs
        rows = self._remote.select(self._query(query, bindings), default, self._graphs)
        return [{name: to_node(term) for name, term in row.items()} for row in rows]

    def ask(self, query: str, bindings: Binding | None = None) -> bool:
        return self._remote.ask(self._query(query, bindings), self._graphs, self._graphs)

    def bounded_description(self, iri: str, limit: int) -> list[ox.Triple]:
        """A service's blank nodes cannot be named in a query, so they are reached by paths:
        one query per depth, each following blank nodes only, until no new one turns up
        (both servers tested label a blank node the same way in every answer)."""
        triples: set[ox.Triple] = set()
        described: set[ox.BlankNode] = set()
        for depth in range(MAX_DEPTH + 1):
            level = self._remote.construct(
                self._query(_chain(depth), {"s": iri}), self._graphs, self._graphs
            )
            triples.update(level)
            subjects = {t.subject for t in level if isinstance(t.subject, ox.BlankNode)}
            described |= subjects
            reached = {t.object for t in level if isinstance(t.object, ox.BlankNode)}
            if not reached - described or len(triples) >= limit:
                break
        return list(triples)

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """By the Graph Store Protocol when its URL is known, else by a CONSTRUCT query."""
        if self._remote.graph_store_url is not None:
            return self._remote.graph_triples(graph)
        return iter(
            self._remote.construct(self._query(GRAPH_TRIPLES, {"g": graph}), (), self._graphs)
        )

    def has_graph(self, graph: str) -> bool:
        return is_iri(graph) and graph in self._graphs

    def serialize(self, triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
        return serialize(triples, rdf_format)
