"""Document commands: documents list|delete|set-kind|reimport, to mend a wrong import in place."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kvali.cli.options import (
    SQLITE_INTEGER,
    coder_option,
    db_option,
    echo_json,
    json_option,
    open_project,
)
from kvali.errors import UsageError
from kvali.store.documents import (
    CHANGEABLE_KINDS,
    delete_documents,
    document_summaries,
    set_document_kind,
)
from kvali.store.reimport import ReimportReport, reimport_document


@click.group()
def documents() -> None:
    """List documents, delete wrong imports, switch a document between interview and report, or
    re-import a corrected file in its place."""


@documents.command("list")
@json_option
@db_option
def list_command(as_json: bool, db_path: str | None) -> None:
    """List the documents: id, name, kind and number of segments."""
    rows = document_summaries(open_project(db_path))
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:>6}  {row['kind']:<10}{row['segments']:>8}  {row['name']}")


@documents.command()
@click.argument("ids", nargs=-1, required=True, type=SQLITE_INTEGER)
@click.option("--yes", is_flag=True, help="Delete without asking (needed when not interactive).")
@coder_option
@json_option
@db_option
def delete(ids: tuple[int, ...], yes: bool, coder: str, as_json: bool,
           db_path: str | None) -> None:
    """Delete documents with their segments, codings and index rows (one transaction)."""
    db = open_project(db_path)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("documents delete: not an interactive terminal; add --yes to "
                             "delete without asking")
        names = {row["id"]: row["name"] for row in document_summaries(db)}
        listed = "; ".join(f"{i}: {names.get(i, '?')}" for i in ids)
        click.confirm(f"Delete {len(ids)} document(s) ({listed}) with all their codings?",
                      abort=True)
    report = delete_documents(db, ids, coder)
    if as_json:
        echo_json(report.to_dict())
        return
    gone = f"; import(s) {', '.join(map(str, report.imports))} removed" if report.imports else ""
    click.echo(f"deleted {len(report.documents)} document(s), {report.segments} segments, "
               f"{report.codings} codings{gone}")


@documents.command("set-kind")
@click.argument("document_id", metavar="ID", type=SQLITE_INTEGER)
@click.argument("kind", metavar="KIND", type=click.Choice(CHANGEABLE_KINDS, case_sensitive=False))
@coder_option
@json_option
@db_option
def set_kind(document_id: int, kind: str, coder: str, as_json: bool,
             db_path: str | None) -> None:
    """Make a document an interview or a report; its text and human codings stay as they are."""
    change = set_document_kind(open_project(db_path), document_id, kind.lower(), coder)
    if as_json:
        echo_json({**change.to_dict(), "changed": change.changed})
        return
    if not change.changed:
        click.echo(f"document {document_id} is already a {kind.lower()}; nothing changed")
        return
    click.echo(f"document {document_id}: {change.old} -> {change.new}; {change.segments} "
               f"segments, {change.speakers} speakers; {change.codings_kept} codings kept, "
               f"{change.suggestions_dropped} pending suggestions dropped (`kvali tag` suggests "
               "again)")


@documents.command()
@click.argument("document_id", metavar="ID", type=SQLITE_INTEGER)
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@coder_option
@json_option
@db_option
def reimport(document_id: int, file: Path, coder: str, as_json: bool,
             db_path: str | None) -> None:
    """Import a corrected FILE in place of document ID, keeping its codings and memos where
    their text is unchanged (one transaction; read with the options of the first import)."""
    report = reimport_document(open_project(db_path), document_id, file, None, coder)
    if as_json:
        echo_json({**report.to_dict(), "unchanged": report.unchanged,
                   "lost": [vars(lost) for lost in report.lost]})
        return
    click.echo(_reimport_line(report, file))


def _reimport_line(report: ReimportReport, file: Path) -> str:
    """The one line `documents reimport` prints."""
    if report.unchanged:
        return f"document {report.document}: {file} is the file already imported; nothing changed"
    lost = f" ({'; '.join(lost.line() for lost in report.lost)})" if report.lost else ""
    return (f"document {report.document} re-imported from {file} as document "
            f"{report.new_document}: {report.kept} codings kept, {len(report.lost)} lost{lost}; "
            f"{report.suggestions_dropped} pending suggestions dropped (`kvali tag` suggests "
            "again)")
