"""The `tipgraph` command line: parses options, calls the core, formats output."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from tipgraph.config import Settings
from tipgraph.errors import TipgraphError

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tipgraph")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TIPGRAPH_ROOT",
    help="The tipgraph checkout (ontology/, shapes/, data/). Default: the current folder.",
)
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """tipgraph: facts about combating trafficking in human beings as Linked Open Data."""
    ctx.obj = {"root": root}


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
@click.pass_context
def validate(
    ctx: click.Context, paths: tuple[Path, ...], output_format: str, shapes_dir: Path | None
) -> None:
    """Validate the ontology and data against the SHACL shapes.

    PATHS are data folders or Turtle files (default: the checkout's data/). Exit 0 when the data
    conforms, 1 on violations, 2 when validation could not run (e.g. a file does not parse).
    """
    from tipgraph.dataset import assemble_dataset
    from tipgraph.validation import load_shapes
    from tipgraph.validation import validate as run_validation

    settings = _settings(ctx)
    started = time.perf_counter()
    try:
        assembled = assemble_dataset(settings.ontology_dir, _data_paths(settings, paths))
        shapes = load_shapes(shapes_dir or settings.shapes_dir)
        report = run_validation(assembled, shapes, root=settings.root)
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
            f"{verdict}: {report.triples} triples from {len(assembled.files)} files "
            f"checked in {elapsed:.1f} s",
            err=True,
        )
    ctx.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)


def _print_report_text(report: Any) -> None:
    for focus, results in report.by_focus_node().items():
        files = ", ".join(results[0].files) or "(no file)"
        click.echo(f"{focus}  [{files}]")
        for result in results:
            click.echo(f"  {result.severity.value}: {result.message}")
            if result.path:
                click.echo(f"    path:  {result.path}")
            if result.value:
                click.echo(f"    value: {result.value}")


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
