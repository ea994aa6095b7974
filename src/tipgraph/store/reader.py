"""Read-only access to the store for pages: fixed queries with IRIs bound as terms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from tipgraph.namespaces import PREFIXES

Binding = Mapping[str, str]  # variable name → IRI


@dataclass(frozen=True)
class Node:
    """An RDF term as pages need it: its kind, lexical value, language and datatype."""

    kind: str  # "iri", "blank" or "literal"
    value: str
    language: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"


def is_iri(value: str) -> bool:
    """Whether ``value`` is a valid IRI (a request path may hold characters no IRI can)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def to_node(term: object) -> Node:
    """A pyoxigraph term as a :class:`Node`."""
    if isinstance(term, ox.NamedNode):
        return Node("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Node("blank", term.value)
    if isinstance(term, ox.Literal):
        return Node("literal", term.value, term.language, term.datatype.value)
    return Node("literal", str(term))


class StoreReader(Protocol):
    """What pages read a store through: fixed queries with IRIs bound as terms, never spliced
    into the query text. The default graph is the union of the loaded graphs.

    :class:`EmbeddedReader` reads a store version on disk, and
    :class:`tipgraph.store.remote_reader.RemoteReader` a SPARQL service.
    """

    # Whether a read is answered in this process, without waiting on a network: then a small
    # bounded one may be made on the server's event loop.
    local: bool

    def select(
        self, query: str, bindings: Binding | None = None, *, graph: str | None = None
    ) -> list[dict[str, Node]]:
        """The solutions of a SELECT query, each a dict of the bound variables; with
        ``graph``, that graph is the default graph."""
        ...

    def ask(self, query: str, bindings: Binding | None = None) -> bool: ...

    def bounded_description(self, iri: str, limit: int) -> list[ox.Triple]:
        """The triples about ``iri`` and those of the blank nodes they reach, transitively
        (its concise bounded description), up to about ``limit`` triples."""
        ...

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """Every triple of one named graph, streamed."""
        ...

    def has_graph(self, graph: str) -> bool: ...

    def serialize(self, triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes: ...


def serialize(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    """Triples written by pyoxigraph's serialiser, with the dataset's prefixes."""
    prefixes = PREFIXES if rdf_format in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG} else None
    output = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    assert output is not None
    return output


OUTGOING_TRIPLES = "CONSTRUCT { $s ?p ?o } WHERE { $s ?p ?o }"


class EmbeddedReader:
    """A store version opened read-only; queries see the union of its graphs by default.

    Values reach a query only through SPARQL-dev SEP-0007 substitutions: an IRI from a request
    is bound to a variable as a term, never spliced into the query text. (pyoxigraph wants a
    substituted variable in a SELECT's projection.)
    """

    local = True

    def __init__(self, database: Path) -> None:
        self._store = ox.Store.read_only(str(database))

    def select(
        self, query: str, bindings: Binding | None = None, *, graph: str | None = None
    ) -> list[dict[str, Node]]:
        """The solutions of a SELECT query, each a dict of the bound variables."""
        results = self._run(query, bindings, graph)
        assert isinstance(results, ox.QuerySolutions)
        names = [v.value for v in results.variables]
        rows = []
        for solution in results:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = to_node(term)
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Binding | None = None) -> bool:
        result = self._run(query, bindings, None)
        assert isinstance(result, ox.QueryBoolean)
        return bool(result)

    def bounded_description(self, iri: str, limit: int) -> list[ox.Triple]:
        """Blank nodes of this store are terms a query can be given: each one reached is
        described in turn."""
        triples: set[ox.Triple] = set()
        pending: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        seen: set[ox.NamedNode | ox.BlankNode] = set(pending)
        while pending and len(triples) < limit:
            for triple in self._construct_about(OUTGOING_TRIPLES, pending.pop()):
                triples.add(triple)
                if isinstance(triple.object, ox.BlankNode) and triple.object not in seen:
                    seen.add(triple.object)
                    pending.append(triple.object)
        return list(triples)

    def _construct_about(
        self, query: str, subject: ox.NamedNode | ox.BlankNode
    ) -> Iterator[ox.Triple]:
        """A CONSTRUCT with ``$s`` bound to ``subject``, which may be a blank node of this store
        (a term found by an earlier query), streamed."""
        results = self._store.query(
            query,
            prefixes=PREFIXES,
            substitutions={ox.Variable("s"): subject},
            use_default_graph_as_union=True,
        )
        assert isinstance(results, ox.QueryTriples)
        return iter(results)

    def graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        """Every triple of one named graph, streamed in the store's order."""
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return (quad.triple for quad in quads)

    def has_graph(self, graph: str) -> bool:
        return is_iri(graph) and self._store.contains_named_graph(ox.NamedNode(graph))

    def serialize(self, triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
        return serialize(triples, rdf_format)

    def _run(
        self, query: str, bindings: Binding | None, graph: str | None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): ox.NamedNode(v) for k, v in (bindings or {}).items()
        }
        if graph:
            return self._store.query(
                query,
                prefixes=PREFIXES,
                substitutions=substitutions,
                default_graph=ox.NamedNode(graph),
            )
        return self._store.query(
            query, prefixes=PREFIXES, substitutions=substitutions, use_default_graph_as_union=True
        )
