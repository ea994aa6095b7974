"""Canonical quads: long chains of blank nodes (RDF lists) are labelled without recursion."""

from __future__ import annotations

import io
import random

import pyoxigraph as ox

from tipgraph.canonical import canonical_quads

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SHAPE = ox.NamedNode("http://example.org/shape")
SH_IN = ox.NamedNode("http://www.w3.org/ns/shacl#in")
GRAPH = ox.NamedNode("http://example.org/graph")
ITEMS = 5000  # far deeper than Python's default recursion limit of 1000
RING = 7


def _long_list() -> str:
    """A SHACL ``sh:in`` list in TriG; items repeat, so only their position tells them apart."""
    items = " ".join(f'"item {i % 10}"' for i in range(ITEMS))
    return f"<{GRAPH.value}> {{ <{SHAPE.value}> <{SH_IN.value}> ( {items} ) . }}"


def _shuffled_and_renamed(quads: list[ox.Quad], seed: int) -> list[ox.Quad]:
    """``quads`` in another order, every blank node given a fresh name, as a new load would."""
    fresh: dict[str, ox.BlankNode] = {}

    def rename(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return term

    shuffled = [
        ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name)  # type: ignore[arg-type]
        for q in quads
    ]
    random.Random(seed).shuffle(shuffled)
    return shuffled


def _nquads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b""


def _list_items(quads: list[ox.Quad]) -> list[str]:
    """The items of the list hanging from SHAPE, read by following rdf:rest."""
    first, rest = ox.NamedNode(f"{RDF}first"), ox.NamedNode(f"{RDF}rest")
    out = {(q.subject, q.predicate): q.object for q in quads}
    node, items = out[(SHAPE, SH_IN)], []
    while node != ox.NamedNode(f"{RDF}nil"):
        items.append(out[(node, first)].value)  # type: ignore[index]
        node = out[(node, rest)]  # type: ignore[index]
    return items


def test_a_list_of_thousands_of_items_is_labelled_the_same_whatever_the_load() -> None:
    store = ox.Store()
    store.load(io.BytesIO(_long_list().encode()), ox.RdfFormat.TRIG)
    loaded = list(store.quads_for_pattern(None, None, None, None))
    assert len(loaded) == 2 * ITEMS + 1
    canonical = canonical_quads(loaded)
    labels = {q.subject.value for q in canonical if isinstance(q.subject, ox.BlankNode)}
    assert len(labels) == ITEMS  # each cell its own label, though the items repeat
    written = _nquads(canonical)
    for seed in (1, 2, 3):
        other = _shuffled_and_renamed(loaded, seed)
        assert {q.subject for q in other} & {q.subject for q in loaded} == {SHAPE}
        assert _nquads(canonical_quads(other)) == written


def test_a_canonical_long_list_round_trips() -> None:
    store = ox.Store()
    store.load(io.BytesIO(_long_list().encode()), ox.RdfFormat.TRIG)
    written = _nquads(canonical_quads(store.quads_for_pattern(None, None, None, None)))
    parsed = list(ox.parse(io.BytesIO(written), ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
    assert _nquads(canonical_quads(parsed)) == written  # a fixed point: labels come back alike
    assert _list_items(parsed) == [f"item {i % 10}" for i in range(ITEMS)]
    assert {q.graph_name for q in parsed} == {GRAPH}


def test_a_cycle_of_blank_nodes_is_walked_once_round_from_each_node() -> None:
    """Turtle cannot write a cycle of blank nodes, N-Quads can: each walk stops where it began."""
    p, value = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/value")
    ring = [ox.BlankNode(f"r{i}") for i in range(RING)]
    quads = [ox.Quad(SHAPE, p, ring[0], GRAPH)]
    for i, node in enumerate(ring):
        quads.append(ox.Quad(node, p, ring[(i + 1) % RING], GRAPH))
        quads.append(ox.Quad(node, value, ox.Literal(str(i)), GRAPH))
    written = {_nquads(canonical_quads(_shuffled_and_renamed(quads, seed))) for seed in range(5)}
    assert len(written) == 1
    labels = {word for word in written.pop().decode().split() if word.startswith("_:")}
    assert len(labels) == RING
