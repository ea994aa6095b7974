"""The VoID/DCAT description: every count equals a SPARQL count on the store it describes."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from tipgraph.catalog import CATALOG_FILE, DATASET, DUMPS_BASE, ENDPOINT, read_catalog
from tipgraph.export import DUMPS, read_dumps
from tipgraph.namespaces import ID
from tipgraph.namespaces import PREFIXES as NAMESPACES
from tipgraph.store.location import StoreVersion

NAMES = {
    **NAMESPACES,
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
}
PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in NAMES.items())


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> Iterator[ox.Store]:
    yield ox.Store.read_only(str(built_store.database))


@pytest.fixture(scope="module")
def catalog(built_store: StoreVersion) -> ox.Store:
    described = read_catalog(built_store.path)
    assert described is not None, f"{CATALOG_FILE} missing"
    return described


def rows(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    solutions = store.query(PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def number(store: ox.Store, query: str) -> int:
    found = rows(store, query)
    assert len(found) == 1, query
    return int(found[0]["n"].value)


def said(catalog: ox.Store, subject: str, predicate: str) -> int:
    return number(catalog, f"SELECT ?n {{ <{subject}> {predicate} ?n }}")


QUADS = "{ GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize(
    ("predicate", "query"),
    [
        ("void:triples", "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o " + QUADS + " }"),
        (
            "void:entities",
            "SELECT (COUNT(DISTINCT ?s) AS ?n) " + QUADS[:-2] + " FILTER isIRI(?s) }",
        ),
        ("void:distinctSubjects", "SELECT (COUNT(DISTINCT ?s) AS ?n) " + QUADS),
        ("void:distinctObjects", "SELECT (COUNT(DISTINCT ?o) AS ?n) " + QUADS),
        ("void:properties", "SELECT (COUNT(DISTINCT ?p) AS ?n) " + QUADS),
        ("void:classes", "SELECT (COUNT(DISTINCT ?c) AS ?n) { GRAPH ?g { ?s a ?c } }"),
    ],
)
def test_totals_equal_sparql_counts(
    catalog: ox.Store, store: ox.Store, predicate: str, query: str
) -> None:
    assert said(catalog, DATASET, predicate) == number(store, query) > 0


def test_the_graphs_add_up_to_what_was_loaded(catalog: ox.Store, built_store: StoreVersion) -> None:
    subsets = rows(catalog, f"SELECT ?g ?n {{ <{DATASET}> void:subset ?g . ?g void:triples ?n }}")
    graphs = {r["g"].value: int(r["n"].value) for r in subsets}
    assert {g: graphs[g] for g in built_store.manifest.graphs} == built_store.manifest.graphs


def test_each_class_partition_counts_its_instances(catalog: ox.Store, store: ox.Store) -> None:
    parts = rows(
        catalog,
        f"""SELECT ?c ?all ?iris {{ <{DATASET}> void:classPartition ?x .
        ?x void:class ?c ; void:distinctSubjects ?all ; void:entities ?iris }}""",
    )
    assert len(parts) == said(catalog, DATASET, "void:classes")
    for part in parts:
        kind = part["c"].value
        instances = f"{{ GRAPH ?g {{ ?s a <{kind}> }} }}"
        assert int(part["all"].value) == number(
            store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {instances}"
        )
        assert int(part["iris"].value) == number(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) {instances[:-2]} FILTER isIRI(?s) }}",
        )


def test_each_property_partition_counts_its_triples(catalog: ox.Store, store: ox.Store) -> None:
    parts = rows(
        catalog,
        f"""SELECT ?p ?n {{ <{DATASET}> void:propertyPartition ?x .
        ?x void:property ?p ; void:triples ?n }}""",
    )
    assert len(parts) == said(catalog, DATASET, "void:properties")
    for part in parts:
        query = f"""SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?o {{
            GRAPH ?g {{ ?s <{part["p"].value}> ?o }} }} }}"""
        assert int(part["n"].value) == number(store, query)


def test_each_named_graph_is_a_subset_with_its_triples(catalog: ox.Store, store: ox.Store) -> None:
    expected = {
        r["g"].value: int(r["n"].value)
        for r in rows(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    subsets = {
        r["g"].value: int(r["n"].value)
        for r in rows(
            catalog,
            f"""SELECT ?g ?n {{ <{DATASET}> void:subset ?g .
            ?g void:triples ?n FILTER NOT EXISTS {{ ?g a void:Linkset }} }}""",
        )
    }
    assert subsets == expected


def test_the_wikidata_linkset_counts_same_as_links(catalog: ox.Store, store: ox.Store) -> None:
    links = number(
        store,
        """SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?o { GRAPH ?g { ?s owl:sameAs ?o }
        FILTER STRSTARTS(STR(?o), "http://www.wikidata.org/entity/") } }""",
    )
    assert links > 0
    query = """SELECT ?n { ?l a void:Linkset ; void:linkPredicate owl:sameAs ;
        void:objectsTarget ?wd ; void:triples ?n . ?wd void:uriSpace ?space }"""
    assert number(catalog, query) == links


def test_licence_publisher_and_sources_come_from_the_data(
    catalog: ox.Store, store: ox.Store
) -> None:
    licences = {
        r["l"].value for r in rows(catalog, f"SELECT ?l {{ <{DATASET}> dcterms:license ?l }}")
    }
    in_data = {
        r["l"].value
        for r in rows(
            store, "SELECT DISTINCT ?l { GRAPH ?g { ?d a qb:DataSet ; dcterms:license ?l } }"
        )
    }
    assert licences == in_data == {"https://creativecommons.org/licenses/by/4.0/"}
    sources = {
        r["r"].value for r in rows(catalog, f"SELECT ?r {{ <{DATASET}> dcterms:source ?r }}")
    }
    reports = {
        r["r"].value for r in rows(store, "SELECT ?r { GRAPH ?g { ?r a tip:AnnualReport } }")
    }
    assert sources == reports
    names = rows(catalog, f"SELECT ?name {{ <{DATASET}> dcterms:publisher/foaf:name ?name }}")
    creators = rows(store, "SELECT ?c { GRAPH ?g { ?o a owl:Ontology ; dcterms:creator ?c } }")
    assert [n["name"].value for n in names] == [c["c"].value for c in creators]


def test_endpoint_examples_and_uri_space(catalog: ox.Store) -> None:
    ask = catalog.query(
        PREFIXES
        + f"""ASK {{ <{DATASET}> void:sparqlEndpoint <{ENDPOINT}> ;
        void:uriSpace "{ID}" ; dcat:accessService ?service . ?service a dcat:DataService ;
        dcat:endpointURL <{ENDPOINT}> }}"""
    )
    assert bool(ask)
    examples = {
        r["e"].value for r in rows(catalog, f"SELECT ?e {{ <{DATASET}> void:exampleResource ?e }}")
    }
    assert len(examples) == 3 and all(e.startswith(ID) for e in examples)


def test_one_distribution_per_dump_file(catalog: ox.Store, built_store: StoreVersion) -> None:
    files = read_dumps(built_store.path / DUMPS)
    found = rows(
        catalog,
        f"""SELECT ?url ?size ?sum ?type {{ <{DATASET}> dcat:distribution ?d .
        ?d dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?type ;
           spdx:checksum [ spdx:checksumValue ?sum ] }}""",
    )
    described = {r["url"].value: (int(r["size"].value), r["sum"].value) for r in found}
    assert described == {f"{DUMPS_BASE}{f.name}": (f.bytes, f.sha256) for f in files}
    dumps = {r["u"].value for r in rows(catalog, f"SELECT ?u {{ <{DATASET}> void:dataDump ?u }}")}
    assert dumps == {f"{DUMPS_BASE}{f.name}" for f in files if f.format != "csv"}
