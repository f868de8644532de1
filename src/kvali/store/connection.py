"""The project file as a plain sqlite3 connection, and its failures as user errors.

Standard library only: commands that just read (`kvali status`) open the project here and start
without sqlite-utils, which imports pandas and numpy when they are installed. `kvali.store.db`
builds on this module to create, check and upgrade projects; a project that is not current goes
through it first, so every refusal and every upgrade (with its .bak copy) happens in one place.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kvali.errors import ProjectError, UsageError

if TYPE_CHECKING:
    from sqlite_utils import Database

DEFAULT_DB = "kvali.db"
MIGRATIONS_TABLE = "_sqlite_migrations"
"""Where sqlite-utils records applied migrations (tests check it against sqlite-utils)."""
SCHEMA_MIGRATIONS = 13
"""How many kvali migrations a current project records. Raise it with every new migration
(tests/test_store_connection.py compares it with kvali.store.migrations.MIGRATION_SETS)."""
BUSY_TIMEOUT_ENV = "KVALI_BUSY_TIMEOUT_MS"
DEFAULT_BUSY_TIMEOUT_MS = 10_000


class ProjectBusyError(ProjectError):
    """Another connection held the project's write lock for longer than the busy timeout."""

    def __init__(self) -> None:
        super().__init__("the project is busy: another program is writing to it; try again",
                         danish="Projektet er optaget: et andet program skriver til det lige nu. "
                                "Prøv igen om lidt.")


def busy_error(exc: BaseException) -> ProjectError | None:
    """The user error for a failure of the project file itself, else None: the one place where
    SQLite's "database is locked" (after the busy timeout), "disk is full", "readonly" and
    "malformed" become a ProjectError (the CLI and the app both come here)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return ProjectBusyError()
    for words, english, danish in _FILE_FAILURES:
        if any(word in message for word in words):
            return ProjectError(f"the project file {english} ({exc})", danish=danish)
    return None


_FILE_FAILURES = (
    (("disk is full", "disk i/o"), "could not be written: the disk is full or failing",
     "Projektet kunne ikke gemmes: disken er fuld eller fejler."),
    (("readonly", "read-only"), "is read-only; kvali cannot save to it",
     "Projektfilen er skrivebeskyttet, så kvali kan ikke gemme i den."),
    (("malformed", "not a database", "corrupt"), "is damaged; restore it from its .bak copy "
     "or a backup", "Projektfilen er beskadiget; gendan den fra .bak-kopien eller en backup."),
)
"""(words in SQLite's message, what the CLI says, what the app says)."""


@contextmanager
def busy_as_error() -> Iterator[None]:
    """Raise `busy_error` instead of the raw sqlite3 error when the project file fails."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        error = busy_error(exc)
        if error is None:
            raise
        raise error from None


def busy_timeout_ms() -> int:
    """How long a write waits for another writer: $KVALI_BUSY_TIMEOUT_MS, else 10 seconds."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_MS
    if not raw.isdigit():
        raise UsageError(f"{BUSY_TIMEOUT_ENV}={raw!r}: expected a whole number of milliseconds")
    return int(raw)


def project_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The project file: an explicit path, else $KVALI_DB, else kvali.db in the working folder."""
    return Path(explicit or os.environ.get("KVALI_DB") or DEFAULT_DB)


def configure_connection(conn: sqlite3.Connection) -> None:
    """Autocommit outside explicit transactions (no lingering implicit ones) and the pragmas."""
    conn.isolation_level = None
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA synchronous = NORMAL")


def _current(file: Path) -> sqlite3.Connection | None:
    """A connection to `file` when it is a kvali project with every migration of this version
    applied, else None (missing, a folder, damaged, another program's, older or newer)."""
    if not file.is_file():
        return None
    conn = sqlite3.connect(file)
    try:
        applied = conn.execute(f"SELECT count(*) FROM {MIGRATIONS_TABLE} "
                               "WHERE migration_set LIKE 'kvali.%'").fetchone()[0]
    except sqlite3.DatabaseError:
        applied = None
    if applied != SCHEMA_MIGRATIONS:
        conn.close()
        return None
    return conn


def open_read_only(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """The project as a plain sqlite3 connection that refuses writes (`PRAGMA query_only`), with
    `open_db`'s pragmas: for commands that only run SQL. A project that is not current (missing,
    damaged, foreign, newer, or due an upgrade) goes through `open_db(create=False)` first, which
    says what is wrong or upgrades it with a .bak copy."""
    file = project_path(path)
    conn = _current(file)
    if conn is None:
        from kvali.store.db import open_db  # sqlite-utils and the migrations, only when needed

        open_db(file, create=False).close()
        conn = sqlite3.connect(file)
    try:
        configure_connection(conn)
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def database_file(db: Database | sqlite3.Connection) -> Path | None:
    """The file a connection (or sqlite-utils Database) has open as its main database; None
    for a project in memory. The key of every per-process cache of a project."""
    conn = db.conn if hasattr(db, "conn") else db
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def project_name(db: Database | sqlite3.Connection) -> str:
    """The project's name, as reports and exported projects give it: its file's name without
    the suffix ("" in memory)."""
    path = database_file(db)
    return path.stem if path else ""
