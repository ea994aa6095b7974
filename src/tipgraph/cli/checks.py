"""`tipgraph validate`, `coverage` and `locate`: the gate curators run."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tipgraph.errors import TipgraphError

if TYPE_CHECKING:
    pass
from tipgraph.cli.group import (
    EXIT_CONFORMS,
    EXIT_VIOLATIONS,
    CouldNotRun,
    checkout_settings,
    data_paths,
    jobs_option,
    main,
    progress,
    shown_path,
)


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
@click.option(
    "--reference",
    is_flag=True,
    help="pySHACL alone evaluates the shapes, SPARQL targets included (slower); by default "
    "Oxigraph selects the SPARQL targets' focus nodes and pySHACL checks them.",
)
@jobs_option
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    shapes_dir: Path | None,
    reference: bool,
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

    settings = checkout_settings(ctx)
    started = time.perf_counter()
    try:
        report = validate_reports(
            settings.ontology_dir,
            shapes_dir or settings.shapes_dir,
            data_paths(settings, paths),
            root=settings.root,
            jobs=jobs,
            reference=reference,
            progress=progress if output_format == "text" else lambda _: None,
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
            f"{verdict}: {report.triples:,} triples checked in {elapsed:.1f} s ({report.engine})",
            err=True,
        )
    ctx.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)


def _print_report_text(report: Any) -> None:
    """Each focus node with its results; nodes with only a draft's checklist items come last,
    after a line counting them, so that other problems are not lost among them."""
    from tipgraph.fidelity import CHECKLIST_RULE

    def drafted(results: list[Any]) -> bool:
        return all(r.shape == CHECKLIST_RULE for r in results)

    groups = sorted(report.by_focus_node().items(), key=lambda group: drafted(group[1]))
    items = sum(1 for r in report.results if r.shape == CHECKLIST_RULE)
    announced = False
    for focus, results in groups:
        if items and drafted(results) and not announced:
            others = len(report.results) - items
            click.echo(
                f"--- the draft's checklist: {items} item(s) (tip:todo, tip:guess, draft "
                f"figures); {others} other result(s) above ---"
            )
            announced = True
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

    settings = checkout_settings(ctx)
    try:
        assembled = assemble_dataset(settings.ontology_dir, data_paths(settings, paths))
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    reports = check_coverage(assembled)
    missing = sum(len(r.missing) for r in reports)
    if output_format == "json":
        body = [
            {
                "source": shown_path(r.source.path, settings),
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
                    where = f"{shown_path(report.source.path, settings)}:{numeral.line}"
                    click.echo(f"{where}:{numeral.column}: {numeral.text!r} {status}")
            click.echo(
                f"{shown_path(report.source.path, settings)}: {len(report.numerals)} numerals, "
                f"{len(report.missing)} missing",
                err=True,
            )
    if not reports:
        click.echo("no source texts found (expected data/<report>/source.<lang>.txt)", err=True)
    sys.exit(1 if missing else 0)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("passage")
@click.option(
    "--quote",
    "quote_name",
    metavar="NAME",
    help="Print a whole tip:Quote named quote:NAME (label, value, report, text, selectors).",
)
def locate(source: Path, passage: str, quote_name: str | None) -> None:
    """Print the Web Annotation selectors of PASSAGE in the SOURCE text, for curators.

    PASSAGE must occur exactly once, verbatim. Paste the output into a quote's description, or
    with --quote NAME paste the whole quote into the report's report.ttl. SOURCE is a report's
    data/SLUG/source.LANG.txt.
    """
    from tipgraph.curation.turtle import quote_block
    from tipgraph.dataset import SOURCE_TEXT_NAME
    from tipgraph.namespaces import source_text_iri
    from tipgraph.quoting import locate as locate_passage

    try:
        text = source.read_text(encoding="utf-8")
        selectors = locate_passage(text, passage)
    except UnicodeDecodeError as error:
        raise CouldNotRun(f"{source}: not UTF-8 text ({error.reason})") from None
    except TipgraphError as error:
        raise CouldNotRun(f"{source}: {error}") from None
    if quote_name is None:
        click.echo(selectors.to_turtle())
        return
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", quote_name):
        raise CouldNotRun(f"{quote_name!r}: name a quote with lowercase letters, digits, hyphens")
    named = SOURCE_TEXT_NAME.match(source.name)
    if named is None:
        raise CouldNotRun(f"{source}: a report's text is named source.LANG.txt (source.en.txt)")
    slug = source.resolve().parent.name
    text_iri = source_text_iri(slug, named["language"])
    click.echo(quote_block(quote_name, selectors, slug, text_iri), nl=False)
