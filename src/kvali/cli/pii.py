"""Personal-data commands: pii scan|list|confirm|dismiss|add. The found text is printed only to
the user's own terminal; the project's audit log holds ids."""

from __future__ import annotations

import click

from kvali.cli.options import (
    SQLITE_COUNT,
    SQLITE_INTEGER,
    coder_option,
    db_option,
    echo_json,
    json_option,
    open_project,
)
from kvali.privacy.findings import (
    FindingRow,
    add_manual,
    decide,
    list_findings,
    scan_project,
)
from kvali.store.schema_privacy import PII_STATUSES, PII_TYPES


@click.group()
def pii() -> None:
    """Find personal data (CPR, phone, e-mail, address, names) and decide on each finding."""


def _print(rows: list[FindingRow], as_json: bool) -> None:
    if as_json:
        echo_json([row.to_dict() for row in rows])
        return
    for row in rows:
        click.echo(f"{row.id:>6}  doc {row.document_id:<5}{row.start:>8}-{row.end:<8}"
                   f"{row.type:<8}{row.status:<10}{row.text!r}  ({row.reason})")


@pii.command()
@json_option
@db_option
def scan(as_json: bool, db_path: str | None) -> None:
    """Scan every document, then print the findings (decided ones are kept as they are)."""
    db = open_project(db_path)
    report = scan_project(db)
    rows = list_findings(db)
    if as_json:
        echo_json({**report.to_dict(), "findings": [row.to_dict() for row in rows]})
        return
    _print(rows, False)
    click.echo(f"scanned {report.documents} document(s): {report.added} new, {report.removed} "
               f"gone, {report.kept} unchanged; {len(rows)} finding(s) in all")


@pii.command("list")
@click.option("--status", type=click.Choice(PII_STATUSES), help="Only findings with this status.")
@click.option("--type", "type_", type=click.Choice(PII_TYPES), help="Only findings of this type.")
@click.option("--document", type=SQLITE_INTEGER, help="Only findings in this document (id).")
@json_option
@db_option
def list_command(status: str | None, type_: str | None, document: int | None, as_json: bool,
                 db_path: str | None) -> None:
    """List the findings: id, document, offsets, type, status, text and why."""
    _print(list_findings(open_project(db_path), status, type_, document), as_json)


ids_argument = click.argument("ids", nargs=-1, required=True, type=SQLITE_INTEGER)


@pii.command()
@ids_argument
@coder_option
@db_option
def confirm(ids: tuple[int, ...], coder: str, db_path: str | None) -> None:
    """Confirm findings: they are personal data (to be pseudonymised)."""
    click.echo(f"confirmed {decide(open_project(db_path), ids, 'confirmed', coder)} finding(s)")


@pii.command()
@ids_argument
@coder_option
@db_option
def dismiss(ids: tuple[int, ...], coder: str, db_path: str | None) -> None:
    """Dismiss findings: they are not personal data."""
    click.echo(f"dismissed {decide(open_project(db_path), ids, 'dismissed', coder)} finding(s)")


@pii.command()
@click.argument("document_id", metavar="DOC", type=SQLITE_INTEGER)
@click.argument("start", type=SQLITE_COUNT)
@click.argument("end", type=SQLITE_COUNT)
@click.argument("type_", metavar="TYPE", type=click.Choice(PII_TYPES))
@coder_option
@db_option
def add(document_id: int, start: int, end: int, type_: str, coder: str,
        db_path: str | None) -> None:
    """Mark text START-END of document DOC as personal data of TYPE by hand."""
    finding_id = add_manual(open_project(db_path), document_id, start, end, type_, coder)
    click.echo(f"added finding {finding_id}")
