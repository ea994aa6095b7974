"""The dataset description saved with the served version: its RDF twins and its figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from tipgraph.catalog import DATASET, FOAF, PREFIXES, read_catalog
from tipgraph.export import DUMPS, DumpFile, read_dumps
from tipgraph.formats import MediaType
from tipgraph.namespaces import DCTERMS, QB, RDFS, SCHEMA, TIP, VOID
from tipgraph.store.location import Manifest, StoreVersion

HEADLINES = {
    "observations": f"{QB}Observation",
    "agencies": f"{SCHEMA}GovernmentOrganization",
    "reports": f"{TIP}AnnualReport",
}


@dataclass(frozen=True)
class Partition:
    """One row of a partition table: a class or property and what it counts."""

    iri: str
    count: int
    entities: int | None = None


@dataclass(frozen=True)
class Source:
    """A source report and the body that published it."""

    iri: str
    label: str
    publisher: str | None
    publisher_label: str | None


@dataclass(frozen=True)
class DatasetDescription:
    """VoID/DCAT of one store version (empty for versions loaded before descriptions existed)."""

    graph: ox.Store | None
    dumps: list[DumpFile]
    totals: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    licences: list[str] = field(default_factory=list)
    classes: list[Partition] = field(default_factory=list)
    properties: list[Partition] = field(default_factory=list)
    subsets: list[Partition] = field(default_factory=list)
    vocabularies: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    wikidata_links: int | None = None

    @classmethod
    def load(cls, version: StoreVersion) -> DatasetDescription:
        """The description saved in a store version's folder, with its dumps."""
        dumps = read_dumps(version.path / DUMPS)
        return cls.of(read_catalog(version.path), dumps, version.manifest)

    @classmethod
    def from_triples(cls, triples: list[ox.Triple], manifest: Manifest) -> DatasetDescription:
        """The description a load wrote into a SPARQL service (no dumps there)."""
        graph = None
        if triples:
            graph = ox.Store()
            graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return cls.of(graph, [], manifest)

    @classmethod
    def of(
        cls, graph: ox.Store | None, dumps: list[DumpFile], manifest: Manifest
    ) -> DatasetDescription:
        if graph is None:
            return cls(None, dumps, totals={"triples": manifest.triples})
        return cls(
            graph,
            dumps,
            totals=_totals(graph),
            texts=_texts(graph),
            licences=_objects(graph, f"{DCTERMS}license"),
            classes=_partitions(graph, "classPartition", "class", "distinctSubjects"),
            properties=_partitions(graph, "propertyPartition", "property", "triples"),
            subsets=_subsets(graph),
            vocabularies=_objects(graph, f"{VOID}vocabulary"),
            sources=_sources(graph),
            wikidata_links=_linkset(graph),
        )

    def headline(self, name: str) -> int | None:
        """A headline count: triples, or instances of the classes in :data:`HEADLINES`."""
        if name in HEADLINES:
            found = [p.entities for p in self.classes if p.iri == HEADLINES[name]]
            return found[0] if found else None
        return self.totals.get(name)

    def serialize(self, media: MediaType) -> bytes:
        """The description in an RDF format (sorted: equal data, equal bytes)."""
        assert self.graph is not None and media.rdf_format is not None
        triples = sorted(
            (q.triple for q in self.graph.quads_for_pattern(None, None, None, None)),
            key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
        )
        body = ox.serialize(triples, None, media.rdf_format, prefixes=PREFIXES)
        assert body is not None
        return body


def _rows(graph: ox.Store, query: str) -> list[ox.QuerySolution]:
    solutions = graph.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def _totals(graph: ox.Store) -> dict[str, int]:
    query = f"SELECT ?p ?n {{ <{DATASET}> ?p ?n FILTER(STRSTARTS(STR(?p), '{VOID}')"
    query += " && DATATYPE(?n) = <http://www.w3.org/2001/XMLSchema#integer>) }"
    return {r["p"].value.removeprefix(VOID): int(r["n"].value) for r in _rows(graph, query)}


def _texts(graph: ox.Store) -> dict[str, str]:
    query = f"""SELECT ?key ?text {{
      {{ <{DATASET}> <{DCTERMS}title> ?text BIND("title" AS ?key) }}
      UNION {{ <{DATASET}> <{DCTERMS}description> ?text BIND("description" AS ?key) }}
      UNION {{ <{DATASET}> <{DCTERMS}issued> ?text BIND("issued" AS ?key) }}
      UNION {{ <{DATASET}> <{VOID}sparqlEndpoint> ?text BIND("endpoint" AS ?key) }}
      UNION {{ <{DATASET}> <{DCTERMS}publisher>/<{FOAF}name> ?text BIND("publisher" AS ?key) }}
    }}"""
    return {r["key"].value: r["text"].value for r in _rows(graph, query)}


def _objects(graph: ox.Store, predicate: str) -> list[str]:
    query = f"SELECT ?o {{ <{DATASET}> <{predicate}> ?o }} ORDER BY ?o"
    return [r["o"].value for r in _rows(graph, query)]


def _partitions(graph: ox.Store, link: str, key: str, count: str) -> list[Partition]:
    query = f"""SELECT ?iri ?count ?entities {{ <{DATASET}> <{VOID}{link}> ?part .
      ?part <{VOID}{key}> ?iri ; <{VOID}{count}> ?count
      OPTIONAL {{ ?part <{VOID}entities> ?entities }} }} ORDER BY DESC(?count) ?iri"""
    return [
        Partition(
            r["iri"].value,
            int(r["count"].value),
            int(r["entities"].value) if r["entities"] is not None else None,
        )
        for r in _rows(graph, query)
    ]


def _subsets(graph: ox.Store) -> list[Partition]:
    query = f"""SELECT ?iri ?count {{ <{DATASET}> <{VOID}subset> ?iri .
      ?iri <{VOID}triples> ?count FILTER NOT EXISTS {{ ?iri a <{VOID}Linkset> }} }} ORDER BY ?iri"""
    return [Partition(r["iri"].value, int(r["count"].value)) for r in _rows(graph, query)]


def _sources(graph: ox.Store) -> list[Source]:
    query = f"""SELECT ?report ?label ?publisher ?name {{ <{DATASET}> <{DCTERMS}source> ?report
      OPTIONAL {{ ?report <{RDFS}label> ?label }}
      OPTIONAL {{ ?report <{DCTERMS}publisher> ?publisher
        OPTIONAL {{ ?publisher <{RDFS}label> ?name }} }} }} ORDER BY ?report"""
    return [
        Source(
            r["report"].value,
            r["label"].value if r["label"] is not None else r["report"].value,
            r["publisher"].value if r["publisher"] is not None else None,
            r["name"].value if r["name"] is not None else None,
        )
        for r in _rows(graph, query)
    ]


def _linkset(graph: ox.Store) -> int | None:
    query = f"SELECT (SUM(?n) AS ?all) {{ ?linkset a <{VOID}Linkset> ; <{VOID}triples> ?n }}"
    rows = _rows(graph, query)
    return int(rows[0]["all"].value) if rows and rows[0]["all"] is not None else None
