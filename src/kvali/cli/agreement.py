"""`kvali agreement`: how far coders agree, per code and overall, and where they differ."""

from __future__ import annotations

import click

from kvali.agreement.consensus import settle
from kvali.agreement.report import MEASURES, AgreementReport, agreement_report
from kvali.agreement.units import UNIT_KINDS
from kvali.cli.options import SQLITE_COUNT, SQLITE_INTEGER, db_option, echo_json, open_project
from kvali.cli.selecting import pop_selection, selection_options
from kvali.errors import UsageError

HEADERS = {"units": "units", "percent": "agree %", "kappa": "Cohen κ", "fleiss": "Fleiss κ",
           "alpha": "α", "alpha_u": "αu"}


@click.command()
@click.option("--coders", "coders", multiple=True, required=True, metavar="NAME",
              help="The coders to compare: --coders A B [C …] (at least two).")
@click.argument("more_coders", nargs=-1, metavar="")
@selection_options
@click.option("--unit", type=click.Choice(UNIT_KINDS), default="segment", show_default=True,
              help="Compare whole segments or single characters.")
@click.option("--all-documents", is_flag=True,
              help="Include every document of the selection, not only those every coder has "
                   "coded or marked done (a coder's values in the others are missing).")
@click.option("--settle", "settle_args", nargs=5, metavar="DOC START END CODE KEEP",
              type=(SQLITE_INTEGER, SQLITE_COUNT, SQLITE_COUNT, str, str),
              help="Keep coder KEEP's version of a disagreement as the consensus coding.")
@click.option("--actor", default="analytiker", show_default=True,
              help="Who settles (recorded in the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_option
def agreement(coders: tuple[str, ...], more_coders: tuple[str, ...], unit: str, all_documents: bool,
              settle_args: tuple | None, actor: str, as_json: bool, db_path: str | None,
              **selection) -> None:
    """Measure how far coders agree on their human codings, per code and overall.

    Percent agreement, Cohen's κ (two coders), Fleiss' κ (three or more), Krippendorff's α
    (nominal, any number of coders, missing values allowed) and the unitized αu over
    characters. --code/--codes limits the codes compared (with their sub-codes); the other
    selection options limit the segments.
    """
    filters = pop_selection(selection)
    if filters.coder or filters.status:
        raise UsageError("--coder/--status do not apply: name the coders with --coders; "
                         "only human codings (manual, accepted) are compared")
    coders = (*coders, *more_coders)
    db = open_project(db_path)
    if settle_args:
        document_id, start, end, code, keep = settle_args
        written = settle(db, document_id, start, end, code, keep, actor, compared=coders)
        click.echo(f"kept {keep}'s version: {len(written)} consensus coding(s)")
        return
    report = agreement_report(db, coders, filters, unit=unit, all_documents=all_documents)
    if as_json:
        echo_json(report.to_dict())
        return
    _print(report)


def _print(report: AgreementReport) -> None:
    click.echo(f"{' vs '.join(report.coders)}: {len(report.document_ids)} document(s) "
               f"({', '.join(map(str, report.document_ids)) or 'none'}), unit {report.unit}")
    if report.left_out:
        click.echo(f"left out (not coded or marked done by every coder): "
                   f"{', '.join(map(str, report.left_out))}")
    click.echo(f"{'code':<28}" + "".join(f"{HEADERS[m]:>10}" for m in MEASURES))
    rows = [*report.codes.items(), ("(overall)", report.overall)]
    for code, figures in rows:
        cells = figures.to_dict()
        click.echo(f"{code:<28}" + "".join(f"{_cell(cells[m]):>10}" for m in MEASURES))
    for d in report.disagreements:
        choices = ", ".join(f"{name}: {'yes' if on else 'no'}" for name, on in d.coders.items())
        click.echo(f"  doc {d.document_id} {d.start}-{d.end} {d.code}  {choices}")


def _cell(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"
