"""The tipgraph IRI scheme and the namespaces of the vocabularies it reuses."""

from __future__ import annotations

BASE = "https://w3id.org/tipgraph/"
ONTOLOGY = f"{BASE}ontology"
TIP = f"{ONTOLOGY}#"
ID = f"{BASE}id/"
GRAPH = f"{BASE}graph/"
SHAPES = f"{BASE}shapes#"

ONTOLOGY_GRAPH = f"{GRAPH}ontology"
SHAPES_GRAPH = f"{GRAPH}shapes"
# On a SPARQL service used as the store: what the last `tipgraph load` put there (its manifest
# and the dataset description), written last. Not part of the dataset's default graph.
LOAD_GRAPH = f"{GRAPH}load"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
QB = "http://purl.org/linked-data/cube#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
DCAT = "http://www.w3.org/ns/dcat#"
TIME = "http://www.w3.org/2006/time#"
VOID = "http://rdfs.org/ns/void#"
SDMX_CONCEPT = "http://purl.org/linked-data/sdmx/2009/concept#"
ELI = "http://data.europa.eu/eli/ontology#"
SPDX = "http://spdx.org/rdf/terms#"
VANN = "http://purl.org/vocab/vann/"
FOAF = "http://xmlns.com/foaf/0.1/"
DQV = "http://www.w3.org/ns/dqv#"
LDQD = "http://www.w3.org/2016/05/ldqd#"
WD = "http://www.wikidata.org/entity/"

# Prefixes written at the top of SPARQL queries issued by tipgraph itself and offered to users:
# every vocabulary the ontology, shapes, data and dataset description use (tests/test_prefixes.py).
# tipgraph's own id namespaces (`agency:`, `obs:` …) are not: some are one report's, and
# compact_iri would show every resource page's IRIs as prefixed names.
PREFIXES: dict[str, str] = {
    "tip": TIP,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "oa": OA,
    "qb": QB,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "org": ORG,
    "schema": SCHEMA,
    "dcat": DCAT,
    "time": TIME,
    "void": VOID,
    "sh": SH,
    "sdmx-concept": SDMX_CONCEPT,
    "eli": ELI,
    "spdx": SPDX,
    "vann": VANN,
    "foaf": FOAF,
    "dqv": DQV,
    "ldqd": LDQD,
    "wd": WD,
}


def graph_iri(name: str) -> str:
    """The named graph that holds the data of one folder (a report, or `reference`)."""
    return f"{GRAPH}{name}"


def report_iri(slug: str) -> str:
    """The IRI of a report, minted from its data folder's name."""
    return f"{ID}report/{slug}"


def source_text_iri(report_slug: str, language: str) -> str:
    """The IRI of one language version of a report's verbatim text."""
    return f"{report_iri(report_slug)}/text/{language}"


def compact_iri(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """A prefixed name for ``iri`` where one fits (no "/" in the local part), else ``<iri>``."""
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and "/" not in local:
            return f"{prefix}:{local}"
    return f"<{iri}>"


def sparql_prologue() -> str:
    """PREFIX declarations for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
