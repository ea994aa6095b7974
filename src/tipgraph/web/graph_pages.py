"""Whole graphs at their IRIs: the ontology (documented), the shapes, and each named graph."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from tipgraph.aggregates import Aggregates
from tipgraph.describe import label_of
from tipgraph.errors import NotAcceptable
from tipgraph.formats import HTML, MediaType
from tipgraph.namespaces import ONTOLOGY, ONTOLOGY_GRAPH, SHAPES_GRAPH, graph_iri
from tipgraph.ontology_docs import document_ontology
from tipgraph.store.location import Manifest
from tipgraph.store.reader import StoreReader, is_iri
from tipgraph.web.links import iri_path
from tipgraph.web.model_diagram import figure_model
from tipgraph.web.openapi import CONDITIONAL, answers, ok
from tipgraph.web.pages import (
    cache_headers,
    get_and_head,
    not_found,
    not_modified,
    page_languages,
    reader_of,
    remember,
    remembered,
    render,
)
from tipgraph.web.representations import (
    OFFERED,
    RDF_TYPES,
    alternates,
    choose,
    link_header,
    split_extension,
)
from tipgraph.web.state import app_state

router = APIRouter(tags=["Linked data"])
Format = Annotated[str | None, Query(description="Overrides Accept: html, ttl, jsonld, nt, rdf.")]

GRAPH_SUMMARY = """
SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 100"""
VERSION_IRI = "ASK { ?ontology owl:versionIRI $version }"
# Turtle and N-Triples are written in chunks of this many triples, so a graph of any size streams
# (a Turtle document may repeat its @prefix lines). JSON-LD and RDF/XML are one document each:
# they are built whole, for graphs up to WHOLE_LIMIT triples; the dumps hold the rest.
CHUNK = 10_000
WHOLE_LIMIT = 200_000
STREAMED = {"text/turtle", "application/n-triples"}


def _chunks(reader: StoreReader, graph: str, media: MediaType) -> Iterator[bytes]:
    assert media.rdf_format is not None
    triples = reader.graph_triples(graph)
    while chunk := list(islice(triples, CHUNK)):
        yield reader.serialize(chunk, media.rdf_format)


def _graph_rdf(request: Request, graph: str, media: MediaType, headers: dict[str, str]) -> Response:
    reader = reader_of(request)
    if media.name in STREAMED:
        return StreamingResponse(
            _chunks(reader, graph, media), media_type=media.content_type, headers=headers
        )
    manifest: Manifest = app_state(request).manifest
    if manifest.graphs.get(graph, 0) > WHOLE_LIMIT:
        raise NotAcceptable(
            f"<{graph}> is too large for one {media.name} document; ask for text/turtle or "
            "application/n-triples (streamed), or download the dumps at /dumps/."
        )
    assert media.rdf_format is not None
    body = reader.serialize(reader.graph_triples(graph), media.rdf_format)
    return Response(body, media_type=media.content_type, headers=headers)


def _negotiate(
    request: Request,
    doc_path: str,
    extension: str | None,
    format: str | None,
    languages: tuple[str, ...] = (),
) -> tuple[MediaType, dict[str, str]]:
    media = choose(extension, format, request.headers.get("accept"))
    twins = alternates(app_state(request).links.path(doc_path))
    return media, cache_headers(request, media, languages) | {"Link": link_header(twins)}


def _suffix(name: str, rest: str) -> tuple[bool, str | None]:
    """Whether ``name + rest`` is exactly ``name`` or one of its twins, and the twin's suffix."""
    stem, suffix = split_extension(name + rest)
    return stem == name, suffix


@get_and_head(
    router,
    "/ontology{extension:path}",
    summary="The tipgraph ontology: documentation (HTML) or the ontology graph (RDF)",
    response_class=Response,
    responses=answers(ok("The documentation, or the graph.", OFFERED), 303, 304, 404, 406),
    openapi_extra=CONDITIONAL,
)
def ontology(extension: str, request: Request, format: Format = None) -> Response:
    """``/ontology`` documents every term (``…/ontology#Term`` lands on its anchor);
    ``/ontology.ttl`` and its twins give the ontology graph, SKOS schemes included."""
    state = app_state(request)
    reader = reader_of(request)
    if extension.startswith("/"):  # the version IRI, e.g. /ontology/0.1.0
        version = ONTOLOGY + extension
        if not is_iri(version) or not reader.ask(VERSION_IRI, {"version": version}):
            return not_found(request, version)
        return RedirectResponse(state.links.path("/ontology"), status_code=303)
    exact, suffix = _suffix("ontology", extension)
    if not exact:
        return not_found(request)
    languages = page_languages(None, request.headers.get("accept-language"))
    media, headers = _negotiate(request, "/ontology", suffix, format, languages)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if media != HTML:
        return _graph_rdf(request, ONTOLOGY_GRAPH, media, headers)
    if (answer := remembered(request, headers)) is not None:
        return answer  # the page is built from the whole ontology: once per version
    doc = document_ontology(reader, languages)
    twins = alternates(state.links.path("/ontology"))
    model = figure_model(lambda iri: label_of(reader, iri, languages))
    page = render(request, "ontology.html", headers, doc=doc, alternates=twins, model=model)
    return remember(request, page)


@get_and_head(
    router,
    "/shapes{extension:path}",
    summary="The SHACL shapes the data is validated with (RDF; HTML in the ontology page)",
    response_class=Response,
    responses=answers(ok("The shapes graph.", RDF_TYPES), 303, 304, 404, 406),
    openapi_extra=CONDITIONAL,
)
def shapes(extension: str, request: Request, format: Format = None) -> Response:
    exact, suffix = _suffix("shapes", extension)
    if not exact:
        return not_found(request)
    media, headers = _negotiate(request, "/shapes", suffix, format)
    if media == HTML:
        target = app_state(request).links.path("/ontology#shapes")
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    return _graph_rdf(request, SHAPES_GRAPH, media, headers)


@get_and_head(
    router,
    "/graph/{name:path}",
    summary="A named graph: a summary (HTML) or its triples (RDF)",
    response_class=Response,
    responses=answers(ok("The summary, or the graph.", OFFERED), 304, 404, 406),
    openapi_extra=CONDITIONAL,
)
def named_graph(name: str, request: Request, format: Format = None) -> Response:
    state = app_state(request)
    stem, suffix = split_extension(iri_path(name))
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
    manifest: Manifest = state.manifest
    aggregates: Aggregates = state.aggregates
    if aggregates.available:  # counted at load time
        types = aggregates.graph_classes.get(graph, [])
    else:  # a version built before the counts were saved
        rows = reader.select(GRAPH_SUMMARY, graph=graph)
        types = [(row["type"].value, int(row["n"].value)) for row in rows]
    return render(
        request,
        "graph.html",
        headers,
        graph=graph,
        name=stem,
        triples=manifest.graphs.get(graph, 0),
        types=types,
        alternates=alternates(state.links.path(f"/graph/{stem}")),
    )
