"""Options and helpers shared by the CLI command modules."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sqlite_utils import Database

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """Add `--db PATH` to a command (it may also be given before the command name)."""
    return click.option(
        "--db",
        "db_path",
        envvar="KVALI_DB",
        type=click.Path(dir_okay=False),
        help="Project file (default: $KVALI_DB or kvali.db).",
    )(func)


def resolve_db_path(db_path: str | None) -> str | None:
    """The command's --db, else the group's --db, else None (open_db then uses $KVALI_DB)."""
    if db_path:
        return db_path
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("db_path"):
            return ctx.obj["db_path"]
        ctx = ctx.parent
    return None


def open_project(db_path: str | None, *, create: bool = False) -> Database:
    """Open the project chosen on the command line."""
    from kvali.store import open_db  # sqlite-utils: when a command runs, not for its --help

    return open_db(resolve_db_path(db_path), create=create)


def read_project(db_path: str | None) -> sqlite3.Connection:
    """The project chosen on the command line, as a read-only plain sqlite3 connection (no
    sqlite-utils: for commands that only run SQL and should start at once)."""
    from kvali.store import open_read_only

    return open_read_only(resolve_db_path(db_path))


def echo_json(data: Any) -> None:
    """Print JSON with Danish letters as they are."""
    import json  # loaded by the commands that print JSON, not by every command's start

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


SQLITE_MAX = 2**63 - 1
SQLITE_INTEGER = click.IntRange(-SQLITE_MAX - 1, SQLITE_MAX)
"""An id or count SQLite can hold; a larger number is click's one-line error, not an overflow."""
SQLITE_COUNT = click.IntRange(0, SQLITE_MAX)

coder_option = click.option("--coder", default="analytiker", show_default=True,
                            help="Who makes the change (recorded in the audit log).")
"""`--coder NAME`: who a command acts as, recorded in the audit log."""
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
"""`--json`: print the command's result as JSON (the parameter is `as_json`)."""
