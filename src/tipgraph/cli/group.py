"""The `tipgraph` group: its global options, and what every command shares (settings, the
store option, errors as one line on stderr)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tipgraph.config import Settings, StoreTarget
from tipgraph.errors import TipgraphError

if TYPE_CHECKING:
    from tipgraph.published import Dataset

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class CouldNotRun(click.ClickException):
    """A TipgraphError shown as one line on stderr, exit 2 (pyshacl's convention)."""

    exit_code = EXIT_ERROR


def checkout_settings(ctx: click.Context) -> Settings:
    root: Path | None = ctx.obj["root"]
    try:
        return Settings.load(root=root)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None


def shown_path(path: Path, settings: Settings) -> str:
    """A path as users typed it: relative to the checkout when inside it."""
    return str(path.relative_to(settings.root)) if path.is_relative_to(settings.root) else str(path)


def data_paths(settings: Settings, paths: Sequence[Path]) -> list[Path]:
    return [Path(p) for p in paths] if paths else [settings.data_dir]


def jobs_option(command: F) -> F:
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


def store_option(command: F) -> F:
    return click.option(
        "--store",
        "store",
        metavar="DIR|URL",
        help="The store: a directory (embedded Oxigraph), or the query URL of a SPARQL 1.1 "
        "service (http://host:7878/query, http://user:password@host:8890/sparql). Default: "
        "$TIPGRAPH_STORE, else .tipgraph/store in the checkout.",
    )(command)


def store_target_of(ctx: click.Context, store: str | Path | None) -> StoreTarget:
    """The ``--store`` of a command: a directory, or a SPARQL service (RemoteConfig)."""
    from tipgraph.config import store_target

    root: Path | None = ctx.obj["root"]
    option = str(store) if store is not None else None
    return store_target(option, (root or Path.cwd()).resolve(), graph_store=ctx.obj["graph_store"])


def dataset_of(ctx: click.Context, store: str | Path | None) -> Dataset:
    """The published dataset the command works on: ``--store``, else the checkout's."""
    from tipgraph.published import open_dataset

    root: Path | None = ctx.obj["root"]
    return open_dataset(store_target_of(ctx, store), root=root)


def progress(message: str) -> None:
    click.echo(message, err=True)
