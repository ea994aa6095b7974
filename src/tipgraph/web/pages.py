"""What every page route shares: the store reader, template rendering, caching, the 404 page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from tipgraph.describe import FALLBACK_LANGUAGES, language_preference
from tipgraph.formats import HTML, MediaType
from tipgraph.negotiation import prefers_html
from tipgraph.serving.result_cache import CachedAnswer, ResultCache
from tipgraph.store.location import Manifest
from tipgraph.store.reader import StoreReader
from tipgraph.web.links import Links
from tipgraph.web.state import app_state

CACHE_SECONDS = 300


def reader_of(request: Request) -> StoreReader:
    """The reader of the store this server serves, on disk or a SPARQL service (opened by the
    app's lifespan)."""
    reader: StoreReader = app_state(request).reader
    return reader


def templates(request: Request) -> jinja2.Environment:
    environment: jinja2.Environment = app_state(request).templates
    return environment


def render(
    request: Request,
    template: str,
    headers: dict[str, str] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page from ``template`` (the app's template globals give links and the version)."""
    html = templates(request).get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def page_languages(requested: str | None, accept_language: str | None) -> tuple[str, ...]:
    """The reader's languages (``?lang=``, then Accept-Language, then en, az, ru) among those
    the dataset has labels in: a page is rendered and keyed by these alone, so a made-up
    language makes no page of its own (issue 13, finding 6)."""
    preference = language_preference(requested, accept_language)
    return tuple(language for language in preference if language in FALLBACK_LANGUAGES)


def cache_headers(
    request: Request, media: MediaType, languages: tuple[str, ...] = (), variant: str = ""
) -> dict[str, str]:
    """ETag, Cache-Control and Vary for a document.

    The ETag (and the key a page is remembered by) is made of what the document is made of:
    the dataset version, the path, the representation, the languages (HTML only: only HTML
    depends on them) and ``variant`` (what else the route read, normalised). Parameters a
    route does not read, and the request's host, make no document of their own: a made-up
    ``?bust=N`` cannot fill the cache (issue 13, finding 6).
    """
    manifest: Manifest = app_state(request).manifest
    languages = languages if media == HTML else ()
    key = "\0".join([manifest.version, request.url.path, media.name, ",".join(languages), variant])
    etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    return {
        "ETag": etag,
        "Cache-Control": f"public, max-age={CACHE_SECONDS}",
        "Vary": "Accept, Accept-Language" if media == HTML else "Accept",
    }


def remembered(request: Request, headers: dict[str, str]) -> Response | None:
    """The document with these headers (its ETag) if it is in the app's result cache."""
    cache: ResultCache = app_state(request).result_cache
    answer = cache.get(("page", headers["ETag"]))
    if answer is None:
        return None
    return Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))


def remember(request: Request, response: Response) -> Response:
    """``response`` (a complete 200 with an ETag), kept in the result cache for next time."""
    etag = response.headers.get("etag")
    if response.status_code == 200 and etag and isinstance(response.body, bytes):
        headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
        media_type = response.headers.get("content-type", "")
        cache: ResultCache = app_state(request).result_cache
        cache.put(("page", etag), CachedAnswer(response.body, media_type, headers))
    return response


def not_modified(request: Request, headers: dict[str, str]) -> Response | None:
    """A 304 when the client already holds this representation (If-None-Match)."""
    tags = request.headers.get("if-none-match")
    if not tags:
        return None
    held = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
    if "*" in held or headers["ETag"] in held:
        return Response(status_code=304, headers=headers)
    return None


def not_found(request: Request, iri: str | None = None) -> Response:
    """404: a page for browsers, one line for machines."""
    headers = {"Cache-Control": "no-store"}
    if prefers_html(request.headers.get("accept")):
        return render(request, "not_found.html", headers, 404, iri=iri, requested=request.url.path)
    what = f"nothing is known about <{iri}>" if iri else f"no resource at {request.url.path}"
    return PlainTextResponse(
        f"{what}; browse the dataset at /, or query it at /sparql.\n", 404, headers
    )


def slash_redirect(router: Router, links: Links) -> ASGIApp:
    """What ``router`` answers when no route matches: Starlette's redirect to the path with
    (or without) a trailing slash when a route has that one, else its 404. The redirect is to
    a path on this server, not to a URL built from the request's ``Host`` header as
    Starlette's own is (issue 13, finding 6); set ``router.redirect_slashes`` off to use it."""

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        root, path = scope.get("root_path", ""), scope["path"]
        local = path[len(root) :] if root and path.startswith(root) else path
        if scope["type"] == "http" and local != "/":
            other = local.rstrip("/") if local.endswith("/") else local + "/"
            moved = {**scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
            if any(route.matches(moved)[0] is not Match.NONE for route in router.routes):
                target = links.path("/" + other.lstrip("/"))  # never "//host/…", another site
                if scope.get("query_string"):
                    target += "?" + scope["query_string"].decode("latin-1")
                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        await router.not_found(scope, receive, send)

    return default


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Registers ``endpoint`` for GET and HEAD; only GET is listed in the OpenAPI description
    (one route for both would give two operations the same ID)."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        hidden = options | {"include_in_schema": False}
        router.add_api_route(path, endpoint, methods=["HEAD"], **hidden)
        return endpoint

    return register
