"""The VoID/DCAT description: every count equals a SPARQL count on the store it describes."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from tipgraph.catalog import (
    CATALOG,
    CATALOG_FILE,
    DATASET,
    DUMPS_BASE,
    ENDPOINT,
    STATISTICS,
    read_catalog,
)
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
IN_ID_SPACE = f'isIRI(?s) && STRSTARTS(STR(?s), "{ID}")'  # VoID: entities are in the uriSpace


@pytest.mark.parametrize(
    ("predicate", "query"),
    [
        ("void:triples", "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o " + QUADS + " }"),
        (
            "void:entities",
            "SELECT (COUNT(DISTINCT ?s) AS ?n) " + QUADS[:-2] + f" FILTER({IN_ID_SPACE}) }}",
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


def test_entities_are_the_subjects_in_the_uri_space_only(
    catalog: ox.Store, store: ox.Store
) -> None:
    space = rows(catalog, f"SELECT ?space {{ <{DATASET}> void:uriSpace ?space }}")
    assert [r["space"].value for r in space] == [ID]
    iris = number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) " + QUADS[:-2] + " FILTER isIRI(?s) }")
    outside = number(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "{ID}")) }}',
    )
    shapes = number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s a sh:NodeShape } }")
    entities = said(catalog, DATASET, "void:entities")
    assert outside >= shapes > 0  # ontology terms and shapes are subjects, not entities
    assert entities == iris - outside < said(catalog, DATASET, "void:distinctSubjects")


def test_the_graphs_add_up_to_what_was_loaded(catalog: ox.Store, built_store: StoreVersion) -> None:
    subsets = rows(catalog, f"SELECT ?g ?n {{ <{DATASET}> void:subset ?g . ?g void:triples ?n }}")
    graphs = {r["g"].value: int(r["n"].value) for r in subsets}
    assert {g: graphs[g] for g in built_store.manifest.graphs} == built_store.manifest.graphs


def test_each_class_partition_counts_its_instances(catalog: ox.Store, store: ox.Store) -> None:
    parts = rows(
        catalog,
        f"""SELECT ?c ?all ?entities {{ <{DATASET}> void:classPartition ?x .
        ?x void:class ?c ; void:distinctSubjects ?all ; void:entities ?entities }}""",
    )
    assert len(parts) == said(catalog, DATASET, "void:classes")
    entities = {}
    for part in parts:
        kind = part["c"].value
        instances = f"{{ GRAPH ?g {{ ?s a <{kind}> }} }}"
        assert int(part["all"].value) == number(
            store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {instances}"
        )
        entities[kind] = int(part["entities"].value)
        assert entities[kind] == number(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) {instances[:-2]} FILTER({IN_ID_SPACE}) }}",
        )
    assert entities[NAMES["sh"] + "NodeShape"] == entities[NAMES["owl"] + "Class"] == 0
    assert entities[NAMES["qb"] + "Observation"] > 0


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


def distributions(catalog: ox.Store, dataset: str) -> dict[str, tuple[int, str]]:
    found = rows(
        catalog,
        f"""SELECT ?url ?size ?sum ?type {{ <{dataset}> dcat:distribution ?d .
        ?d a dcat:Distribution ; dcat:downloadURL ?url ; dcat:byteSize ?size ;
           dcat:mediaType ?type ; spdx:checksum [ spdx:checksumValue ?sum ] }}""",
    )
    return {r["url"].value: (int(r["size"].value), r["sum"].value) for r in found}


def test_one_distribution_per_dump_file(catalog: ox.Store, built_store: StoreVersion) -> None:
    """Every RDF dump holds the whole dataset; the CSV, the figures only, belongs to a part."""
    files = [f for f in read_dumps(built_store.path / DUMPS) if f.role == "data"]
    rdf = {f"{DUMPS_BASE}{f.name}": (f.bytes, f.sha256) for f in files if f.format != "csv"}
    csv = {f"{DUMPS_BASE}{f.name}": (f.bytes, f.sha256) for f in files if f.format == "csv"}
    assert len(rdf) == 10 and len(csv) == 2  # plain and gzipped
    assert distributions(catalog, DATASET) == rdf
    assert distributions(catalog, STATISTICS) == csv
    dumps = {r["u"].value for r in rows(catalog, f"SELECT ?u {{ <{DATASET}> void:dataDump ?u }}")}
    assert dumps == set(rdf)
    owners = rows(catalog, "SELECT ?d (COUNT(?x) AS ?n) { ?x dcat:distribution ?d } GROUP BY ?d")
    assert all(int(r["n"].value) == 1 for r in owners)  # no file listed under two datasets


def test_the_statistics_are_a_dataset_of_their_own_within_the_whole(catalog: ox.Store) -> None:
    ask = catalog.query(
        PREFIXES
        + f"""ASK {{ <{CATALOG}> dcat:dataset <{DATASET}>, <{STATISTICS}> .
        <{STATISTICS}> a dcat:Dataset ; dcterms:isPartOf <{DATASET}> ;
          dcterms:title ?title ; dcterms:description ?description .
        <{DATASET}> dcterms:hasPart <{STATISTICS}>
        FILTER(CONTAINS(?title, "statistics") && LANG(?title) = "en") }}"""
    )
    assert bool(ask)
    assert not bool(catalog.query(PREFIXES + f"ASK {{ <{STATISTICS}> a void:Dataset }}"))

    def values(subject: str, predicate: str) -> set[str]:
        found = rows(catalog, f"SELECT ?o {{ <{subject}> {predicate} ?o }}")
        return {str(r["o"]) for r in found}

    for predicate in ("dcterms:license", "dcterms:publisher", "dcterms:issued", "dcterms:source"):
        assert values(STATISTICS, predicate) == values(DATASET, predicate) != set()
