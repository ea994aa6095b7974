"""Dereferencing: ``/id/…`` answers 303 to ``/doc/…``, which serves HTML or RDF about the IRI."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tipgraph.aggregates import Aggregates
from tipgraph.describe import (
    CBD_LIMIT,
    Description,
    describe,
    exists,
    resource_triples,
)
from tipgraph.figures import (
    FIGURES_LISTED,
    agency_figures,
    count_observations,
    figure,
    involvement,
    passages,
    series,
    source_text,
    units,
)
from tipgraph.formats import BY_NAME, HTML, MediaType
from tipgraph.namespaces import ID, ORG, PROV, QB, SKOS, TIP
from tipgraph.negotiation import prefers_html
from tipgraph.observation_table import indicator_table
from tipgraph.source_marks import Mark, lines_of, marks_of
from tipgraph.store.reader import StoreReader, is_iri
from tipgraph.web.charts import bar_charts
from tipgraph.web.links import iri_path
from tipgraph.web.openapi import CONDITIONAL, NOT_FOUND, SEE_OTHER, answers, ok
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
    alternates,
    choose,
    link_header,
    split_extension,
)
from tipgraph.web.state import app_state

router = APIRouter(tags=["Linked data"])
POINTS_LISTED = 200  # observations on an indicator's page; its CSV twin has them all
CSV = BY_NAME["text/csv"]
TEXT = MediaType("text/plain", ("txt",), "")

Lang = Annotated[str | None, Query(description="Preferred language of labels (en, az, ru).")]
Format = Annotated[str | None, Query(description="Overrides Accept: html, ttl, jsonld, nt, rdf.")]
# Offsets into a source text to mark; anything but a number is ignored (a link may be mangled).
Offset = Annotated[str | None, Query(description="Source texts: code-point offset to mark.")]


# Digits an offset may have: no text is longer than that, and ``int`` refuses more than 4,300
# (Python's guard against quadratic conversions), so a longer value is no offset.
OFFSET_DIGITS = 12


def _offset(value: str | None) -> int | None:
    """``value`` as an offset if it is one: ASCII digits only (``str.isdigit`` also takes "²",
    which ``int`` refuses), at most :data:`OFFSET_DIGITS` of them."""
    if value is None or len(value) > OFFSET_DIGITS:
        return None
    return int(value) if value.isascii() and value.isdigit() else None


def _mark(start: str | None, end: str | None) -> tuple[int, int] | None:
    """The passage ``start``–``end`` asks to mark, if both are offsets and it is one."""
    first, last = _offset(start), _offset(end)
    return (first, last) if first is not None and last is not None and first < last else None


def minted(path: str) -> str | None:
    """The IRI a request path under /id/ or /doc/ (decoded) names, if it can name one."""
    iri = ID + iri_path(path)
    if not path or ".." in path.split("/") or not is_iri(iri):
        return None
    return iri


@get_and_head(
    router,
    "/id/{path:path}",
    summary="A tipgraph IRI: 303 to its document",
    status_code=303,
    response_class=Response,
    responses={303: SEE_OTHER, 404: NOT_FOUND},
)
def identifier(path: str, request: Request) -> Response:
    """Things are not documents (Cool URIs §4.3): the IRI redirects to the page about it."""
    iri = minted(path)
    if iri is None:
        return not_found(request)
    target = app_state(request).links.path(f"/doc/{iri[len(ID) :]}")
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@get_and_head(
    router,
    "/doc/{path:path}",
    summary="The document about a tipgraph IRI: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
    response_class=Response,
    responses=answers(
        ok(
            "The document, negotiated; an indicator's observations as CSV (.csv), a source "
            "text as plain text (.txt).",
            [*OFFERED, CSV, TEXT],
        ),
        304,
        404,
        406,
    ),
    openapi_extra=CONDITIONAL,
)
async def document(
    path: str,
    request: Request,
    lang: Lang = None,
    format: Format = None,
    start: Offset = None,
    end: Offset = None,
) -> Response:
    """Negotiated by Accept, ``format=`` or a ``.ttl``/``.jsonld``/``.nt``/``.rdf``/``.html``
    twin; ``.csv`` on an indicator gives its observations, ``.txt`` on a source text the text."""
    quick = reader_of(request).local and not prefers_html(request.headers.get("accept"))
    if quick:  # RDF for a machine, of a resource of a usual size: written at once
        with contextlib.suppress(_NotQuick):
            return _document(path, request, lang, format, start, end, quick=True)
    return await run_in_threadpool(_document, path, request, lang, format, start, end)


# The most triples of a resource written on the event loop (about 150 µs for an observation's
# 17): the hop to a page thread and back cost an RDF document two thirds of its time
# (bench/README.md). Pages, larger documents and a SPARQL service's answers wait in threads.
QUICK_TRIPLES = 1_000


class _NotQuick(Exception):
    """The document asked for is not one :func:`document` writes on the event loop."""


def _document(
    path: str,
    request: Request,
    lang: str | None,
    format: str | None,
    start: str | None,
    end: str | None,
    *,
    quick: bool = False,
) -> Response:
    """:func:`document`'s answer; with ``quick``, _NotQuick unless it is an RDF document of
    fewer than QUICK_TRIPLES triples (or a 404, 304 or 406 for a machine)."""
    state = app_state(request)
    reader = reader_of(request)
    named = minted(path)
    if named is None:
        return not_found(request)
    local = named[len(ID) :]
    stem, extension = split_extension(local)
    if local.endswith((".csv", ".txt")):
        if quick:
            raise _NotQuick
        return _plain_twin(request, reader, local)
    iri = ID + stem
    if not exists(reader, iri):
        return not_found(request, iri)
    media = choose(extension, format, request.headers.get("accept"))
    if quick and media == HTML:  # .html or format=html asked by a client preferring data
        raise _NotQuick
    twins = alternates(state.links.path(f"/doc/{stem}"))
    languages = page_languages(lang, request.headers.get("accept-language"))
    mark = _mark(start, end) if media == HTML else None
    variant = "" if mark is None else f"{mark[0]}-{mark[1]}"
    headers = cache_headers(request, media, languages, variant) | {"Link": link_header(twins)}
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if mark is None and (answer := remembered(request, headers)) is not None:
        return answer
    if media != HTML:
        limit = QUICK_TRIPLES if quick else CBD_LIMIT
        return remember(request, _rdf(reader, iri, media, headers, limit))
    page = render(
        request,
        "resource.html",
        headers,
        **_page(reader, state.aggregates, iri, languages, mark),
        alternates=twins,
        lang=languages[0],
    )
    # A passage marked is one of as many pages as a text has passages: not kept.
    return page if mark is not None else remember(request, page)


def _rdf(
    reader: StoreReader, iri: str, media: MediaType, headers: dict[str, str], limit: int
) -> Response:
    """The resource's description in ``media``; _NotQuick if it reaches ``limit`` triples
    before CBD_LIMIT (it is then written again in a thread, whole)."""
    assert media.rdf_format is not None
    triples = resource_triples(reader, iri, limit)
    if limit < CBD_LIMIT and len(triples) >= limit:
        raise _NotQuick
    body = reader.serialize(triples, media.rdf_format)
    return Response(body, media_type=media.content_type, headers=headers)


def _page(
    reader: StoreReader,
    aggregates: Aggregates,
    iri: str,
    languages: tuple[str, ...],
    mark: tuple[int, int] | None,
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
        "lines": [],
        "passage_line": -1,
        "numerals_marked": 0,
        "passages_marked": 0,
        "figures_listed": FIGURES_LISTED,
        "figures_total": 0,
    }
    if f"{QB}Observation" in types:
        context["figure"] = figure(reader, iri, languages)
    if f"{QB}Observation" in types or f"{TIP}Quote" in types:
        context["passages"] = passages(reader, iri)
    if not types & {f"{QB}Observation", f"{TIP}Quote", f"{TIP}SourceText"}:
        context["units"] = units(reader, iri, languages)
        context["figures"] = agency_figures(reader, iri, languages)
        context["involvement"] = involvement(reader, iri, languages)
        context["figures_total"] = _without_repeats(description, context)
    if f"{SKOS}Concept" in types:
        points = series(reader, iri, languages, limit=POINTS_LISTED)
        context["points"] = points
        context["points_total"] = (
            (
                aggregates.indicator_observations.get(iri, 0)
                if aggregates.available
                else count_observations(reader, iri)
            )
            if points
            else 0
        )
        context["charts"] = bar_charts(points)
    if f"{TIP}SourceText" in types:
        text = source_text(reader, iri) or ""
        marks = marks_of(reader, iri, languages)
        if mark is not None and 0 <= mark[0] < mark[1] <= len(text):
            marks.append(Mark(mark[0], mark[1], "asked"))
        lines = lines_of(text, marks)
        context["lines"] = lines
        context["passage_line"] = next(
            (i for i, line in enumerate(lines) if any(seg.has("asked") for seg in line)), -1
        )
        context["numerals_marked"] = sum(m.kind == "numeral" for m in marks)
        context["passages_marked"] = sum(m.kind == "figure" for m in marks)
        # The text is shown as paragraphs: not a second time as a property.
        description.properties = [
            p for p in description.properties if p.predicate.node.value != f"{PROV}value"
        ]
    return context


def _without_repeats(description: Description, context: dict[str, Any]) -> int:
    """Drops the rows the sections written for people already show: units (org:hasUnit,
    org:unitOf) beside "Units", the figures naming it as actor beside "Figures it reported".
    Returns how many figures name it as actor (the section lists the first few)."""
    dropped = set()
    if context["units"]:
        dropped |= {f"{ORG}hasUnit", f"{ORG}unitOf"}
    if context["figures"]:
        dropped.add(f"{TIP}actor")
    description.properties = [
        p for p in description.properties if p.predicate.node.value not in dropped
    ]
    actor = [b.count for b in description.backlinks if b.predicate.node.value == f"{TIP}actor"]
    description.backlinks = [
        b for b in description.backlinks if b.predicate.node.value not in dropped
    ]
    return actor[0] if actor else len(context["figures"])


def _plain_twin(request: Request, reader: StoreReader, path: str) -> Response:
    stem, _, extension = path.rpartition(".")
    iri = ID + stem
    if extension == "txt":
        text = source_text(reader, iri)
        if text is None:
            return not_found(request, iri)
        return PlainTextResponse(text, headers=cache_headers(request, TEXT))
    if not exists(reader, iri):
        return not_found(request, iri)
    table, rows = indicator_table(reader, iri)  # tipgraph.csv's columns, this indicator's rows
    if not rows:
        return not_found(request, iri)
    filename = stem.rsplit("/", 1)[-1]
    return Response(
        table,
        media_type="text/csv; charset=utf-8",
        headers=cache_headers(request, CSV)
        | {"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
