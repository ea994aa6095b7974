"""The `tipgraph` command line: parses options, calls the core, formats output."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tipgraph.config import Settings, StoreTarget
from tipgraph.errors import TipgraphError
from tipgraph.formats import query_format_names
from tipgraph.progress import LoadBar

if TYPE_CHECKING:
    from tipgraph.published import Dataset

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class CouldNotRun(click.ClickException):
    """A TipgraphError shown as one line on stderr, exit 2 (pyshacl's convention)."""

    exit_code = EXIT_ERROR


def _settings(ctx: click.Context) -> Settings:
    root: Path | None = ctx.obj["root"]
    try:
        return Settings.load(root=root)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None


def _shown(path: Path, settings: Settings) -> str:
    """A path as users typed it: relative to the checkout when inside it."""
    return str(path.relative_to(settings.root)) if path.is_relative_to(settings.root) else str(path)


def _data_paths(settings: Settings, paths: Sequence[Path]) -> list[Path]:
    return [Path(p) for p in paths] if paths else [settings.data_dir]


def _jobs_option(command: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        help="Processes (threads for loading) to use. Default: one per core.",
    )(command)


class _Commands(click.Group):
    """tipgraph's commands. An OSError or RuntimeError none of them expected (pyoxigraph raises
    them when a database fails under a query) is also one line on stderr, exit 2; any other
    exception is a bug, and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):  # click's own, RuntimeErrors too
            raise
        except (OSError, RuntimeError) as error:
            reason = " ".join(str(error).split()).rstrip(".")  # RocksDB's: double spaces
            raise CouldNotRun(f"`tipgraph {ctx.invoked_subcommand}` failed ({reason}).") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tipgraph")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TIPGRAPH_ROOT",
    help="The tipgraph checkout (ontology/, shapes/, data/). Default: the current folder.",
)
@click.option(
    "--graph-store",
    metavar="URL",
    envvar="TIPGRAPH_GRAPH_STORE",
    help="With --store URL: the service's Graph Store Protocol URL, if not the one its layout "
    "implies (Oxigraph …/query → …/store, Virtuoso …/sparql → …/sparql-graph-crud[-auth]).",
)
@click.pass_context
def main(ctx: click.Context, root: Path | None, graph_store: str | None) -> None:
    """tipgraph: facts about combating trafficking in human beings as Linked Open Data."""
    ctx.obj = {"root": root, "graph_store": graph_store}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people; json for pipelines; turtle = the SHACL validation report.",
)
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of SHACL shapes to use instead of the checkout's shapes/.",
)
@_jobs_option
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    shapes_dir: Path | None,
    jobs: int | None,
) -> None:
    """Validate the ontology and data against the SHACL shapes.

    PATHS are data folders or Turtle files (default: the checkout's data/). Each report is
    validated with the ontology and the shared folders, in parallel, against the shapes and the
    fidelity rules (each figure's value and qualifier are its words; every numeral of a source
    text is covered); then the rules across reports (an IRI minted by two reports). Exit 0 when
    the data conforms, 1 on violations, 2 when validation could not run (e.g. a file does not
    parse).
    """
    from tipgraph.conformance import validate_reports

    settings = _settings(ctx)
    started = time.perf_counter()
    try:
        report = validate_reports(
            settings.ontology_dir,
            shapes_dir or settings.shapes_dir,
            _data_paths(settings, paths),
            root=settings.root,
            jobs=jobs,
            progress=_progress if output_format == "text" else lambda _: None,
        )
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    elapsed = time.perf_counter() - started
    if output_format == "json":
        click.echo(report.to_json())
    elif output_format == "turtle":
        click.echo(report.report_turtle)
    else:
        _print_report_text(report)
        verdict = "conforms" if report.conforms else f"{report.violations} violation(s)"
        click.echo(
            f"{verdict}: {report.triples:,} triples checked in {elapsed:.1f} s",
            err=True,
        )
    ctx.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)


def _print_report_text(report: Any) -> None:
    for focus, results in report.by_focus_node().items():
        where = ", ".join(results[0].locations or results[0].files) or "(no file)"
        click.echo(f"{focus}  [{where}]")
        for result in results:
            click.echo(f"  {result.severity.value}: {result.message}")
            if result.locations and result.locations != results[0].locations:
                click.echo(f"    at:     {', '.join(result.locations)}")
            for label, shown in (
                ("path", result.path),
                ("value", result.value),
                (
                    "stated",
                    None
                    if result.stated is None
                    else json.dumps(result.stated, ensure_ascii=False),
                ),
                ("quote", None if result.quote is None else f"“{result.quote}”"),
                ("hint", result.hint),
            ):
                if shown:
                    click.echo(f"    {label + ':':7} {shown}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="List every numeral, not only the missing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.pass_context
def coverage(
    ctx: click.Context, paths: tuple[Path, ...], show_all: bool, output_format: str
) -> None:
    """Check that every numeral of each source text is a figure in the data.

    A numeral must be stated by an observation (tip:statedValue inside its quote) or listed as a
    tip:NonStatisticalNumeral with its kind (year, ordinal …). Exit 1 when any is missing.
    """
    from tipgraph.coverage import check_coverage
    from tipgraph.dataset import assemble_dataset

    settings = _settings(ctx)
    try:
        assembled = assemble_dataset(settings.ontology_dir, _data_paths(settings, paths))
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    reports = check_coverage(assembled)
    missing = sum(len(r.missing) for r in reports)
    if output_format == "json":
        body = [
            {
                "source": _shown(r.source.path, settings),
                "numerals": [
                    {
                        "text": n.text,
                        "start": n.start,
                        "end": n.end,
                        "line": n.line,
                        "column": n.column,
                        "covered_by": list(n.covered_by),
                    }
                    for n in r.numerals
                    if show_all or not n.covered
                ],
            }
            for r in reports
        ]
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        for report in reports:
            for numeral in report.numerals:
                if show_all or not numeral.covered:
                    status = ", ".join(numeral.covered_by) or "MISSING"
                    click.echo(
                        f"{_shown(report.source.path, settings)}:{numeral.line}:{numeral.column}: "
                        f"{numeral.text!r} {status}"
                    )
            click.echo(
                f"{_shown(report.source.path, settings)}: {len(report.numerals)} numerals, "
                f"{len(report.missing)} missing",
                err=True,
            )
    if not reports:
        click.echo("no source texts found (expected data/<report>/source.<lang>.txt)", err=True)
    sys.exit(1 if missing else 0)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("passage")
def locate(source: Path, passage: str) -> None:
    """Print the Web Annotation selectors of PASSAGE in the SOURCE text, for curators.

    PASSAGE must occur exactly once, verbatim. Paste the output into a quote's description.
    """
    from tipgraph.quoting import locate as locate_passage

    try:
        text = source.read_text(encoding="utf-8")
        selectors = locate_passage(text, passage)
    except UnicodeDecodeError as error:
        raise CouldNotRun(f"{source}: not UTF-8 text ({error.reason})") from None
    except TipgraphError as error:
        raise CouldNotRun(f"{source}: {error}") from None
    click.echo(selectors.to_turtle())


def _store_option(command: F) -> F:
    return click.option(
        "--store",
        "store",
        metavar="DIR|URL",
        help="The store: a directory (embedded Oxigraph), or the query URL of a SPARQL 1.1 "
        "service (http://host:7878/query, http://user:password@host:8890/sparql). Default: "
        "$TIPGRAPH_STORE, else .tipgraph/store in the checkout.",
    )(command)


def _store_target(ctx: click.Context, store: str | Path | None) -> StoreTarget:
    """The ``--store`` of a command: a directory, or a SPARQL service (RemoteConfig)."""
    from tipgraph.config import store_target

    root: Path | None = ctx.obj["root"]
    option = str(store) if store is not None else None
    return store_target(option, (root or Path.cwd()).resolve(), graph_store=ctx.obj["graph_store"])


def _open_dataset(ctx: click.Context, store: str | Path | None) -> Dataset:
    """The published dataset the command works on: ``--store``, else the checkout's."""
    from tipgraph.published import open_dataset

    root: Path | None = ctx.obj["root"]
    return open_dataset(_store_target(ctx, store), root=root)


def _progress(message: str) -> None:
    click.echo(message, err=True)


@main.command()
@_store_option
@click.option(
    "--no-validate",
    is_flag=True,
    help="Load even if the data does not conform to the shapes (not for publication).",
)
@click.option(
    "--dumps/--no-dumps",
    default=True,
    show_default=True,
    help="Write the downloads (every format, gzipped, with checksums) beside the store.",
)
@_jobs_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def load(
    ctx: click.Context,
    store: str | None,
    no_validate: bool,
    dumps: bool,
    jobs: int | None,
    paths: tuple[Path, ...],
) -> None:
    """Validate the data and bulk-load it into a fresh store, then swap it in atomically.

    PATHS are data folders or files (default: the checkout's data/). Progress goes to stderr.
    A failed or interrupted load leaves the previous store exactly as it was.
    """
    from tipgraph.published import LoadOptions

    settings = _settings(ctx)
    bar = LoadBar(sys.stderr)
    options = LoadOptions(
        validate=not no_validate,
        data_paths=_data_paths(settings, paths),
        jobs=jobs,
        dumps=dumps,
        progress=bar.message,
        on_load=bar.update,
    )
    try:
        with _open_dataset(ctx, store) as dataset:
            manifest = dataset.load(options)
    except TipgraphError as error:
        bar.end()
        raise CouldNotRun(str(error)) from None
    click.echo(
        f"loaded {manifest.triples:,} triples in {len(manifest.graphs)} graphs from "
        f"{manifest.files} files in {manifest.seconds:.1f} s "
        f"(version {manifest.version[:12]}{'' if manifest.validated else ', NOT validated'})",
        err=True,
    )


@main.command()
@click.argument("query_text", metavar="QUERY", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a file ('-' for stdin).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(query_format_names()),
    default="table",
    show_default=True,
    help="table for people (Turtle for CONSTRUCT/DESCRIBE); the others are the standard formats.",
)
@_store_option
@click.pass_context
def query(
    ctx: click.Context,
    query_text: str | None,
    query_file: Any,
    output_format: str,
    store: str | None,
) -> None:
    """Run a SPARQL query on the store. The prefixes of README are predeclared.

    The default graph is the union of all graphs, as on the endpoint; on a SPARQL service, the
    union of the graphs tipgraph loaded there. Exit 2 if the query does not parse or the store
    is missing (or the service cannot be reached).
    """
    if (query_text is None) == (query_file is None):
        raise click.UsageError("give the query as an argument or with -f FILE (one of them).")
    text = query_text if query_text is not None else query_file.read()
    try:
        with _open_dataset(ctx, store) as dataset:
            dataset.write_query(text, output_format, sys.stdout.buffer)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None


@main.command()
@click.option(
    "--format",
    "dump_format",
    type=click.Choice(["turtle", "nt", "nq", "trig", "jsonld", "csv", "all"]),
    default="all",
    show_default=True,
    help="One format (csv = the statistics, one row per observation), or all of them.",
)
@click.option("--gzip", "compress", is_flag=True, help="Gzip the one format (all: always both).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="A file (or folder) for one format, default stdout; the folder for all (default dumps).",
)
@_store_option
@click.pass_context
def dump(
    ctx: click.Context, dump_format: str, compress: bool, output: Path | None, store: str | None
) -> None:
    """Write the whole current store as deterministic dumps: equal data, equal bytes.

    By default every format, plain and gzipped, with SHA256SUMS and dumps.json, into a folder.
    """
    try:
        with _open_dataset(ctx, store) as dataset, dataset.snapshot() as database:
            _write_dumps(database, dump_format, compress, output)
    except OSError as error:
        raise CouldNotRun(f"cannot write the dump ({error})") from None
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None


def _write_dumps(database: Any, dump_format: str, compress: bool, output: Path | None) -> None:
    from tipgraph.export import BY_NAME, write_dump, write_dumps

    if dump_format == "all":
        folder = output or Path("dumps")
        files = write_dumps(database, folder, _progress)
        click.echo(f"wrote {len(files)} files, SHA256SUMS and dumps.json to {folder}", err=True)
        return
    chosen = BY_NAME[dump_format]
    if output is None:
        count = write_dump(database, chosen, sys.stdout.buffer, compress)
    else:
        if output.is_dir():
            output = output / (chosen.file_name + (".gz" if compress else ""))
        try:
            with output.open("wb") as stream:
                count = write_dump(database, chosen, stream, compress)
        except BaseException:
            output.unlink(missing_ok=True)  # no half-written dump left to be taken for one
            raise
    click.echo(f"wrote {count:,} {chosen.unit} to {output or 'stdout'}", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_store_option
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
    target = _store_target(ctx, store)
    try:
        dataset = open_dataset(target, root=ctx.obj["root"], timeout=timeout)
        if dataset.backend.loads_when_served and not dataset.backend.has_load():
            click.echo(f"no store in {dataset.backend.name} yet: loading the data first", err=True)
            _settings(ctx)  # a checkout is needed: say so as every command does
            dataset.load(LoadOptions(progress=_progress))
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


if __name__ == "__main__":
    main()
