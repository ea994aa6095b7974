"""Dereferencing: ``/id/…`` answers 303 to ``/doc/…``, which serves HTML or RDF about the IRI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from tipgraph.describe import describe, exists, language_preference, resource_triples
from tipgraph.figures import (
    FIGURES_LISTED,
    agency_figures,
    figure,
    involvement,
    passages,
    series,
    source_text,
    units,
)
from tipgraph.namespaces import ID, QB, SKOS, TIP
from tipgraph.sparql import HTML, MediaType
from tipgraph.store.reader import StoreReader
from tipgraph.web.charts import bar_charts, series_csv
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
POINTS_LISTED = 500  # rows of an indicator's table; its CSV twin has them all

Lang = Annotated[str | None, Query(description="Preferred language of labels (en, az, ru).")]
Format = Annotated[str | None, Query(description="Overrides Accept: html, ttl, jsonld, nt, rdf.")]


@get_and_head(router, "/id/{path:path}", summary="A tipgraph IRI: 303 to its document")
def identifier(path: str, request: Request) -> RedirectResponse:
    """Things are not documents (Cool URIs §4.3): the IRI redirects to the page about it."""
    target = f"/doc/{path}"
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@get_and_head(
    router,
    "/doc/{path:path}",
    summary="The document about a tipgraph IRI: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
)
def document(
    path: str,
    request: Request,
    lang: Lang = None,
    format: Format = None,
    start: int | None = None,
    end: int | None = None,
) -> Response:
    """Negotiated by Accept, ``format=`` or a ``.ttl``/``.jsonld``/``.nt``/``.rdf``/``.html``
    twin; ``.csv`` on an indicator gives its observations, ``.txt`` on a source text the text."""
    reader = reader_of(request)
    stem, extension = split_extension(path)
    if path.endswith((".csv", ".txt")):
        return _plain_twin(request, reader, path)
    iri = ID + stem
    if not exists(reader, iri):
        return not_found(request, iri)
    media = choose(extension, format, request.headers.get("accept"))
    twins = alternates(f"/doc/{stem}")
    languages = language_preference(lang, request.headers.get("accept-language"))
    headers = cache_headers(request, media, languages) | {"Link": link_header(twins)}
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if media != HTML:
        return _rdf(reader, iri, media, headers)
    return render(
        request,
        "resource.html",
        headers,
        **_page(reader, iri, languages, start, end),
        alternates=twins,
        lang=languages[0],
    )


def _rdf(reader: StoreReader, iri: str, media: MediaType, headers: dict[str, str]) -> Response:
    assert media.rdf_format is not None
    body = reader.serialize(resource_triples(reader, iri), media.rdf_format)
    return Response(body, media_type=media.content_type, headers=headers)


def _page(
    reader: StoreReader, iri: str, languages: tuple[str, ...], start: int | None, end: int | None
) -> dict[str, Any]:
    """What resource.html shows: the description and the sections its types call for."""
    description = describe(reader, iri, languages)
    types = description.type_iris()
    context: dict[str, Any] = {
        "resource": description,
        "figure": None,
        "passages": [],
        "units": [],
        "figures": [],
        "involvement": [],
        "charts": [],
        "points": [],
        "points_total": 0,
        "paragraphs": [],
        "figures_listed": FIGURES_LISTED,
    }
    if f"{QB}Observation" in types:
        context["figure"] = figure(reader, iri, languages)
    if f"{QB}Observation" in types or f"{TIP}Quote" in types:
        context["passages"] = passages(reader, iri)
    if not types & {f"{QB}Observation", f"{TIP}Quote", f"{TIP}SourceText"}:
        context["units"] = units(reader, iri, languages)
        context["figures"] = agency_figures(reader, iri, languages)
        context["involvement"] = involvement(reader, iri, languages)
    if f"{SKOS}Concept" in types:
        points = series(reader, iri, languages)
        context["points"] = points[:POINTS_LISTED]
        context["points_total"] = len(points)
        context["charts"] = bar_charts(points)
    if f"{TIP}SourceText" in types:
        text = source_text(reader, iri) or ""
        context["paragraphs"] = paragraphs(text, start, end)
    return context


def paragraphs(text: str, start: int | None, end: int | None) -> list[tuple[str, str, str]]:
    """The text's non-empty lines as (before, highlighted, after), marking ``start``–``end``."""
    result = []
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        if start is not None and end is not None and start < line_end and end > offset:
            a, b = max(start, offset) - offset, min(end, line_end) - offset
            result.append((line[:a], line[a:b], line[b:]))
        elif line.strip():
            result.append((line, "", ""))
        offset = line_end + 1
    return result


def _plain_twin(request: Request, reader: StoreReader, path: str) -> Response:
    stem, _, extension = path.rpartition(".")
    iri = ID + stem
    if extension == "txt":
        text = source_text(reader, iri)
        if text is None:
            return not_found(request, iri)
        return PlainTextResponse(text, headers={"Cache-Control": "public, max-age=300"})
    if not exists(reader, iri):
        return not_found(request, iri)
    languages = language_preference(None, request.headers.get("accept-language"))
    points = series(reader, iri, languages)
    if not points:
        return not_found(request, iri)
    filename = stem.rsplit("/", 1)[-1]
    return Response(
        series_csv(points),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"',
            "Cache-Control": "public, max-age=300",
        },
    )
