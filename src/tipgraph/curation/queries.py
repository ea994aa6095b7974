"""SPARQL over a report's assembled files, as rows of plain strings."""

from __future__ import annotations

import pyoxigraph as ox

from tipgraph.namespaces import sparql_prologue


def rows(store: ox.Store, query: str, bindings: dict[str, ox.NamedNode]) -> list[dict[str, str]]:
    """The solutions of ``query`` (tipgraph's prefixes predeclared, the default graph the union
    of all), each a mapping of its bound variables to their values."""
    solutions = store.query(
        sparql_prologue() + query,
        substitutions={ox.Variable(k): v for k, v in bindings.items()},
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: node.value for n in names if (node := row[n]) is not None} for row in solutions]
