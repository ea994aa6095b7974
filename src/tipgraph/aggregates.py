"""Counts that pages need, computed once at load time instead of on every request.

Oxigraph is weakest at full scans and aggregates, and the data does not change between loads:
the classes of each named graph (the graph pages) and the observations of each indicator (the
indicator pages) are counted when a version is built and saved beside it as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tipgraph.namespaces import sparql_prologue

AGGREGATES_FILE = "aggregates.json"  # in the store version's folder, beside manifest.json
CLASSES_LISTED = 100  # per graph, the most frequent first
GRAPH_CLASSES = """SELECT ?graph ?type (COUNT(?s) AS ?n)
WHERE { GRAPH ?graph { ?s a ?type } }
GROUP BY ?graph ?type"""
INDICATOR_OBSERVATIONS = """SELECT ?indicator (COUNT(?observation) AS ?n)
WHERE { ?observation tip:indicator ?indicator }
GROUP BY ?indicator"""


@dataclass(frozen=True)
class Aggregates:
    """The precomputed counts of one store version (empty for versions built before them)."""

    graph_classes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    indicator_observations: dict[str, int] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return bool(self.graph_classes)

    @classmethod
    def compute(cls, store: ox.Store) -> Aggregates:
        classes: dict[str, list[tuple[str, int]]] = {}
        for row in _select(store, GRAPH_CLASSES, union=False):
            classes.setdefault(row["graph"].value, []).append(
                (row["type"].value, int(row["n"].value))
            )
        for graph, counts in classes.items():
            classes[graph] = sorted(counts, key=lambda c: (-c[1], c[0]))[:CLASSES_LISTED]
        indicators = {
            row["indicator"].value: int(row["n"].value)
            for row in _select(store, INDICATOR_OBSERVATIONS, union=True)
        }
        return cls(dict(sorted(classes.items())), dict(sorted(indicators.items())))

    def write(self, folder: Path) -> None:
        text = json.dumps(asdict(self), indent=1, ensure_ascii=False)
        (folder / AGGREGATES_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Aggregates:
        try:
            body = json.loads((folder / AGGREGATES_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        classes = {g: [(c, int(n)) for c, n in rows] for g, rows in body["graph_classes"].items()}
        return cls(classes, body["indicator_observations"])


def _select(store: ox.Store, query: str, *, union: bool) -> ox.QuerySolutions:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions
