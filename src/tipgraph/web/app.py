"""``create_app(settings)``: the FastAPI application serving one store, read-only."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from tipgraph.aggregates import Aggregates
from tipgraph.config import EndpointSettings, RemoteConfig
from tipgraph.errors import StoreError
from tipgraph.examples import load_examples
from tipgraph.namespaces import compact_iri
from tipgraph.pool import QueryPool
from tipgraph.result_cache import CacheStats, ResultCache
from tipgraph.store.location import Manifest, StoreLocation, StoreVersion
from tipgraph.store.reader import EmbeddedReader, StoreReader
from tipgraph.store.remote import RemoteStore
from tipgraph.store.remote_reader import RemoteReader
from tipgraph.web.dataset_pages import router as dataset_pages
from tipgraph.web.description import DatasetDescription
from tipgraph.web.downloads import router as downloads
from tipgraph.web.errors import install_error_handlers
from tipgraph.web.graph_pages import router as graph_pages
from tipgraph.web.links import Links, linkable
from tipgraph.web.openapi import complete
from tipgraph.web.pages import not_found, slash_redirect
from tipgraph.web.resources import router as resources
from tipgraph.web.security import SecurityHeaders
from tipgraph.web.sparql_endpoint import ROUTE
from tipgraph.worker import RemoteTarget

log = logging.getLogger(__name__)
PAGE_THREADS = 4


@dataclass(frozen=True)
class Served:
    """What the app serves: a store version on disk, or the last load into a SPARQL service."""

    manifest: Manifest
    description: DatasetDescription
    aggregates: Aggregates
    version: StoreVersion | None = None  # on disk: its folder holds the database and dumps
    remote: RemoteConfig | None = None

    @classmethod
    def open(cls, settings: EndpointSettings) -> Served:
        """The loaded store; StoreError when there is none (or the service cannot be read)."""
        if isinstance(settings.store, RemoteConfig):
            with RemoteStore.from_config(settings.store, timeout=settings.timeout) as remote:
                remote.ping()
                manifest, triples = remote.read_load()
                if manifest is None:
                    raise StoreError(
                        f"{remote.query_url} holds no tipgraph data yet; run `tipgraph load "
                        "--store URL` with that URL first (tipgraph serve never loads a SPARQL "
                        "service itself)."
                    )
            description = DatasetDescription.from_triples(triples, manifest)
            return cls(manifest, description, Aggregates(), remote=settings.store)
        version = StoreLocation(Path(settings.store)).require_current()
        try:
            description = DatasetDescription.load(version)
            aggregates = Aggregates.read(version.path)
        except (OSError, ValueError, SyntaxError, KeyError, TypeError) as error:
            raise StoreError(
                f"{version.path}: the description saved with this version cannot be read "
                f"({error}); run `tipgraph load` again."
            ) from None
        return cls(version.manifest, description, aggregates, version=version)


def create_app(settings: EndpointSettings) -> FastAPI:
    """The web app for the store in ``settings.store``: a directory holding a loaded version,
    or a SPARQL service a load went into (read-only either way)."""
    served = Served.open(settings)
    manifest = served.manifest
    links = Links.create(settings.base_url, settings.root_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            reader: StoreReader
            target: Path | RemoteTarget
            if served.remote is not None:
                graphs = tuple(manifest.graphs)
                # The service is asked to stop a query at the limit too (tipgraph.store.remote).
                service = dataclasses.replace(served.remote, query_seconds=settings.timeout)
                target = RemoteTarget(service, graphs, settings.timeout + 5)
                remote = RemoteStore.from_config(service, timeout=settings.timeout)
                stack.callback(remote.close)
                reader = RemoteReader(remote, graphs)
                app.state.remote_store = remote
                watcher = asyncio.create_task(_watch_service(app, served.remote, settings))
                stack.callback(watcher.cancel)
            else:
                assert served.version is not None
                location = StoreLocation(served.version.path.parent)
                stack.enter_context(location.hold(served.version))
                target = served.version.database
                reader = EmbeddedReader(served.version.database)
            pool = await stack.enter_async_context(QueryPool(target, settings))
            app.state.pool = pool
            app.state.reader = reader
            # Pages are rendered in threads (pyoxigraph lets go of the GIL while it
            # evaluates): a few at once, so slow pages queue instead of piling up.
            to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS
            if served.remote is None and "namespace" not in pool.network_isolation:
                log.info("query workers are kept off the network by a seccomp filter alone")
            yield

    app = FastAPI(
        title="tipgraph",
        summary="Facts about combating trafficking in human beings, as Linked Open Data.",
        version=manifest.version[:12],
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; users may be offline
        redoc_url=None,
        root_path=links.root,
    )
    app.state.endpoint_settings = settings
    app.state.store_version = served.version  # None for a SPARQL service
    app.state.manifest = manifest
    app.state.restart_needed = False
    app.state.remote = served.remote
    app.state.description = served.description
    app.state.aggregates = served.aggregates
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
        dataset_version=manifest.version,
    )
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
    app.router.routes.insert(0, ROUTE)  # the busiest route is matched first
    app.router.redirect_slashes = False  # Starlette's redirects name the request's Host
    app.router.default = slash_redirect(app.router, links)
    app.include_router(resources)
    app.include_router(graph_pages)
    app.include_router(dataset_pages)
    app.include_router(downloads)

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
        pool: QueryPool = request.app.state.pool
        status = "ok" if pool.alive else "no query workers"
        body: dict[str, Any] = {"store": "embedded"}
        if served.remote is not None:  # ready only while the service answers
            remote: RemoteStore = request.app.state.remote_store
            body = {"store": "sparql"}  # not its URL: /health is public (issue 13, finding 6)
            try:
                remote.ping()
            except StoreError as error:
                log.warning("the SPARQL service does not answer: %s", error)
                status = "the SPARQL service does not answer (the server's log says why)"
        if request.app.state.restart_needed:
            status = "restart needed: the service holds a load with other graphs than served"
        current: Manifest = request.app.state.manifest
        body |= {
            "status": status,
            "version": current.version,
            "triples": current.triples,
            "loaded_at": current.loaded_at,
            "workers": pool.alive,
            "ready": pool.ready,
            "running": pool.busy,
            "waiting": pool.waiting,
            "refused": pool.ledger.refused,  # 429s, by reason
            "network_isolated": bool(pool.network_isolation),
            "network_isolation": list(pool.network_isolation),
            "cache": _cache_summary(request.app.state.result_cache.stats()),
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


async def _watch_service(app: FastAPI, config: RemoteConfig, settings: EndpointSettings) -> None:
    """Follow the loads into a SPARQL service, which may happen while this server runs.

    A new load's manifest becomes the served one, so ETags and cache keys (which carry its
    version) change with the data: nothing cached from the old load is served again. A load
    with other graphs than the ones the query workers were started with cannot be followed:
    /health then says a restart is needed (503), so a load balancer takes this copy out.
    """
    with RemoteStore.from_config(config, timeout=settings.timeout) as remote:
        while True:
            await asyncio.sleep(settings.refresh_seconds)
            try:
                latest, triples = await to_thread.run_sync(remote.read_load)
            except Exception as error:  # the watch goes on, whatever one reading did
                log.warning("cannot read the service's manifest: %s", error)
                continue
            served: Manifest = app.state.manifest
            if latest is None or latest.version == served.version:
                continue
            log.warning("the service holds a new load: %s", latest.version[:12])
            app.state.description = DatasetDescription.from_triples(triples, latest)
            app.state.templates.globals["dataset_version"] = latest.version
            app.state.manifest = latest  # last: the new ETags come with the new description
            if set(latest.graphs) != set(served.graphs):
                app.state.restart_needed = True
