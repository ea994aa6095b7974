"""The home page, and the dataset's VoID/DCAT description at /dataset and /.well-known/void;
with them, the paged lists of instances their class counts lead to (``web/lists.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from tipgraph.formats import EXTENSIONS, HTML
from tipgraph.namespaces import compact_iri
from tipgraph.negotiation import negotiate
from tipgraph.quality import Summary, read_summary
from tipgraph.web.description import DatasetDescription
from tipgraph.web.headlines import BROWSE, HEADLINES_SHOWN, Headline, headlines
from tipgraph.web.lists import router as lists
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
)
from tipgraph.web.state import app_state

router = APIRouter(tags=["Dataset"])
router.include_router(lists)  # /list: where the counts on these pages lead
Format = Annotated[str | None, Query(description="Overrides Accept: html, ttl, jsonld, nt, rdf.")]
DESCRIPTION = ok("The description: a page, or RDF.", OFFERED)
DESCRIBED = {
    "response_class": Response,
    "responses": answers(DESCRIPTION, 304, 404, 406),
    "openapi_extra": CONDITIONAL,
}


def description_of(request: Request) -> DatasetDescription:
    """The description of the version this server serves (read once by ``create_app``)."""
    description: DatasetDescription = app_state(request).description
    return description


def human_size(size: int) -> str:
    """``1234567`` → ``1.2 MB`` (decimal units, as download sizes are usually given)."""
    amount = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1000
    raise AssertionError("unreachable")


def validation_of(request: Request) -> Summary | None:
    """What the description says the load's validation found (None: loaded unvalidated)."""
    graph = description_of(request).graph
    return None if graph is None else read_summary(graph)


def page_context(request: Request) -> dict[str, Any]:
    state = app_state(request)
    return {
        "d": description_of(request),
        "validation": validation_of(request),
        "links": state.links,
        "compact": compact_iri,
        "size": human_size,
        "manifest": state.manifest,
        "remote": state.remote,
    }


@get_and_head(router, "/", include_in_schema=False)
def home(request: Request) -> Response:
    """For people: each report's headline figures, the lists to browse, then the counts."""
    state = app_state(request)
    if negotiate(request.headers.get("accept"), (HTML, *RDF_TYPES)) in RDF_TYPES:
        return RedirectResponse(
            state.links.path("/dataset"), status_code=303, headers={"Vary": "Accept"}
        )
    languages = page_languages(None, request.headers.get("accept-language"))
    headers = cache_headers(request, HTML, languages)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if (answer := remembered(request, headers)) is not None:
        return answer
    twins = [t for t in alternates(state.links.path("/dataset")) if t.extension != "html"]
    page = render(
        request,
        "home.html",
        headers,
        alternates=twins,
        headlines=report_headlines(request, languages),
        headlines_shown=HEADLINES_SHOWN,
        browse=BROWSE,
        entities={p.iri: p.entities or p.count for p in description_of(request).classes},
        lang=languages[0],
        **page_context(request),
    )
    return remember(request, page)


def report_headlines(request: Request, languages: tuple[str, ...]) -> dict[str, list[Headline]]:
    """Each source report's headline figures, by the report's IRI."""
    reader = reader_of(request)
    return {s.iri: headlines(reader, s.iri, languages) for s in description_of(request).sources}


@get_and_head(
    router,
    "/dataset",
    summary="The dataset's DCAT catalog and VoID description: HTML or RDF by Accept",
    **DESCRIBED,
)
def dataset(request: Request, format: Format = None) -> Response:
    return _describe(request, None, format)


@get_and_head(
    router,
    "/dataset.{extension}",
    summary="The dataset description in one format: .ttl, .jsonld, .nt, .rdf or .html",
    response_class=Response,
    responses=answers(DESCRIPTION, 304, 404),
    openapi_extra=CONDITIONAL,
)
def dataset_twin(request: Request, extension: str) -> Response:
    if extension not in EXTENSIONS:
        return not_found(request)
    return _describe(request, extension, None)


@get_and_head(
    router,
    "/.well-known/void",
    summary="The VoID description (RFC 5785 well-known location), by Accept",
    **DESCRIBED,
)
def well_known_void(request: Request, format: Format = None) -> Response:
    return _describe(request, None, format)


def _describe(request: Request, extension: str | None, format_param: str | None) -> Response:
    media = choose(extension, format_param, request.headers.get("accept"))
    twins = alternates(app_state(request).links.path("/dataset"))
    headers = cache_headers(request, media) | {"Link": link_header(twins)}
    description = description_of(request)
    if media != HTML and description.graph is None:
        return PlainTextResponse(
            "this store version was loaded without a dataset description; run `tipgraph load`.\n",
            404,
            {"Cache-Control": "no-store"},
        )
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if media != HTML:
        return Response(
            description.serialize(media), media_type=media.content_type, headers=headers
        )
    return render(request, "dataset.html", headers, alternates=twins, **page_context(request))
