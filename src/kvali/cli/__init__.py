"""The `kvali` command: a thin layer over the library; user errors become one line on stderr."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import NoReturn

import click

from kvali.cli.coding import code, codebook, tag
from kvali.cli.export import export, import_qdpx_command
from kvali.cli.options import CONTEXT_SETTINGS
from kvali.cli.project import app, demo, import_command, init, segment, status
from kvali.cli.search import search_command
from kvali.errors import KvaliError


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_path",
    envvar="KVALI_DB",
    type=click.Path(dir_okay=False),
    help="Project file (default: $KVALI_DB or kvali.db).",
)
@click.version_option(package_name="kvali")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """kvali: code Danish interviews, survey comments and reports."""
    ctx.obj = {"db_path": db_path}


for command in (init, import_command, segment, status, demo, app, codebook, tag, code):
    cli.add_command(command)
cli.add_command(search_command)
cli.add_command(export)
cli.add_command(import_qdpx_command)


def _user_error(exc: KvaliError) -> NoReturn:
    click.echo(f"kvali: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _busy(exc: Exception) -> KvaliError | None:
    """A project that stayed locked past the busy timeout, as its one-line user error."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    from kvali.store import busy_error  # loaded already: the error came through the store

    return busy_error(exc)


def main() -> None:
    """Entry point: run the CLI, turning user errors into one clear line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kvali: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"kvali: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KvaliError as exc:
        _user_error(exc)
    except KeyboardInterrupt:
        click.echo("kvali: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a traceback for users
        busy = _busy(exc)
        if busy is not None:
            _user_error(busy)
        if os.environ.get("KVALI_DEBUG"):
            raise
        click.echo(
            f"kvali: internal error ({type(exc).__name__}); rerun with KVALI_DEBUG=1 for details",
            err=True,
        )
        sys.exit(70)
