"""`tipgraph load`, `query` and `dump`: the store's data in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tipgraph.errors import TipgraphError
from tipgraph.formats import query_format_names
from tipgraph.progress import LoadBar

if TYPE_CHECKING:
    pass
from tipgraph.cli.group import (
    CouldNotRun,
    checkout_settings,
    data_paths,
    dataset_of,
    jobs_option,
    main,
    progress,
    store_option,
)


@main.command()
@store_option
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
@jobs_option
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

    settings = checkout_settings(ctx)
    bar = LoadBar(sys.stderr)
    options = LoadOptions(
        validate=not no_validate,
        data_paths=data_paths(settings, paths),
        jobs=jobs,
        dumps=dumps,
        progress=bar.message,
        on_load=bar.update,
    )
    try:
        with dataset_of(ctx, store) as dataset:
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
@store_option
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
        with dataset_of(ctx, store) as dataset:
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
@store_option
@click.pass_context
def dump(
    ctx: click.Context, dump_format: str, compress: bool, output: Path | None, store: str | None
) -> None:
    """Write the whole current store as deterministic dumps: equal data, equal bytes.

    By default every format, plain and gzipped, with SHA256SUMS and dumps.json, into a folder.
    """
    try:
        with dataset_of(ctx, store) as dataset, dataset.snapshot() as database:
            _write_dumps(database, dump_format, compress, output)
    except OSError as error:
        raise CouldNotRun(f"cannot write the dump ({error})") from None
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None


def _write_dumps(database: Any, dump_format: str, compress: bool, output: Path | None) -> None:
    from tipgraph.export import BY_NAME, write_dump, write_dumps

    if dump_format == "all":
        folder = output or Path("dumps")
        files = write_dumps(database, folder, progress)
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
