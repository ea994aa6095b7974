"""The one registry of formats, built on pyoxigraph's ``RdfFormat`` and ``QueryResultsFormat``.

Media types, file extensions and W3C format IRIs come from pyoxigraph; this module adds the
short names clients send (``format=json``, ``output=rdf+xml``), the aliases of media types, the
server's order of preference and labels. Negotiation, ``format=`` values, ``Link`` twins, CLI
choices, the dump list, service descriptions and the OpenAPI description all derive from it.

>>> by_name("turtle").name, by_name("text/n3").name, by_name("rdf+xml").name
('text/turtle', 'text/turtle', 'application/rdf+xml')
>>> [m.name for m in candidates("json")]
['application/sparql-results+json', 'application/ld+json']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"
# The query-string (or form) parameters naming a result format; SPARQLWrapper sends all three.
FORMAT_PARAMETERS = ("format", "output", "results")


class ResultKind(StrEnum):
    """What a query form returns: solutions (SELECT), a boolean (ASK), or a graph."""

    SOLUTIONS = "solutions"
    BOOLEAN = "boolean"
    GRAPH = "graph"


@dataclass(frozen=True)
class MediaType:
    """A format tipgraph serialises results to, by the pyoxigraph serialiser that writes it."""

    name: str
    short_names: tuple[str, ...]
    format_iri: str  # its name in http://www.w3.org/ns/formats/, for service descriptions
    results_format: ox.QueryResultsFormat | None = None
    rdf_format: ox.RdfFormat | None = None
    label: str = ""

    def __hash__(self) -> int:  # its name identifies it; hashed per request in negotiation
        return hash(self.name)

    @property
    def kinds(self) -> tuple[ResultKind, ...]:
        if self.results_format is not None:
            return (ResultKind.SOLUTIONS, ResultKind.BOOLEAN)
        if self.rdf_format is not None:
            return (ResultKind.GRAPH,)
        return ()

    @property
    def extension(self) -> str:
        """The file extension pyoxigraph gives the format (``html`` for HTML)."""
        chosen = self.results_format or self.rdf_format
        return chosen.file_extension if chosen is not None else self.short_names[0]

    @property
    def content_type(self) -> str:
        textual = self.name.startswith("text/") or self.name.endswith(("json", "xml"))
        return f"{self.name}; charset=utf-8" if textual else self.name


def _of(
    chosen: ox.QueryResultsFormat | ox.RdfFormat, short_names: tuple[str, ...], label: str
) -> MediaType:
    """The MediaType of a pyoxigraph format: media type and IRI from pyoxigraph."""
    name = chosen.media_type.split(";")[0].strip()
    iri = W3C_FORMATS + chosen.iri.rsplit("/", 1)[1]  # JSON-LD's is under formats/data/
    names = tuple(dict.fromkeys((*short_names, chosen.file_extension)))
    if isinstance(chosen, ox.QueryResultsFormat):
        return MediaType(name, names, iri, results_format=chosen, label=label)
    return MediaType(name, names, iri, rdf_format=chosen, label=label)


# Server preference order: the first acceptable one wins among equal q-values.
MEDIA_TYPES: tuple[MediaType, ...] = (
    _of(ox.QueryResultsFormat.JSON, ("json",), "SPARQL JSON"),
    _of(ox.QueryResultsFormat.XML, ("xml",), "SPARQL XML"),
    _of(ox.QueryResultsFormat.CSV, ("csv",), "CSV"),
    _of(ox.QueryResultsFormat.TSV, ("tsv",), "TSV"),
    _of(ox.RdfFormat.TURTLE, ("turtle", "ttl", "n3"), "Turtle"),  # N3 asked: Turtle is N3
    _of(ox.RdfFormat.N_TRIPLES, ("nt", "ntriples", "n-triples"), "N-Triples"),
    _of(ox.RdfFormat.JSON_LD, ("jsonld", "json-ld"), "JSON-LD"),
    _of(ox.RdfFormat.RDF_XML, ("rdf", "rdfxml", "rdf+xml", "owl"), "RDF/XML"),
    _of(ox.RdfFormat.N_QUADS, ("nq", "nquads", "n-quads"), "N-Quads"),
    _of(ox.RdfFormat.TRIG, ("trig",), "TriG"),
)
HTML = MediaType("text/html", ("html",), "", label="HTML")
# Aliases clients send for the types above (RFC 4180 CSV is text/csv; JSON is often plain; N3
# is asked for by SPARQLWrapper and others, and Turtle is a subset of it).
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json-ld": "application/ld+json",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/rdf+n3": "text/turtle",
}
BY_NAME = {m.name: m for m in MEDIA_TYPES}
BY_SHORT_NAME = {short: m for m in MEDIA_TYPES for short in m.short_names}
# A name that means a results format for solutions and an RDF format for a graph.
GRAPH_ALTERNATIVES = {
    "application/sparql-results+json": BY_NAME["application/ld+json"],
    "application/sparql-results+xml": BY_NAME["application/rdf+xml"],
}


def media_types_for(kind: ResultKind) -> tuple[MediaType, ...]:
    """The formats that can carry a result of ``kind``, in server preference order."""
    return tuple(m for m in MEDIA_TYPES if kind in m.kinds)


def by_name(name: str) -> MediaType | None:
    """A short name (``turtle``, ``json-ld``) or media type (aliases too) as a MediaType."""
    name = name.strip().lower()
    return BY_SHORT_NAME.get(name) or BY_NAME.get(ALIASES.get(name, name))


def candidates(name: str) -> tuple[MediaType, ...]:
    """What ``name`` may mean: ``json`` is SPARQL JSON for solutions, JSON-LD for a graph."""
    media = by_name(name)
    if media is None:
        return ()
    alternative = GRAPH_ALTERNATIVES.get(media.name)
    return (media,) if alternative is None else (media, alternative)


def first_usable(names: tuple[str, ...], kind: ResultKind) -> MediaType | None:
    """The first of ``names`` (``format``/``output``/``results`` values) that can carry a
    ``kind`` result; unknown or unsuitable names are passed over, as other servers do."""
    for name in names:
        for media in candidates(name):
            if kind in media.kinds:
                return media
    return None


def query_format_names() -> list[str]:
    """The CLI's ``query --format`` choices: ``table`` and a short name per format."""
    return ["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]


# The RDF formats a page (one resource, one graph) is offered in, in server order.
PAGE_TYPES: tuple[MediaType, ...] = tuple(
    BY_NAME[name]
    for name in (
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    )
)
# A page's twins by file extension (``/doc/agency/mia.ttl``), HTML last.
EXTENSIONS: dict[str, MediaType] = {m.extension: m for m in (*PAGE_TYPES, HTML)}
# Dumps: the formats a whole store version is written in (``tipgraph dump --format``).
DUMP_TYPES: tuple[MediaType, ...] = tuple(
    BY_NAME[name]
    for name in (
        "application/n-triples",
        "text/turtle",
        "application/n-quads",
        "application/trig",
        "application/ld+json",
    )
)
