"""The SPARQL 1.1 Service Description of the endpoint, as RDF in the negotiated format."""

from __future__ import annotations

import pyoxigraph as ox

from tipgraph.formats import MEDIA_TYPES, W3C_FORMATS, MediaType
from tipgraph.namespaces import RDF, XSD
from tipgraph.store.location import Manifest

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))


def service_description(endpoint: str, manifest: Manifest, media: MediaType) -> bytes:
    """Describe the endpoint at ``endpoint`` serving the store described by ``manifest``."""
    assert media.rdf_format is not None
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{SD}Service")),
        ox.Triple(service, ox.NamedNode(f"{SD}endpoint"), service),
        ox.Triple(
            service, ox.NamedNode(f"{SD}supportedLanguage"), ox.NamedNode(f"{SD}SPARQL11Query")
        ),
        ox.Triple(service, ox.NamedNode(f"{SD}feature"), ox.NamedNode(f"{SD}UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(f"{SD}defaultDataset"), dataset),
        ox.Triple(dataset, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{SD}Dataset")),
        ox.Triple(dataset, ox.NamedNode(f"{SD}defaultGraph"), default_graph),
        ox.Triple(default_graph, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{SD}Graph")),
        ox.Triple(default_graph, ox.NamedNode(f"{VOID}triples"), _integer(manifest.triples)),
    ]
    for media in MEDIA_TYPES:
        result_format = ox.NamedNode(media.format_iri)
        triples.append(ox.Triple(service, ox.NamedNode(f"{SD}resultFormat"), result_format))
    for graph, count in manifest.graphs.items():
        named, description = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, ox.NamedNode(f"{SD}namedGraph"), named),
            ox.Triple(named, ox.NamedNode(f"{SD}name"), ox.NamedNode(graph)),
            ox.Triple(named, ox.NamedNode(f"{SD}graph"), description),
            ox.Triple(description, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{SD}Graph")),
            ox.Triple(description, ox.NamedNode(f"{VOID}triples"), _integer(count)),
        ]
    prefixes = {"sd": SD, "void": VOID, "formats": W3C_FORMATS, "xsd": XSD}
    data = ox.serialize(triples, format=media.rdf_format, prefixes=prefixes)
    assert data is not None
    return data
