"""``/search?q=``: resources found by label, as a page for people or JSON for the search box."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tipgraph.formats import HTML, MediaType
from tipgraph.negotiation import format_by_name, negotiate
from tipgraph.published.embedded import EmbeddedBackend
from tipgraph.search_index import SearchIndex, normalise
from tipgraph.web.downloads import JSON
from tipgraph.web.openapi import CONDITIONAL, PLAIN, answers, ok
from tipgraph.web.pages import cache_headers, get_and_head, not_modified, render
from tipgraph.web.state import AppState, app_state

log = logging.getLogger(__name__)
router = APIRouter(tags=["Search"])
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
MAX_QUERY_LENGTH = 200
ANSWER_TYPES = (HTML, JSON)
_building = threading.Lock()  # one build at a time: a second request waits for the first's

RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["query", "results"],
    "properties": {
        "query": {"type": "string"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["iri", "label", "language", "type", "page"],
                "properties": {
                    "iri": {"type": "string"},
                    "label": {"type": "string", "description": "The label that matched best."},
                    "language": {"type": "string", "description": "Its language ('' if none)."},
                    "type": {"type": "string", "description": "What the resource is, in words."},
                    "page": {"type": "string", "description": "Where its page is."},
                },
            },
        },
    },
}
Text = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_LENGTH,
        description="Words to find, in any language (en, az, ru): accents and case do not "
        "matter, and each word may be the beginning of one (`daxili is`, `minist`).",
    ),
]
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many results (1–{MAX_LIMIT}).")
]
Format = Annotated[str | None, Query(description="Overrides Accept: html or json.")]


def search_index(state: AppState) -> SearchIndex:
    """The index of the served version: the one saved beside a store on disk, else built from
    the store (a SPARQL service, or a version loaded before search existed)."""
    version = state.manifest.version
    index = state.search_index
    if index is not None and index.version == version:
        return index
    with _building:
        index = state.search_index
        if index is None or index.version != version:
            index = _saved_index(state, version) or _built_index(state, version)
            state.search_index = index
    return index


def prepare_search(state: AppState) -> None:
    """Read or build the index in the background, so that the first search is as quick as the
    others (called when the server starts)."""
    state.prepare("search", lambda: search_index(state))


def _saved_index(state: AppState, version: str) -> SearchIndex | None:
    backend = state.dataset.backend
    if not isinstance(backend, EmbeddedBackend):
        return None
    index = SearchIndex.read(backend.version().path)
    return index if index is not None and index.version == version else None


def _built_index(state: AppState, version: str) -> SearchIndex:
    log.info("building the search index from the store")
    return SearchIndex.from_reader(state.reader, version)


@get_and_head(
    router,
    "/search",
    summary="Find resources by label: a page, or JSON by Accept",
    description="Resources (agencies, indicators, places, figures, ontology terms …) whose "
    "labels in any language begin with the words of `q`, best first: the whole label, then "
    "its beginning, then any of its words; a preferred label before an alternative, shorter "
    "labels first. Answers HTML for browsers, JSON for `Accept: application/json` or "
    "`format=json` (what the search box asks as you type).",
    response_class=Response,
    responses=answers(
        ok(
            "The results.", [HTML, "application/json"], schemas={"application/json": RESULTS_SCHEMA}
        ),
        304,
        406,
    )
    | {400: {"description": "A limit out of bounds, or a query too long.", "content": PLAIN}},
    openapi_extra=CONDITIONAL,
)
def search(
    request: Request, q: Text = "", limit: Limit = DEFAULT_LIMIT, format: Format = None
) -> Response:
    media = _answer_type(request, format)
    if media is None:
        return PlainTextResponse(
            "search results are text/html or application/json.\n",
            406,
            {"Cache-Control": "no-store"},
        )
    wanted = normalise(q)
    headers = cache_headers(request, media, variant=f"{wanted}\0{limit}")
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    state = app_state(request)
    hits = search_index(state).search(q, limit) if wanted else []
    results = [
        {
            "iri": hit.iri,
            "label": hit.label,
            "language": hit.language,
            "type": hit.type_label,
            "page": state.links.href(hit.iri),
        }
        for hit in hits
    ]
    if media == JSON:
        return JSONResponse({"query": q, "results": results}, headers=headers)
    return render(
        request,
        "search.html",
        headers,
        search_query=q,
        results=results,
        limit=limit,
        alternates=[{"media_type": "application/json", "href": _json_twin(request)}],
    )


def _answer_type(request: Request, format_param: str | None) -> MediaType | None:
    if format_param is not None:
        wanted = HTML if format_param.strip().lower() == "html" else format_by_name(format_param)
        return wanted if wanted in ANSWER_TYPES else None
    return negotiate(request.headers.get("accept"), ANSWER_TYPES)


def _json_twin(request: Request) -> str:
    """This search as JSON (the page's rel="alternate")."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return app_state(request).links.path("/search") + "?" + urlencode([*query, ("format", "json")])
