"""`tipgraph serve`: the web app under uvicorn, with the connection limits."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

import click

from tipgraph.errors import TipgraphError

if TYPE_CHECKING:
    pass
from tipgraph.cli.group import (
    CouldNotRun,
    checkout_settings,
    main,
    progress,
    store_option,
    store_target_of,
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@store_option
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run, sending its answer included, before it is stopped (503; a "
    "streamed answer not taken by then ends unfinished).",
)
@click.option(
    "--max-rows",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most rows (or triples) one result may have; more is an error, never a truncation.",
)
@click.option(
    "--max-result-mb",
    default=256,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most megabytes (MiB) one result may take in its format; more is an error, never a "
    "truncation. 0: no limit.",
)
@click.option(
    "--workers",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query worker processes (each holds the store open read-only, or forwards queries "
    "to the SPARQL service). A client never holds the last free one.",
)
@click.option(
    "--queue",
    "queue_size",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries that may wait for a worker (each client's own are bounded by "
    "--client-queries); beyond that, 503 with Retry-After.",
)
@click.option(
    "--client-seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Query-seconds per minute each client (IP address) may use; beyond, 429 with "
    "Retry-After. 0: no limit.",
)
@click.option(
    "--client-queries",
    default=4,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries each client may have running or waiting at once; beyond, 429. 0: no limit.",
)
@click.option(
    "--worker-memory-mb",
    default=1024,
    show_default=True,
    type=click.IntRange(min=0),
    help="Memory a query worker may grow to; a query that needs more is stopped (503). "
    "0: no limit.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where the dataset's IRIs (https://w3id.org/tipgraph/…) are looked up, if not here: "
    "e.g. https://w3id.org/tipgraph/ itself once it redirects to this server.",
)
@click.option(
    "--root-path",
    metavar="PATH",
    default="",
    help="The path prefix a reverse proxy serves this server under (e.g. /tipgraph).",
)
@click.option(
    "--review",
    is_flag=True,
    help="Also serve /review/SLUG: the checkout's report folders as they are now, drafts "
    "included (what `tipgraph review` writes). For curators on their own machine, not for a "
    "public server.",
)
@click.option(
    "--cache-mb",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    help="Memory for answers kept between requests (queries and pages); 0 turns it off.",
)
@click.option(
    "--forwarded-allow-ips",
    envvar="FORWARDED_ALLOW_IPS",
    default="127.0.0.1,::1",
    show_default=True,
    metavar="ADDRESSES",
    help="Proxies whose X-Forwarded-For names the client (comma-separated, '*' for any): "
    "each client's share is counted by that address. Also FORWARDED_ALLOW_IPS.",
)
@click.option(
    "--max-header-kb",
    default=64,
    show_default=True,
    type=click.IntRange(min=1),
    help="KiB a request's line and header fields may take together; beyond, 414 (a long "
    "request line: send the query by POST) or 431.",
)
@click.option(
    "--idle-timeout",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="Seconds a connection may stay open with no request under way (before its first, "
    "between two); then it is closed.",
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds from a request's first byte to the end of its header fields; beyond, 408.",
)
@click.option(
    "--body-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds from the end of a request's header fields to the end of its body; beyond, 408.",
)
@click.option(
    "--send-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a client may take none of an answer being sent; beyond, the connection is "
    "dropped.",
)
@click.option(
    "--max-connections",
    default=1024,
    show_default=True,
    type=click.IntRange(min=1),
    help="Connections open at once (fewer if the limit on open files is too low for them); "
    "beyond, a new one is answered 503 and closed.",
)
@click.option(
    "--client-connections",
    default=32,
    show_default=True,
    type=click.IntRange(min=0),
    help="Connections each client (IP address) may have open; beyond, 429. Proxies in "
    "--forwarded-allow-ips are not counted. 0: no limit.",
)
@click.option("--access-log/--no-access-log", default=False, help="Log every request.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    store: str | None,
    timeout: float,
    max_rows: int,
    max_result_mb: int,
    workers: int,
    queue_size: int,
    client_seconds: float,
    client_queries: int,
    worker_memory_mb: int,
    base_url: str | None,
    root_path: str,
    review: bool,
    cache_mb: int,
    forwarded_allow_ips: str,
    max_header_kb: int,
    idle_timeout: int,
    header_timeout: float,
    body_timeout: float,
    send_timeout: float,
    max_connections: int,
    client_connections: int,
    access_log: bool,
) -> None:
    """Serve the store: linked-data pages, downloads and a read-only SPARQL 1.1 endpoint.

    Every IRI of the dataset resolves here (https://w3id.org/tipgraph/id/x is /id/x). If the
    store directory is empty, the checkout's data is validated and loaded into it first; a
    SPARQL service (--store URL) is only read: load it with `tipgraph load --store URL`.
    """
    import uvicorn

    from tipgraph.config import ConnectionLimits, EndpointSettings
    from tipgraph.published import LoadOptions, open_dataset
    from tipgraph.web.app import create_app
    from tipgraph.web.limits import protocol_for, serve_capacity

    listener = _bind(host, port)  # first: a port in use is said before anything starts
    if os.geteuid() == 0:
        click.echo(
            "warning: serving as root; a public server should run as a user that may only "
            "read the store (README: Deployment)",
            err=True,
        )
    target = store_target_of(ctx, store)
    try:
        dataset = open_dataset(target, root=ctx.obj["root"], timeout=timeout)
        if dataset.backend.loads_when_served and not dataset.backend.has_load():
            click.echo(f"no store in {dataset.backend.name} yet: loading the data first", err=True)
            checkout_settings(ctx)  # a checkout is needed: say so as every command does
            dataset.load(LoadOptions(progress=progress))
        settings = EndpointSettings(
            store=target,
            timeout=timeout,
            max_rows=max_rows,
            max_result_bytes=max_result_mb << 20,
            workers=workers,
            queue_size=queue_size,
            client_seconds=client_seconds,
            client_queries=client_queries,
            worker_memory_bytes=worker_memory_mb << 20,
            base_url=base_url,
            root_path=root_path,
            result_cache_bytes=cache_mb << 20,
            review=checkout_settings(ctx) if review else None,
        )
        app = create_app(settings, dataset)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    port = listener.getsockname()[1]  # the one the system chose for --port 0
    click.echo(f"tipgraph: http://{host}:{port}/ (SPARQL endpoint at /sparql)", err=True)
    limits = ConnectionLimits(
        max_head_bytes=max_header_kb << 10,
        idle_seconds=idle_timeout,
        head_seconds=header_timeout,
        body_seconds=body_timeout,
        send_seconds=send_timeout,
        max_connections=max_connections,
        client_connections=client_connections,
        trusted_proxies=forwarded_allow_ips,
    )
    capacity = serve_capacity(limits)
    if capacity < max_connections:
        click.echo(
            f"warning: the limit on open files allows {capacity} connections, not "
            f"{max_connections}; raise it (systemd: LimitNOFILE=) or lower --max-connections",
            err=True,
        )
    startup = _Startup(app)
    config = uvicorn.Config(
        startup,
        http=protocol_for(limits, capacity),
        ws="none",  # no WebSocket routes: an upgrade request is an ordinary request
        access_log=access_log,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_keep_alive=idle_timeout,
    )
    server = uvicorn.Server(config)
    with listener, contextlib.suppress(SystemExit):  # uvicorn's exit when the app did not start
        server.run(sockets=[listener])
    if not server.started:
        startup.report()


def _bind(host: str, port: int) -> Any:
    """The server's socket, bound to ``port`` on ``host``; it listens once the app has started
    (until then, connections are refused). CouldNotRun if the port is in use."""
    import errno
    import socket

    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise CouldNotRun(
                f"port {port} on {host} is in use; stop what listens there or choose another "
                "--port."
            ) from None
        reason = error.strerror or str(error)
        raise CouldNotRun(f"cannot listen on port {port} of {host} ({reason}).") from None
    return listener


class _Startup:
    """The app as uvicorn runs it, keeping what stopped it from starting: that is reported in
    one line, not as the traceback uvicorn would log."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.failure: BaseException | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def without_traceback(message: Any) -> None:
            if message["type"] == "lifespan.startup.failed":
                message = {"type": message["type"], "message": ""}
            await send(message)

        try:
            await self.app(scope, receive, without_traceback)
        except BaseException as error:
            self.failure = error
            raise

    def report(self) -> None:
        """Raise what stopped the app from starting: CouldNotRun, or a bug as it is."""
        failure = self.failure
        if isinstance(failure, TipgraphError):
            raise CouldNotRun(str(failure))
        if isinstance(failure, OSError | RuntimeError):
            reason = " ".join(str(failure).split()).rstrip(".")
            raise CouldNotRun(f"the server could not start ({reason}).")
        if failure is not None:
            raise failure
        raise CouldNotRun("the server could not start.")
