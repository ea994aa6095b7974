"""The VoID and DCAT description of the whole dataset, every figure counted from the store."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

from tipgraph.export import DUMPS, DumpFile, listed_file, write_dumps, write_listing
from tipgraph.namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    GRAPH,
    ID,
    OWL,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIP,
    VOID,
    XSD,
    compact_iri,
)
from tipgraph.namespaces import PREFIXES as NAMESPACE_PREFIXES
from tipgraph.quality import DATASET as DATASET  # re-exported: the description's IRIs
from tipgraph.quality import DOCUMENT as DOCUMENT
from tipgraph.quality import (
    DQV,
    LDQD,
    ROLE,
    TITLES,
    Validation,
    annotation_triples,
    write_validation,
)
from tipgraph.quality import DUMPS_BASE as DUMPS_BASE

CATALOG_FILE = "catalog.ttl"  # in the store version's folder, beside manifest.json
CATALOG = f"{DOCUMENT}#catalog"
STATISTICS = f"{DOCUMENT}#statistics"  # the figures alone, as a table: a dataset of its own
SERVICE = f"{DOCUMENT}#sparql-service"
PUBLISHER = f"{DOCUMENT}#publisher"
# The links to Wikidata, one VoID linkset per link predicate: owl:sameAs from the things
# (bodies), skos:exactMatch from the concepts of the code lists (countries).
LINKSETS = {
    f"{OWL}sameAs": f"{DOCUMENT}#wikidata-links",
    f"{SKOS}exactMatch": f"{DOCUMENT}#wikidata-concept-matches",
}
WIKIDATA = f"{DOCUMENT}#wikidata"
WIKIDATA_ENTITIES = "http://www.wikidata.org/entity/"
ENDPOINT = f"{BASE}sparql"
TITLE = "tipgraph: combating trafficking in human beings, as Linked Open Data"
DESCRIPTION = (
    "Facts from national reports on combating trafficking in human beings: the bodies that act, "
    "the figures they report, legal acts, plans and activities, each linked to the verbatim "
    "passage of the report it comes from. Every report's data is in its own named graph."
)
STATISTICS_TITLE = "tipgraph statistics: every reported figure as a table"
STATISTICS_DESCRIPTION = (
    "The figures of the dataset alone (every qb:Observation), one CSV row each: indicator, "
    "exploitation form, area, period, value, unit, qualifier, the numeral as written, the "
    "report and the verbatim passage it comes from."
)

FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
PREFIXES = {
    "dataset": f"{DOCUMENT}#",
    "graph": GRAPH,
    "foaf": FOAF,
    "spdx": SPDX,
    "dqv": DQV,
    "ldqd": LDQD,
    **NAMESPACE_PREFIXES,
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(f"{XSD}integer"))


def _select(store: ox.Store, query: str) -> Iterator[ox.QuerySolution]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    yield from solutions


def _count(store: ox.Store, query: str) -> int:
    """The one number a ``SELECT (COUNT(…) AS ?n)`` query returns."""
    for solution in _select(store, query):
        term = solution["n"]
        return int(term.value) if term is not None else 0
    return 0


def _slug(iri: str) -> str:
    """A readable fragment for ``iri``: its prefixed name, else a short hash."""
    short = compact_iri(iri, PREFIXES)
    if short.startswith("<"):
        return hashlib.sha256(iri.encode()).hexdigest()[:12]
    return re.sub(r"[^A-Za-z0-9_.-]", "-", short)


def _vocabulary(iri: str) -> str:
    """The namespace of a term: up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


class _Description:
    """Collects the triples of the description."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal | str) -> None:
        term = _n(obj) if isinstance(obj, str) else obj
        self.triples.append(ox.Triple(_n(subject), _n(predicate), term))

    def add_node(self, subject: str, predicate: str, node: ox.BlankNode) -> None:
        self.triples.append(ox.Triple(_n(subject), _n(predicate), node))


TOTALS = {
    "triples": "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
    # VoID's entities: the resources whose IRI is in void:uriSpace, not ontology terms or shapes
    "entities": f"""SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}""",
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }",
    "classes": f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ ?s <{RDF}type> ?c }}",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
}
CLASSES = f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?e) AS ?entities)
{{ ?s <{RDF}type> ?c BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"), ?s, ?none) AS ?e) }}
GROUP BY ?c ORDER BY ?c"""
PROPERTIES = """SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p"""
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
LINKS = """SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?o {{ ?s <{}> ?o
FILTER(STRSTARTS(STR(?o), "{}")) }} }}"""
LICENCES = f"""SELECT DISTINCT ?g ?licence {{ GRAPH ?g {{
  ?s <{DCTERMS}license> ?licence ; a ?type
  VALUES ?type {{ <{QB}DataSet> <{DCAT}Dataset> <{OWL}Ontology> }} }} }} ORDER BY ?g ?licence"""
CURATORS = f"""SELECT ?name {{ ?ontology a <{OWL}Ontology> ; <{DCTERMS}creator> ?name
FILTER(isLiteral(?name) && STRSTARTS(STR(?ontology), "{BASE}")) }} ORDER BY ?name LIMIT 1"""
REPORTS = f"""SELECT ?r ?label ?publisher ?name {{ ?r a <{TIP}AnnualReport>
  OPTIONAL {{ ?r <{SKOS}prefLabel> ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
  OPTIONAL {{ ?r <{DCTERMS}publisher> ?publisher OPTIONAL {{ ?publisher <{SKOS}prefLabel> ?name
    FILTER(LANGMATCHES(LANG(?name), "en")) }} }} }} ORDER BY ?r"""
EXAMPLE = "SELECT ?s {{ ?s a <{}> FILTER(isIRI(?s)) }} ORDER BY ?s LIMIT 1"
EXAMPLE_CLASSES = (f"{TIP}AnnualReport", f"{SCHEMA}GovernmentOrganization", f"{QB}Observation")


def describe(
    store: ox.Store, dumps: list[DumpFile], issued: str, validation: Validation | None = None
) -> list[ox.Triple]:
    """The description of everything in ``store``, with its ``dumps``, issued at ``issued``;
    with ``validation``, the proof that the data passed the gate (DQV, PROV-O), its files
    among ``dumps``."""
    out = _Description()
    _catalog(store, out, issued)
    for name, query in TOTALS.items():
        out.add(DATASET, f"{VOID}{name}", _int(_count(store, query)))
    _partitions(store, out)
    _subsets(store, out)
    _linksets(store, out)
    data = [dump for dump in dumps if dump.role == "data"]  # not the proofs, not metadata
    _statistics(data, out)
    _distributions(data, out)
    if validation is not None:
        out.triples += annotation_triples(validation, [d for d in dumps if d.role == ROLE])
    return out.triples


def _catalog(store: ox.Store, out: _Description, issued: str) -> None:
    when = ox.Literal(issued, datatype=_n(f"{XSD}dateTime"))
    for node, kinds in (
        (CATALOG, (f"{DCAT}Catalog",)),
        (DATASET, (f"{DCAT}Dataset", f"{VOID}Dataset")),
    ):
        for kind in kinds:
            out.add(node, f"{RDF}type", kind)
        out.add(node, f"{DCTERMS}title", ox.Literal(TITLE, language="en"))
        out.add(node, f"{DCTERMS}publisher", PUBLISHER)
        out.add(node, f"{DCTERMS}issued", when)
        out.add(node, f"{DCTERMS}modified", when)
    out.add(CATALOG, f"{FOAF}homepage", BASE)
    out.add(CATALOG, f"{DCAT}dataset", DATASET)
    out.add(CATALOG, f"{DCAT}service", SERVICE)
    out.add(DATASET, f"{DCTERMS}description", ox.Literal(DESCRIPTION, language="en"))
    out.add(PUBLISHER, f"{RDF}type", f"{FOAF}Agent")
    for solution in _select(store, CURATORS):
        out.add(PUBLISHER, f"{FOAF}name", solution["name"])
    for solution in _select(store, LICENCES):
        graph, licence = solution["g"], solution["licence"]
        out.add(graph.value, f"{DCTERMS}license", licence)
        if graph.value != f"{GRAPH}ontology":
            out.add(DATASET, f"{DCTERMS}license", licence)
    for solution in _select(store, REPORTS):  # credit the source reports and their publishers
        report, publisher = solution["r"], solution["publisher"]
        out.add(DATASET, f"{DCTERMS}source", report)
        if solution["label"] is not None:
            out.add(report.value, f"{RDFS}label", solution["label"])
        if publisher is not None:
            out.add(report.value, f"{DCTERMS}publisher", publisher)
            if solution["name"] is not None:
                out.add(publisher.value, f"{RDFS}label", solution["name"])
    out.add(DATASET, f"{VOID}uriSpace", ox.Literal(ID))
    out.add(DATASET, f"{VOID}sparqlEndpoint", ENDPOINT)
    out.add(DATASET, f"{DCAT}accessService", SERVICE)
    out.add(SERVICE, f"{RDF}type", f"{DCAT}DataService")
    out.add(SERVICE, f"{DCTERMS}title", ox.Literal("tipgraph SPARQL endpoint", language="en"))
    out.add(SERVICE, f"{DCAT}endpointURL", ENDPOINT)
    out.add(SERVICE, f"{DCAT}endpointDescription", ENDPOINT)
    out.add(SERVICE, f"{DCTERMS}conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    out.add(SERVICE, f"{DCAT}servesDataset", DATASET)
    for kind in EXAMPLE_CLASSES:
        for solution in _select(store, EXAMPLE.format(kind)):
            out.add(DATASET, f"{VOID}exampleResource", solution["s"])


def _partitions(store: ox.Store, out: _Description) -> None:
    vocabularies: set[str] = set()
    for solution in _select(store, CLASSES):
        kind = solution["c"].value
        node = f"{DOCUMENT}#class-{_slug(kind)}"
        out.add(DATASET, f"{VOID}classPartition", node)
        out.add(node, f"{VOID}class", kind)
        out.add(node, f"{VOID}entities", _int(int(solution["entities"].value)))
        out.add(node, f"{VOID}distinctSubjects", _int(int(solution["all"].value)))
        if not kind.startswith(ID):
            vocabularies.add(_vocabulary(kind))
    for solution in _select(store, PROPERTIES):
        predicate = solution["p"].value
        node = f"{DOCUMENT}#property-{_slug(predicate)}"
        out.add(DATASET, f"{VOID}propertyPartition", node)
        out.add(node, f"{VOID}property", predicate)
        out.add(node, f"{VOID}triples", _int(int(solution["n"].value)))
        vocabularies.add(_vocabulary(predicate))
    for vocabulary in sorted(vocabularies):
        out.add(DATASET, f"{VOID}vocabulary", vocabulary)


def _subsets(store: ox.Store, out: _Description) -> None:
    for solution in _select(store, GRAPHS):
        graph = solution["g"].value
        out.add(DATASET, f"{VOID}subset", graph)
        out.add(graph, f"{RDF}type", f"{VOID}Dataset")
        out.add(graph, f"{DCTERMS}title", ox.Literal(f"Named graph {graph.removeprefix(GRAPH)}"))
        out.add(graph, f"{VOID}triples", _int(int(solution["n"].value)))


def _linksets(store: ox.Store, out: _Description) -> None:
    for predicate, linkset in LINKSETS.items():
        out.add(DATASET, f"{VOID}subset", linkset)
        out.add(linkset, f"{RDF}type", f"{VOID}Linkset")
        out.add(linkset, f"{VOID}linkPredicate", predicate)
        out.add(linkset, f"{VOID}subjectsTarget", DATASET)
        out.add(linkset, f"{VOID}objectsTarget", WIKIDATA)
        links = _count(store, LINKS.format(predicate, WIKIDATA_ENTITIES))
        out.add(linkset, f"{VOID}triples", _int(links))
    out.add(WIKIDATA, f"{RDF}type", f"{VOID}Dataset")
    out.add(WIKIDATA, f"{DCTERMS}title", ox.Literal("Wikidata", language="en"))
    out.add(WIKIDATA, f"{FOAF}homepage", "https://www.wikidata.org/")
    out.add(WIKIDATA, f"{VOID}uriSpace", ox.Literal(WIKIDATA_ENTITIES))


def _is_table(dump: DumpFile) -> bool:
    """The statistics CSV (or its gzip): the figures only, not the whole dataset."""
    return dump.unit == "rows"


INHERITED = tuple(
    f"{DCTERMS}{term}" for term in ("publisher", "license", "issued", "modified", "source")
)


def _statistics(dumps: list[DumpFile], out: _Description) -> None:
    """The statistics CSV's own dataset, a part of the whole one.

    DCAT has every distribution of a dataset hold the same data; the CSV holds only the figures,
    so it is a distribution of this part, not of the whole. The part has the whole's publisher,
    licence, dates and source reports.
    """
    if not any(_is_table(dump) for dump in dumps):
        return
    out.add(CATALOG, f"{DCAT}dataset", STATISTICS)
    out.add(STATISTICS, f"{RDF}type", f"{DCAT}Dataset")
    out.add(STATISTICS, f"{DCTERMS}title", ox.Literal(STATISTICS_TITLE, language="en"))
    description = ox.Literal(STATISTICS_DESCRIPTION, language="en")
    out.add(STATISTICS, f"{DCTERMS}description", description)
    out.add(STATISTICS, f"{DCTERMS}isPartOf", DATASET)
    out.add(DATASET, f"{DCTERMS}hasPart", STATISTICS)
    whole = _n(DATASET)
    out.triples += [
        ox.Triple(_n(STATISTICS), t.predicate, t.object)
        for t in list(out.triples)
        if t.subject == whole and t.predicate.value in INHERITED
    ]


def _distributions(dumps: list[DumpFile], out: _Description) -> None:
    for dump in dumps:
        node, url = f"{DOCUMENT}#dump-{dump.name}", f"{DUMPS_BASE}{dump.name}"
        out.add(STATISTICS if _is_table(dump) else DATASET, f"{DCAT}distribution", node)
        if not _is_table(dump):
            out.add(DATASET, f"{VOID}dataDump", url)
        out.add(node, f"{RDF}type", f"{DCAT}Distribution")
        title = f"{dump.label}{' (gzip)' if dump.compressed else ''}: {dump.count:,} {dump.unit}"
        out.add(node, f"{DCTERMS}title", ox.Literal(title, language="en"))
        out.add(node, f"{DCAT}downloadURL", url)
        out.add(node, f"{DCAT}accessURL", url)
        out.add(node, f"{DCAT}mediaType", f"{IANA}{dump.media_type}")
        if dump.compressed:
            out.add(node, f"{DCAT}compressFormat", f"{IANA}application/gzip")
        out.add(
            node,
            f"{DCAT}byteSize",
            ox.Literal(str(dump.bytes), datatype=_n(f"{XSD}nonNegativeInteger")),
        )
        checksum = ox.BlankNode(f"checksum-{hashlib.sha256(dump.name.encode()).hexdigest()[:12]}")
        out.add_node(node, f"{SPDX}checksum", checksum)
        out.triples += [
            ox.Triple(checksum, _n(f"{RDF}type"), _n(f"{SPDX}Checksum")),
            ox.Triple(checksum, _n(f"{SPDX}algorithm"), _n(f"{SPDX}checksumAlgorithm_sha256")),
            ox.Triple(
                checksum,
                _n(f"{SPDX}checksumValue"),
                ox.Literal(dump.sha256, datatype=_n(f"{XSD}hexBinary")),
            ),
        ]


def write_catalog(
    store: ox.Store,
    dumps: list[DumpFile],
    issued: str,
    folder: Path,
    validation: Validation | None = None,
) -> Path:
    """The description as Turtle in ``folder/catalog.ttl``, sorted for clean diffs."""
    triples = sorted(
        set(describe(store, dumps, issued, validation)),
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    path = folder / CATALOG_FILE
    ox.serialize(triples, str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return path


def read_catalog(folder: Path) -> ox.Store | None:
    """The description saved with a store version, in memory; None for versions without one."""
    path = folder / CATALOG_FILE
    if not path.is_file():
        return None
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def write_downloads(
    store: ox.Store,
    folder: Path,
    issued: str,
    progress: Callable[[str], None],
    validation: Validation | None = None,
) -> None:
    """The dumps (``folder/dumps/``) and the description of a version being built in ``folder``;
    with ``validation``, its report, coverage and activity beside the dumps, listed with them."""
    started = time.perf_counter()
    dumps = write_dumps(store, folder / DUMPS, progress)
    if validation is not None:
        progress("writing the validation report")
        written = write_validation(validation, folder / DUMPS)
        dumps += [
            listed_file(path, TITLES[path.name], "text/turtle", _triples_in(path), "triples", ROLE)
            for path in written
        ]
        write_listing(folder / DUMPS, dumps)
    write_catalog(store, dumps, issued, folder, validation)
    progress(f"dumps and dataset description written in {time.perf_counter() - started:.1f} s")


def _triples_in(path: Path) -> int:
    return sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
