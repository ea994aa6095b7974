"""The dumps of the served store version: an index at /dumps/ and the files, with Range."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from tipgraph.export import CHECKSUMS, DUMPS, FORMATS, GZIP, LISTING, DumpFile
from tipgraph.formats import BY_NAME, HTML
from tipgraph.negotiation import format_by_name, negotiate
from tipgraph.observation_table import COLUMNS, METADATA_FILE, METADATA_TYPE, SEPARATOR
from tipgraph.store.location import Manifest
from tipgraph.web.dataset_pages import description_of, page_context
from tipgraph.web.links import Links
from tipgraph.web.openapi import CONDITIONAL, DUMPS_SCHEMA, PLAIN, RANGE, answers, content, ok
from tipgraph.web.pages import (
    CACHE_SECONDS,
    cache_headers,
    get_and_head,
    not_found,
    not_modified,
    render,
)
from tipgraph.web.state import app_state

router = APIRouter(tags=["Downloads"])
# Accept: application/json is read as this type (see tipgraph.formats.ALIASES); sent as JSON.
JSON = BY_NAME["application/sparql-results+json"]
INDEX_TYPES = (HTML, JSON)
Format = Annotated[str | None, Query(description="Overrides Accept: html or json.")]
SIDE_FILES = {CHECKSUMS: "text/plain; charset=utf-8", LISTING: "application/json"}
FILE_TYPES = [
    *(f.media_type for f in FORMATS),
    METADATA_TYPE,
    GZIP,
    "text/plain",
    "application/json",
]
LISTING_SCHEMA = {"application/json": DUMPS_SCHEMA}
PARTIAL = {
    "description": "The bytes asked for by Range (several ranges: multipart/byteranges).",
    "content": content([*FILE_TYPES, "multipart/byteranges"]),
}


def _listing(request: Request) -> dict[str, object]:
    state = app_state(request)
    manifest: Manifest = state.manifest
    files = description_of(request).dumps
    links: Links = state.links
    return {
        "version": manifest.version,
        "loaded_at": manifest.loaded_at,
        "checksums": links.path(f"/{DUMPS}/{CHECKSUMS}"),
        "files": [asdict(f) | {"url": links.path(f"/{DUMPS}/{f.name}")} for f in files],
    }


@get_and_head(
    router,
    "/dumps/",
    summary="The dump files: HTML, or JSON by Accept",
    response_class=Response,
    responses=answers(
        ok("The list of files.", [HTML, "application/json"], schemas=LISTING_SCHEMA), 304, 406
    ),
    openapi_extra=CONDITIONAL,
)
def index(request: Request, format: Format = None) -> Response:
    """Every dump of the served version with its size, count and SHA-256."""
    if format is not None:
        wanted = HTML if format.strip().lower() == "html" else format_by_name(format)
        media = wanted if wanted in INDEX_TYPES else None
    else:
        media = negotiate(request.headers.get("accept"), INDEX_TYPES)
    if media is None:
        return PlainTextResponse(
            "the index is text/html or application/json.\n", 406, {"Cache-Control": "no-store"}
        )
    return _index(request, media == HTML)


@get_and_head(
    router,
    "/dumps.json",
    summary="The dump files as JSON",
    response_class=Response,
    responses=answers(ok("The list of files.", ["application/json"], schemas=LISTING_SCHEMA), 304),
    openapi_extra=CONDITIONAL,
)
def index_json(request: Request) -> Response:
    return _index(request, html=False)


def _index(request: Request, html: bool) -> Response:
    headers = cache_headers(request, HTML if html else JSON)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if html:
        return render(
            request,
            "dumps.html",
            headers,
            alternates=[{"media_type": "application/json", "href": "/dumps.json"}],
            columns=COLUMNS,  # the data dictionary: the same definitions as the CSVW file
            separator=SEPARATOR,
            metadata_file=METADATA_FILE,
            **page_context(request),
        )
    return JSONResponse(_listing(request), headers=headers)  # fmt: skip


@get_and_head(
    router,
    "/dumps/{name}",
    summary="One dump file (Range requests welcome)",
    response_class=Response,
    responses=answers(ok("The file.", FILE_TYPES), 304, 404)
    | {
        206: PARTIAL,
        400: {"description": "A malformed Range header.", "content": PLAIN},
        416: {"description": "The Range is outside the file.", "content": PLAIN},
    },
    openapi_extra=RANGE,
)
def dump_file(request: Request, name: str) -> Response:
    """A file listed in dumps.json (or the listing and SHA256SUMS); anything else is 404.

    A SPARQL service as the store holds no dump files: every name is 404 there.
    """
    folder: Path | None = app_state(request).served.dumps_folder
    listed: dict[str, DumpFile] = {f.name: f for f in description_of(request).dumps}
    if folder is None or not listed:
        return not_found(request)
    if name in listed:
        dump = listed[name]
        headers = {
            "ETag": f'"{dump.sha256}"',
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
        }
        cached = not_modified(request, headers)
        if cached is not None:
            return cached
        return FileResponse(
            folder / name,
            media_type=dump.content_type,
            headers=headers,
            filename=name,
            content_disposition_type="attachment",
        )
    if name in SIDE_FILES:
        return FileResponse(folder / name, media_type=SIDE_FILES[name])
    return not_found(request)
