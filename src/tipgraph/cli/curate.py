"""`tipgraph new-report`, `draft` and `review`: the curator's workbench."""

from __future__ import annotations

from pathlib import Path

import click

from tipgraph.cli.group import CouldNotRun, checkout_settings, main, shown_path
from tipgraph.errors import TipgraphError


@main.command("new-report")
@click.argument("slug")
@click.option(
    "--text",
    "text",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The report's text, as plain text (UTF-8; line endings are normalised).",
)
@click.option("--title", required=True, help="The report's title, in English.")
@click.option(
    "--publisher",
    required=True,
    help="Who published it: an organisation of data/reference/ by name, code (MIA) or IRI.",
)
@click.option("--issued", required=True, type=click.IntRange(1900, 2100), help="Year issued.")
@click.option(
    "--period", required=True, type=click.IntRange(1900, 2100), help="The year it reports on."
)
@click.option("--language", default="en", show_default=True, help="The text's language tag.")
@click.pass_context
def new_report(
    ctx: click.Context,
    slug: str,
    text: Path,
    title: str,
    publisher: str,
    issued: int,
    period: int,
    language: str,
) -> None:
    """Create data/SLUG/ for a new report: its text, report.ttl (the report, its text with size
    and SHA-256, its dataset), empty data files with their prefixes, and NOTES.md.

    `tipgraph validate` passes on it as created; then `tipgraph draft SLUG` proposes a figure or
    a non-statistical numeral for every numeral of the text.
    """
    from tipgraph.curation.scaffold import NewReport, create_report

    settings = checkout_settings(ctx)
    report = NewReport(slug, text, title, publisher, issued, period, language)
    try:
        written = create_report(settings.ontology_dir, settings.data_dir, report)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    for path in written:
        click.echo(f"created {shown_path(path, settings)}")
    click.echo(f"next: tipgraph draft {slug}")


@main.command()
@click.argument("slug")
@click.pass_context
def draft(ctx: click.Context, slug: str) -> None:
    """Propose Turtle for every numeral of data/SLUG's text that nothing accounts for yet.

    Writes data/SLUG/draft.ttl: for each numeral, the sentence it stands in as a ready tip:Quote
    (selectors computed) and either a tip:DraftFigure (stated and parsed value, qualifier from
    the words, a guessed period, the bodies the sentence names; indicator, area, form and unit
    left as tip:todo) or a tip:NonStatisticalNumeral (a year, a span of years, an ordinal).
    `tipgraph validate` lists every tip:todo and tip:guess left: complete them in draft.ttl,
    move the finished items into the report's files with `tipgraph accept SLUG`, and run the
    draft again; it proposes only what is still missing.
    """
    from tipgraph.curation.drafting import draft_report, write_draft

    settings = checkout_settings(ctx)
    try:
        drafts = draft_report(settings.ontology_dir, settings.data_dir, slug)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    written = write_draft(settings.data_dir / slug, drafts)
    figures = sum(len(d.figures) for d in drafts)
    numerals = sum(len(d.numerals) for d in drafts)
    if written is None:
        click.echo(f"nothing to draft: every numeral of {slug}'s text is accounted for")
        return
    click.echo(
        f"wrote {shown_path(written, settings)}: {figures} figure(s), {numerals} "
        "non-statistical numeral(s) to check; `tipgraph validate` lists what is left"
    )


@main.command()
@click.argument("slug")
@click.pass_context
def accept(ctx: click.Context, slug: str) -> None:
    """Move the finished items of data/SLUG/draft.ttl into the report's files.

    An item is finished when no tip:todo or tip:guess is left in it and a draft figure has
    become a qb:Observation. Observations go to statistics.ttl; non-statistical numerals and
    the quotes finished items cite go to report.ttl, with the prefixes they use. The rest stays
    in the draft (deleted once empty). Nothing is written unless every file still parses.
    """
    from tipgraph.curation.accepting import accept_draft

    settings = checkout_settings(ctx)
    try:
        moved = accept_draft(settings.data_dir / slug)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    click.echo(
        f"moved {moved.figures} figure(s) to statistics.ttl, {moved.others} other item(s) "
        f"(numerals, interpretations) and {moved.quotes} quote(s) to report.ttl; {moved.left} "
        "item(s) left in the draft" + ("" if moved.left else " (draft.ttl deleted)")
    )


@main.command()
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page (default SLUG-review.html here; - for stdout).",
)
@click.pass_context
def review(ctx: click.Context, slug: str, output: Path | None) -> None:
    """Write a page that shows data/SLUG's text as a second reader checks it: every numeral
    green (stated by a figure; hover for its indicator, period and value), grey (not a
    statistic; its reason), amber (proposed by the draft, not done) or red (missing), and every
    quote's extent underlined. One HTML file, no server needed; draft.ttl is read too.
    """
    from tipgraph.curation.review import review_page

    settings = checkout_settings(ctx)
    try:
        page = review_page(settings.ontology_dir, settings.data_dir, slug)
    except TipgraphError as error:
        raise CouldNotRun(str(error)) from None
    if output is not None and str(output) == "-":
        click.echo(page, nl=False)
        return
    target = output or Path(f"{slug}-review.html")
    target.write_text(page, encoding="utf-8")
    click.echo(f"wrote {target}: open it in a browser")
