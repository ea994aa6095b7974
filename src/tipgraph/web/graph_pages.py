"""Whole graphs at their IRIs: the ontology (documented), the shapes, and each named graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from tipgraph.describe import language_preference
from tipgraph.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH, graph_iri
from tipgraph.ontology_docs import document_ontology
from tipgraph.sparql import HTML, MediaType
from tipgraph.web.pages import (
    cache_headers,
    get_and_head,
    not_found,
    not_modified,
    reader_of,
    render,
)
from tipgraph.web.representations import alternates, choose, link_header, split_extension

router = APIRouter(tags=["Linked data"])
Format = Annotated[str | None, Query(description="Overrides Accept: html, ttl, jsonld, nt, rdf.")]

GRAPH_SUMMARY = """
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"""


def _graph_rdf(request: Request, graph: str, media: MediaType, headers: dict[str, str]) -> Response:
    reader = reader_of(request)
    assert media.rdf_format is not None
    body = reader.serialize(reader.graph_triples(graph), media.rdf_format)
    return Response(body, media_type=media.content_type, headers=headers)


def _negotiate(
    request: Request, doc_path: str, extension: str | None, format: str | None
) -> tuple[MediaType, dict[str, str]]:
    media = choose(extension, format, request.headers.get("accept"))
    headers = cache_headers(request, media) | {"Link": link_header(alternates(doc_path))}
    return media, headers


@get_and_head(
    router,
    "/ontology{extension:path}",
    summary="The tipgraph ontology: documentation (HTML) or the ontology graph (RDF)",
)
def ontology(extension: str, request: Request, format: Format = None) -> Response:
    """``/ontology`` documents every term (``…/ontology#Term`` lands on its anchor);
    ``/ontology.ttl`` and its twins give the ontology graph, SKOS schemes included."""
    if extension.startswith("/"):  # a version IRI, e.g. /ontology/0.1.0
        return RedirectResponse("/ontology", status_code=303)
    _, suffix = split_extension("ontology" + extension)
    if extension and suffix is None:
        return not_found(request)
    media, headers = _negotiate(request, "/ontology", suffix, format)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if media != HTML:
        return _graph_rdf(request, ONTOLOGY_GRAPH, media, headers)
    languages = language_preference(None, request.headers.get("accept-language"))
    doc = document_ontology(reader_of(request), languages)
    return render(request, "ontology.html", headers, doc=doc, alternates=alternates("/ontology"))


@get_and_head(
    router,
    "/shapes{extension:path}",
    summary="The SHACL shapes the data is validated with (RDF; HTML in the ontology page)",
)
def shapes(extension: str, request: Request, format: Format = None) -> Response:
    _, suffix = split_extension("shapes" + extension)
    if extension and suffix is None:
        return not_found(request)
    media, headers = _negotiate(request, "/shapes", suffix, format)
    if media == HTML:
        return RedirectResponse("/ontology#shapes", status_code=303, headers={"Vary": "Accept"})
    return _graph_rdf(request, SHAPES_GRAPH, media, headers)


@get_and_head(
    router,
    "/graph/{name:path}",
    summary="A named graph: a summary (HTML) or its triples (RDF)",
)
def named_graph(name: str, request: Request, format: Format = None) -> Response:
    stem, suffix = split_extension(name)
    graph = graph_iri(stem)
    reader = reader_of(request)
    if not reader.has_graph(graph):
        return not_found(request, graph)
    media, headers = _negotiate(request, f"/graph/{stem}", suffix, format)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if media != HTML:
        return _graph_rdf(request, graph, media, headers)
    types = reader.select(GRAPH_SUMMARY, graph=graph)
    return render(
        request,
        "graph.html",
        headers,
        graph=graph,
        name=stem,
        triples=len(reader.graph_triples(graph)),
        types=[(row["type"].value, int(row["n"].value)) for row in types],
        alternates=alternates(f"/graph/{stem}"),
    )
