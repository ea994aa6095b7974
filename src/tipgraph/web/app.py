"""``create_app(settings)``: the FastAPI application serving one store, read-only."""

from __future__ import annotations

import asyncio
import contextlib
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

from tipgraph.config import EndpointSettings
from tipgraph.errors import StoreError
from tipgraph.examples import load_examples
from tipgraph.namespaces import compact_iri
from tipgraph.published import Dataset, open_dataset
from tipgraph.serving.pool import QueryPool
from tipgraph.serving.result_cache import CacheStats, ResultCache
from tipgraph.web.dataset_pages import router as dataset_pages
from tipgraph.web.downloads import router as downloads
from tipgraph.web.errors import install_error_handlers
from tipgraph.web.fast_lane import TipgraphApp
from tipgraph.web.figures_table import prepare_figures
from tipgraph.web.figures_table import router as figures_table
from tipgraph.web.graph_pages import router as graph_pages
from tipgraph.web.links import Links, linkable
from tipgraph.web.openapi import complete
from tipgraph.web.pages import not_found, slash_redirect
from tipgraph.web.resources import router as resources
from tipgraph.web.review_pages import router as review_pages
from tipgraph.web.search import prepare_search
from tipgraph.web.search import router as search
from tipgraph.web.security import SecurityHeaders
from tipgraph.web.sparql_endpoint import ROUTE
from tipgraph.web.state import AppState, Served
from tipgraph.wording import quantity

log = logging.getLogger(__name__)
PAGE_THREADS = 4


def create_app(settings: EndpointSettings, dataset: Dataset | None = None) -> FastAPI:
    """The web app serving ``dataset`` (default: the store in ``settings.store``, a directory
    holding a loaded version or a SPARQL service a load went into), read-only."""
    if dataset is None:
        dataset = open_dataset(settings.store, timeout=settings.timeout)
    backend = dataset.backend
    served = Served.of(dataset.publication())
    manifest = served.manifest
    links = Links.create(settings.base_url, settings.root_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            stack.callback(dataset.close)
            stack.enter_context(backend.hold())
            if backend.needs_network:
                watcher = asyncio.create_task(_watch_for_loads(state))
                stack.callback(watcher.cancel)
            target = backend.query_target(settings.timeout)
            pool = await stack.enter_async_context(QueryPool(target, settings))
            state.pool = pool
            prepare_search(state)  # in the background: the server answers meanwhile
            prepare_figures(state)
            # Pages are rendered in threads (pyoxigraph lets go of the GIL while it
            # evaluates): a few at once, so slow pages queue instead of piling up.
            to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS
            if not backend.needs_network and "namespace" not in pool.network_isolation:
                log.info("query workers are kept off the network by a seccomp filter alone")
            yield

    app = TipgraphApp(
        title="tipgraph",
        summary="Facts about combating trafficking in human beings, as Linked Open Data.",
        version=manifest.version[:12],
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; users may be offline
        redoc_url=None,
        root_path=links.root,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("tipgraph.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # the package's templates do not change: no file check per page
    )
    templates.globals.update(
        href=links.href,
        is_local=links.is_local,
        linkable=linkable,
        path=links.path,
        compact=compact_iri,
        dataset_version=manifest.version,
        quantity=quantity,
    )
    state = AppState(
        settings=settings,
        dataset=dataset,
        served=served,
        links=links,
        templates=templates,
        examples=load_examples(),  # read once: the package's files do not change
        result_cache=ResultCache(
            settings.result_cache_bytes, max_entry_bytes=settings.buffer_bytes
        ),
    )
    app.state.tipgraph = state
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Retry-After", "Content-Length"],
        max_age=86400,
    )
    app.add_middleware(SecurityHeaders)  # outside CORS: its own answers get the headers too
    install_error_handlers(app)
    app.mount("/static", StaticFiles(packages=[("tipgraph.web", "static")]), name="static")
    app.router.routes.insert(0, ROUTE)  # first: the requests of tipgraph.web.fast_lane's kind
    app.router.redirect_slashes = False  # Starlette's redirects name the request's Host
    app.router.default = slash_redirect(app.router, links)
    app.include_router(resources)
    app.include_router(graph_pages)
    app.include_router(dataset_pages)
    app.include_router(review_pages)
    app.include_router(downloads)
    app.include_router(search)
    app.include_router(figures_table)

    @app.exception_handler(404)
    async def missing(request: Request, _: Exception) -> Response:
        return not_found(request)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title, version=app.version, summary=app.summary, routes=app.routes
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/health", summary="Liveness and readiness for load balancers")
    def health(request: Request) -> JSONResponse:
        pool = state.query_pool
        status = "ok" if pool.alive else "no query workers"
        # The store's kind, not its URL: /health is public.
        body: dict[str, Any] = {"store": backend.kind}
        if backend.needs_network:  # ready only while the service answers
            try:
                backend.ping()
            except StoreError as error:
                log.warning("the SPARQL service does not answer: %s", error)
                status = "the SPARQL service does not answer (the server's log says why)"
        if state.restart_needed:
            status = "restart needed: the service holds a load with other graphs than served"
        current = state.manifest
        body |= {
            "status": status,
            "version": current.version,
            "triples": current.triples,
            "loaded_at": current.loaded_at,
            "workers": pool.alive,
            "ready": pool.ready,
            "running": pool.busy,
            "waiting": pool.waiting,
            "preparing": sorted(state.preparing),  # read in the background since the start
            "refused": pool.ledger.refused,  # 429s, by reason
            "network_isolated": bool(pool.network_isolation),
            "network_isolation": list(pool.network_isolation),
            "cache": _cache_summary(state.result_cache.stats()),
        }
        code = 200 if status == "ok" else 503
        return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})

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


async def _watch_for_loads(state: AppState) -> None:
    """Follow the loads into a store that can be loaded while served (a SPARQL service).

    A new load becomes the served one, so ETags and cache keys (which carry its version)
    change with the data: nothing cached from the old load is served again. A load with other
    graphs than the ones the query workers were started with cannot be followed: /health then
    says a restart is needed (503), so a load balancer takes this copy out.
    """
    while True:
        await asyncio.sleep(state.settings.refresh_seconds)
        served = state.manifest
        try:
            latest = await to_thread.run_sync(state.dataset.backend.newer_publication, served)
        except Exception as error:  # the watch goes on, whatever one reading did
            log.warning("cannot read the store's manifest: %s", error)
            continue
        if latest is None:
            continue
        log.warning("the store holds a new load: %s", latest.manifest.version[:12])
        state.templates.globals["dataset_version"] = latest.manifest.version
        state.served = Served.of(latest)  # one swap: description and ETags change together
        if set(latest.manifest.graphs) != set(served.graphs):
            state.restart_needed = True
