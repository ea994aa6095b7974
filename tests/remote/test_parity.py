"""The same query gives the same answer on the embedded store and on each SPARQL service.

Answers go through the code tipgraph answers with (PreparedQuery on the store on disk,
RemotePreparedQuery on a service) and are compared as multisets of solutions or triples, with
blank nodes and the lexical forms of numbers normalised.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import pytest

from tipgraph.evaluation import PreparedQuery, QueryRequest, RemotePreparedQuery
from tipgraph.examples import Example, load_examples
from tipgraph.namespaces import GRAPH, XSD
from tipgraph.store.location import StoreVersion

from .conftest import Service

NUMBERS = {f"{XSD}{name}" for name in ("integer", "decimal", "double", "float")}
REFERENCE, REPORT = f"{GRAPH}reference", f"{GRAPH}az-mia-thb-2018"


def normal(term: Any) -> Any:
    """A term as compared: blank nodes are all alike, numbers by value."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal):
        value = term.value
        if term.datatype.value in NUMBERS:
            value = str(Decimal(value).normalize())
        return (value, term.language, term.datatype.value)
    return term.value


def answer(prepared: PreparedQuery | RemotePreparedQuery) -> Any:
    """The answer as comparable values: a boolean, a multiset of solutions, or of triples."""
    output = io.BytesIO()
    prepared.write(output)
    body = output.getvalue()
    media = prepared.head.media_type
    if media.results_format == ox.QueryResultsFormat.CSV:  # lossy: compare the text
        rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
        return rows[0], Counter(
            tuple("_:" if v.startswith("_:") else v for v in r) for r in rows[1:]
        )
    if media.results_format is not None:
        results = ox.parse_query_results(body, media.results_format)
        if isinstance(results, ox.QueryBoolean):
            return bool(results)
        names = [v.value for v in results.variables]
        return names, Counter(tuple(normal(s[n]) for n in names) for s in results)
    assert media.rdf_format is not None
    return canonical(ox.parse(body, media.rdf_format))


def canonical(quads: Any) -> set[tuple[Any, ...]]:
    """A graph as a set of statements, blank nodes labelled from their content: equal sets,
    isomorphic graphs (numbers compared by value)."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {(str(q.subject), str(q.predicate), normal(q.object)) for q in dataset}


def both(
    query: str, built_store: StoreVersion, service: Service, **request: Any
) -> tuple[Any, Any]:
    store = ox.Store.read_only(str(built_store.database))
    embedded = answer(PreparedQuery(store, QueryRequest(query, **request)))
    graphs = tuple(built_store.manifest.graphs)
    with service.client() as remote:
        sent = answer(RemotePreparedQuery(remote, QueryRequest(query, **request), graphs))
    return embedded, sent


GROUP_CONCAT = (
    "GROUP_CONCAT: Virtuoso answers a simple literal (an empty one for an empty group) and "
    "joins in its own order; Oxigraph keeps the values' common language tag"
)
# Where Virtuoso 7.2 (Debian 12's) answers otherwise, and why; strict: a fix shows up here.
VIRTUOSO_DIFFERS = {
    "school-awareness-meetings": GROUP_CONCAT,
    "general-collective-agreement": GROUP_CONCAT,
    "plan-2019-2023-goals": GROUP_CONCAT,
    "plan-2019-2023-measures-and-bodies": GROUP_CONCAT,
    "interpretations": "SAMPLE may pick any value of its group, and the two pick differently",
    "victims-sheltered-share": "Virtuoso divides integers as integers (87, not 87.6)",
    "activities-by-policy-area": "Virtuoso misses every match of a/rdfs:subClassOf* when the "
    "default graph is several graphs",
}
VIRTUOSO_FLAKY = {
    "wikidata-links": "Virtuoso's a/rdfs:subClassOf* over several default graphs finds nothing "
    "on some databases and everything on others (its plan depends on its statistics)",
}


@pytest.mark.parametrize("example", load_examples(), ids=lambda e: e.slug)
def test_every_example_query_gives_the_same_answer(
    example: Example, built_store: StoreVersion, loaded: Service, request: pytest.FixtureRequest
) -> None:
    if loaded.name == "virtuoso" and example.slug in VIRTUOSO_DIFFERS:
        request.applymarker(pytest.mark.xfail(reason=VIRTUOSO_DIFFERS[example.slug], strict=True))
    if loaded.name == "virtuoso" and example.slug in VIRTUOSO_FLAKY:
        request.applymarker(pytest.mark.xfail(reason=VIRTUOSO_FLAKY[example.slug], strict=False))
    embedded, remote = both(example.query, built_store, loaded, format="json")
    assert embedded[1], "the example has rows"
    assert remote == embedded


QUERIES = {
    "ask-true": "ASK { ?o a qb:Observation ; sdmx-measure:obsValue ?v }",
    "ask-false": "ASK { ?o a qb:Observation ; sdmx-measure:obsValue 'no such value' }",
    "union-default-graph": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "named-graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "from": f"SELECT ?type (COUNT(?s) AS ?n) FROM <{REFERENCE}> WHERE {{ ?s a ?type }} "
    "GROUP BY ?type",
    "from-named": f"SELECT ?g (COUNT(*) AS ?n) FROM <{REFERENCE}> FROM NAMED <{REPORT}> "
    "FROM NAMED <{REFERENCE}> WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g".replace(
        "{REFERENCE}", REFERENCE
    ),
    "languages": "SELECT ?label WHERE { ?s skos:prefLabel ?label FILTER(LANG(?label) != 'en') }",
    "blank-nodes": "SELECT ?quote ?start ?end WHERE { ?quote oa:hasSelector ?sel . "
    "?sel oa:start ?start ; oa:end ?end }",
    "optional-and-filter": "SELECT ?org ?wd WHERE { ?org a org:FormalOrganization "
    "OPTIONAL { ?org owl:sameAs ?wd FILTER(STRSTARTS(STR(?wd), 'http://www.wikidata.org/')) } }",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_same_query_gives_the_same_answer(
    name: str, built_store: StoreVersion, loaded: Service
) -> None:
    embedded, remote = both(QUERIES[name], built_store, loaded, format="json")
    assert remote == embedded


CONSTRUCTS = {
    "construct": "CONSTRUCT { ?o sdmx-measure:obsValue ?v ; tip:indicator ?i } "
    "WHERE { ?o sdmx-measure:obsValue ?v ; tip:indicator ?i }",
    "construct-blank-nodes": "CONSTRUCT { ?q oa:hasSelector ?s . ?s ?p ?x } "
    "WHERE { ?q oa:hasSelector ?s . ?s ?p ?x }",
    "describe": "DESCRIBE <https://w3id.org/tipgraph/id/agency/mia>",
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
@pytest.mark.parametrize("rdf_format", ["ttl", "nt", "nq", "trig", "jsonld", "rdf"])
def test_graph_results_are_the_same_in_every_format(
    name: str, rdf_format: str, built_store: StoreVersion, loaded: Service
) -> None:
    embedded, remote = both(CONSTRUCTS[name], built_store, loaded, format=rdf_format)
    assert embedded
    if name == "describe" and loaded.name == "virtuoso":  # the server's to define: Virtuoso
        assert embedded < remote  # adds the triples pointing at the resource
        return
    assert remote == embedded


@pytest.mark.parametrize("results_format", ["json", "xml", "csv", "tsv"])
def test_every_results_format_is_offered(
    results_format: str, built_store: StoreVersion, loaded: Service
) -> None:
    query = QUERIES["blank-nodes"]
    embedded, remote = both(query, built_store, loaded, format=results_format)
    assert remote == embedded


def test_the_row_cap_holds(built_store: StoreVersion, loaded: Service) -> None:
    from tipgraph.errors import ResultTooLarge

    with loaded.client() as remote, pytest.raises(ResultTooLarge):
        query = QueryRequest("SELECT * { ?s ?p ?o }", format="csv", max_rows=100)
        RemotePreparedQuery(remote, query, tuple(built_store.manifest.graphs)).write(io.BytesIO())
