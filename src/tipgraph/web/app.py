"""``create_app(settings)``: the FastAPI application serving one store, read-only."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jinja2
from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from tipgraph.aggregates import Aggregates
from tipgraph.config import EndpointSettings
from tipgraph.examples import load_examples
from tipgraph.namespaces import compact_iri
from tipgraph.pool import QueryPool
from tipgraph.result_cache import CacheStats, ResultCache
from tipgraph.store.location import StoreLocation
from tipgraph.store.reader import StoreReader
from tipgraph.web.dataset_pages import router as dataset_pages
from tipgraph.web.description import DatasetDescription
from tipgraph.web.downloads import router as downloads
from tipgraph.web.errors import install_error_handlers
from tipgraph.web.graph_pages import router as graph_pages
from tipgraph.web.links import Links, linkable
from tipgraph.web.openapi import OPENAPI_PATH
from tipgraph.web.pages import not_found
from tipgraph.web.resources import router as resources
from tipgraph.web.sparql_endpoint import ROUTE

log = logging.getLogger(__name__)
PAGE_THREADS = 4


def create_app(settings: EndpointSettings) -> FastAPI:
    """The web app for the store in ``settings.store_dir`` (which must hold a loaded version)."""
    location = StoreLocation(settings.store_dir)
    version = location.require_current()
    links = Links.create(settings.base_url, settings.root_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with location.hold(version):
            async with QueryPool(version.database, settings) as pool:
                app.state.pool = pool
                app.state.reader = StoreReader(version.database)
                # Pages are rendered in threads (pyoxigraph lets go of the GIL while it
                # evaluates): a few at once, so slow pages queue instead of piling up.
                to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS
                if not pool.network_isolated:
                    log.warning(
                        "query workers could not be moved to an empty network namespace; "
                        "only the SERVICE check stands between queries and the network"
                    )
                yield

    app = FastAPI(
        title="tipgraph",
        summary="Facts about combating trafficking in human beings, as Linked Open Data.",
        version=version.manifest.version[:12],
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; users may be offline
        redoc_url=None,
        root_path=links.root,
    )
    app.state.endpoint_settings = settings
    app.state.store_version = version
    app.state.description = DatasetDescription.load(version)
    app.state.aggregates = Aggregates.read(version.path)
    app.state.links = links
    app.state.result_cache = ResultCache(
        settings.result_cache_bytes, max_entry_bytes=settings.buffer_bytes
    )
    app.state.examples = load_examples()  # read once: the package's files do not change
    app.state.templates = jinja2.Environment(
        loader=jinja2.PackageLoader("tipgraph.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.state.templates.globals.update(
        href=app.state.links.href,
        is_local=app.state.links.is_local,
        linkable=linkable,
        path=app.state.links.path,
        compact=compact_iri,
        dataset_version=version.manifest.version,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Retry-After", "Content-Length"],
        max_age=86400,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(packages=[("tipgraph.web", "static")]), name="static")
    app.router.routes.insert(0, ROUTE)  # the busiest route is matched first
    app.include_router(resources)
    app.include_router(graph_pages)
    app.include_router(dataset_pages)
    app.include_router(downloads)

    @app.exception_handler(404)
    async def missing(request: Request, _: Exception) -> Response:
        return not_found(request)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            schema["paths"]["/sparql"] = OPENAPI_PATH
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/health", summary="Liveness and readiness for load balancers")
    def health(request: Request) -> JSONResponse:
        pool: QueryPool = request.app.state.pool
        body = {
            "status": "ok" if pool.alive else "no query workers",
            "version": version.manifest.version,
            "triples": version.manifest.triples,
            "loaded_at": version.manifest.loaded_at,
            "workers": pool.alive,
            "running": pool.busy,
            "waiting": pool.waiting,
            "network_isolated": pool.network_isolated,
            "cache": _cache_summary(request.app.state.result_cache.stats()),
        }
        status = 200 if pool.alive else 503
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    return app


def _cache_summary(stats: CacheStats) -> dict[str, float | int]:
    return {
        "hits": stats.hits,
        "misses": stats.misses,
        "hit_rate": round(stats.hit_rate, 4),
        "entries": stats.entries,
        "bytes": stats.bytes,
        "max_bytes": stats.max_bytes,
        "evictions": stats.evictions,
    }
