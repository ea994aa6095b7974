"""SPARQL-based targets (SHACL-AF ``sh:SPARQLTarget``) selected by Oxigraph instead of pyshacl.

pyshacl evaluates a SPARQL target's query with rdflib's SPARQL engine: on the bundled data that
is three quarters of ``tipgraph validate``'s time. A SPARQL target is only a set of focus nodes,
the solutions of its ``?this``, so Oxigraph can select them from the same triples and hand them
to the SHACL engine as ``sh:targetNode`` values; the engine still checks every constraint and
writes the report. A target Oxigraph cannot take (its query does not parse there, or selects a
blank node, whose name differs between the two stores) is left to the engine. The tests
validate with pySHACL alone too and fail on any difference (tests/test_shapes.py).
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def with_selected_targets(shapes: rdflib.Graph, store: ox.Store) -> tuple[rdflib.Graph, int]:
    """A copy of ``shapes`` in which each SPARQL target Oxigraph can evaluate over ``store``
    (the union of its graphs) is replaced by the nodes it selects; and how many were."""
    selected = rdflib.Graph()
    selected += shapes
    replaced = 0
    for shape, target in list(shapes.subject_objects(SH.target)):
        nodes = _select(shapes, target, store)
        if nodes is None:
            continue
        selected.remove((shape, SH.target, target))
        for node in nodes:
            selected.add((shape, SH.targetNode, node))
        replaced += 1
    return selected, replaced


def _select(shapes: rdflib.Graph, target: Node, store: ox.Store) -> list[Node] | None:
    """The focus nodes of a SPARQL target, or None when it is not one Oxigraph can take."""
    if (target, RDF.type, SH.SPARQLTarget) not in shapes:
        return None
    select = shapes.value(target, SH.select)
    if select is None:
        return None
    try:
        solutions = store.query(
            _prologue(shapes, target) + str(select), use_default_graph_as_union=True
        )
    except SyntaxError:
        return None
    if not isinstance(solutions, ox.QuerySolutions) or "this" not in {
        variable.value for variable in solutions.variables
    }:
        return None
    nodes: list[Node] = []
    for solution in solutions:
        node = _to_rdflib(solution["this"])
        if node is None:
            return None
        nodes.append(node)
    return nodes


def _prologue(shapes: rdflib.Graph, target: Node) -> str:
    """PREFIX lines for the declarations ``sh:prefixes`` names (SHACL §5.2.1)."""
    lines = []
    for declarations in shapes.objects(target, SH.prefixes):
        for declaration in shapes.objects(declarations, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Node | None:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        plain = term.language or datatype == XSD_STRING  # as rdflib reads "…" from N-Triples
        return rdflib.Literal(
            term.value, lang=term.language, datatype=None if plain else rdflib.URIRef(datatype)
        )
    return None  # a blank node (named apart in each store), a triple or nothing
