"""Coder commands: coders assign|unassign|done|undone|blind|list, for double coding."""

from __future__ import annotations

import click

from kvali.cli.options import SQLITE_INTEGER, db_option, echo_json, open_project
from kvali.coders.blind import set_blind
from kvali.coders.work import coder_progress, set_assigned, set_done

documents_argument = click.argument("document_ids", metavar="DOC...", nargs=-1, required=True,
                                    type=SQLITE_INTEGER)


@click.group()
def coders() -> None:
    """Assign documents to coders, mark documents done per coder, and turn a coder's blind mode
    on or off (double coding)."""


@coders.command()
@click.argument("name")
@documents_argument
@db_option
def assign(name: str, document_ids: tuple[int, ...], db_path: str | None) -> None:
    """Assign documents (by id) to the coder NAME."""
    changed = set_assigned(open_project(db_path), name, document_ids, True)
    click.echo(f"{name.strip()}: {changed} document(s) assigned")


@coders.command()
@click.argument("name")
@documents_argument
@db_option
def unassign(name: str, document_ids: tuple[int, ...], db_path: str | None) -> None:
    """Take documents (by id) back from the coder NAME."""
    changed = set_assigned(open_project(db_path), name, document_ids, False)
    click.echo(f"{name.strip()}: {changed} document(s) unassigned")


@coders.command()
@click.argument("name")
@documents_argument
@db_option
def done(name: str, document_ids: tuple[int, ...], db_path: str | None) -> None:
    """Mark documents (by id) as done ("færdigkodet") by the coder NAME."""
    changed = set_done(open_project(db_path), name, document_ids, True)
    click.echo(f"{name.strip()}: {changed} document(s) marked done")


@coders.command()
@click.argument("name")
@documents_argument
@db_option
def undone(name: str, document_ids: tuple[int, ...], db_path: str | None) -> None:
    """Take back the coder NAME's done mark on documents (by id)."""
    changed = set_done(open_project(db_path), name, document_ids, False)
    click.echo(f"{name.strip()}: {changed} document(s) no longer done")


@coders.command()
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
@db_option
def blind(name: str, state: str, db_path: str | None) -> None:
    """Turn the coder NAME's blind mode on or off: while on, the app shows NAME only their own
    codings and pending suggestions, and NAME reviews suggestions independently of others."""
    set_blind(open_project(db_path), name, state == "on")
    click.echo(f"{name.strip()}: blind mode {state}")


@coders.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the coders as JSON.")
@db_option
def list_command(as_json: bool, db_path: str | None) -> None:
    """List the coders: documents assigned and done, documents with codings, codings (manual
    and accepted) and blind mode."""
    rows = coder_progress(open_project(db_path))
    if as_json:
        echo_json([row.to_dict() for row in rows])
        return
    click.echo(f"{'coder':<24}{'assigned':>9}{'done':>6}{'documents':>10}{'codings':>9}  blind")
    for row in rows:
        click.echo(f"{row.coder:<24}{row.assigned:>9}{row.done:>6}{row.documents:>10}"
                   f"{row.codings:>9}  {'on' if row.blind else 'off'}")
