"""`--store URL` without a server: parsing the target, and binding values as pages do."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from tipgraph import describe, figures
from tipgraph.config import RemoteConfig, default_graph_store, store_target
from tipgraph.errors import QuerySyntaxError
from tipgraph.formats import ResultKind
from tipgraph.namespaces import ID, PREFIXES, PROV
from tipgraph.sparql import bind_values, query_kind, read, with_prologue
from tipgraph.store.location import StoreVersion
from tipgraph.store.remote import blank_node, split_credentials


@pytest.mark.parametrize(
    ("url", "graph_store"),
    [
        ("http://host:7878/query", "http://host:7878/store"),
        ("http://host:8890/sparql", "http://host:8890/sparql-graph-crud"),
        ("http://dba:pw@host:8890/sparql", "http://dba:pw@host:8890/sparql-graph-crud-auth"),
        ("https://host/ds/sparql/", "https://host/ds/sparql-graph-crud"),
        ("http://host/elsewhere", None),
    ],
)
def test_the_graph_store_of_well_known_layouts(url: str, graph_store: str | None) -> None:
    assert default_graph_store(url) == graph_store


def test_a_store_is_a_url_or_a_directory(tmp_path: Path) -> None:
    root = tmp_path
    assert store_target(None, root, {}) == root / ".tipgraph" / "store"
    assert store_target("relative/store", root, {}) == Path("relative/store").resolve()
    assert store_target(None, root, {"TIPGRAPH_STORE": "http://h:7878/query"}) == RemoteConfig(
        "http://h:7878/query", "http://h:7878/store"
    )
    chosen = store_target(
        "HTTPS://h/sparql", root, {"TIPGRAPH_GRAPH_STORE": "https://h/gsp"}, graph_store=None
    )
    assert chosen == RemoteConfig("HTTPS://h/sparql", "https://h/gsp")
    given = store_target("http://h/q", root, {"TIPGRAPH_GRAPH_STORE": "x"}, graph_store="http://g")
    assert given == RemoteConfig("http://h/q", "http://g")


def test_credentials_leave_the_url() -> None:
    assert split_credentials("http://a%40b:p%3Aw@host:8890/sparql?x=1") == (
        "http://host:8890/sparql?x=1",
        "a@b",
        "p:w",
    )
    assert split_credentials("http://[::1]:7878/query") == ("http://[::1]:7878/query", None, None)


def test_blank_nodes_are_labelled_the_same_way_each_time() -> None:
    assert blank_node("nodeID://b10000") == blank_node("_:b10000") == ox.BlankNode("b10000")
    assert blank_node("a b") == blank_node("a b") != blank_node("a c")


def test_the_query_form_and_prefixes() -> None:
    assert query_kind(read("PREFIX select: <x:> # SELECT\nASK {}")) is ResultKind.BOOLEAN
    assert query_kind(read("BASE <x:> DESCRIBE <y>")) is ResultKind.GRAPH
    with pytest.raises(QuerySyntaxError, match="error at 1:1"):
        read("SELEC * {}")
    declared = read("PREFIX a: <x:> prefix : <y:> SELECT * { ?s a:b 'PREFIX c:' }").prefixes
    assert declared == {"a", ""}
    query = "PREFIX tip: <urn:mine#>\nSELECT * {}"
    written = with_prologue(query, read(query), {"tip": "urn:tip#", "rdf": "urn:rdf#"})
    assert written == "PREFIX rdf: <urn:rdf#> " + query  # the user's tip:, line numbers kept


PAGE_QUERIES = {
    name: getattr(module, name)
    for module, names in (
        (describe, ["EXISTS", "OUTGOING", "NESTED", "TEXTS", "LABEL_OF", "BACKLINK_COUNTS"]),
        (figures, ["FIGURE", "DERIVED_FROM", "QUOTE", "AGENCY_FIGURES", "UNITS", "INVOLVEMENT"]),
    )
    for name in names
} | {"SERIES": figures.SERIES % 3, "BACKLINKS": describe.BACKLINKS}
SUBJECTS = [
    f"{ID}agency/mia",
    f"{ID}indicator/victims-identified",
    f"{ID}observation/az-mia-thb-2018/women-and-girls-share-2016",
    f"{ID}report/az-mia-thb-2018/quote/crimes-2018",
]


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_values_bind_as_substitutions_do(name: str, built_store: StoreVersion) -> None:
    """The remote reader's VALUES blocks give what pyoxigraph's substitutions give, subqueries
    with LIMIT included (a trailing VALUES clause would be joined after the LIMIT)."""
    store = ox.Store.read_only(str(built_store.database))
    query = PAGE_QUERIES[name]
    for subject in SUBJECTS:
        bound = {"s": ox.NamedNode(subject)}
        if "$p" in query:
            bound["p"] = ox.NamedNode(f"{PROV}wasDerivedFrom")
        options = {"prefixes": PREFIXES, "use_default_graph_as_union": True}
        expected = store.query(query, substitutions=dict(_variables(bound)), **options)  # type: ignore[arg-type]
        got = store.query(bind_values(query, bound), **options)  # type: ignore[arg-type]
        assert _rows(got) == _rows(expected), (name, subject)


def _variables(bound: dict[str, ox.NamedNode]) -> dict[ox.Variable, ox.NamedNode]:
    return {ox.Variable(name): term for name, term in bound.items()}


def _rows(result: object) -> object:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return Counter(tuple(str(s[n]) for n in names) for s in result)
