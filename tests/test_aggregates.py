"""The counts saved at load time are the counts the store gives when asked."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from tipgraph.aggregates import Aggregates
from tipgraph.namespaces import TIP
from tipgraph.store.location import StoreVersion


def _count(store: ox.Store, query: str) -> int:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)  # type: ignore[index]


def test_the_saved_counts_match_the_store(built_store: StoreVersion) -> None:
    saved = Aggregates.read(built_store.path)
    assert saved.available
    store = ox.Store.read_only(str(built_store.database))
    assert set(saved.graph_classes) == {g.value for g in store.named_graphs()}
    for graph, classes in saved.graph_classes.items():
        for kind, count in classes:
            query = f"SELECT (COUNT(?s) AS ?n) {{ GRAPH <{graph}> {{ ?s a <{kind}> }} }}"
            assert _count(store, query) == count
    assert saved.indicator_observations
    for indicator, count in saved.indicator_observations.items():
        query = f"SELECT (COUNT(?o) AS ?n) {{ ?o <{TIP}indicator> <{indicator}> }}"
        assert _count(store, query) == count


def test_a_version_without_saved_counts_reads_as_empty(tmp_path: Path) -> None:
    assert not Aggregates.read(tmp_path).available
