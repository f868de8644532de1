"""Open a kvali project with sqlite-utils: pragmas, WAL, migrations, a .bak copy before upgrades.

The plain connection, its pragmas and the user errors for a failing file live in
`kvali.store.connection` (no sqlite-utils), which read-only commands use on their own.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from kvali.errors import ProjectError
from kvali.store.connection import (
    MIGRATIONS_TABLE,
    ProjectBusyError,
    busy_as_error,
    busy_error,
    configure_connection,
    open_read_only,
    project_path,
)
from kvali.store.migrations import MIGRATION_SETS

__all__ = ["ProjectBusyError", "busy_as_error", "busy_error", "configure", "migrate", "open_db",
           "project_path"]


def _pending(db: Database) -> bool:
    return any(migrations.pending(db) for migrations in MIGRATION_SETS)


def _has_applied(db: Database) -> bool:
    return any(migrations.applied(db) for migrations in MIGRATION_SETS)


def _refuse_newer(db: Database, file: Path) -> None:
    """Refuse a project that records a kvali migration this version does not know."""
    if not db[MIGRATIONS_TABLE].exists():
        return
    blank = Database(memory=True)
    known = {(migrations.name, migration.name)
             for migrations in MIGRATION_SETS for migration in migrations.pending(blank)}
    for set_name, name in db.execute(
            f"SELECT migration_set, name FROM {MIGRATIONS_TABLE} ORDER BY rowid"):
        if set_name.startswith("kvali.") and (set_name, name) not in known:
            raise ProjectError(f"{file} was written by a newer kvali (unknown migration "
                               f"{set_name} {name}); upgrade kvali")


def _refuse_foreign(db: Database, file: Path, *, create: bool) -> None:
    """Leave alone a database without kvali migrations: another program's SQLite file always,
    an empty (0-byte) file unless the command may create a project. Nothing is written first."""
    if _has_applied(db):
        return
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise ProjectError(f"{file} is not a kvali project (it is another program's SQLite "
                           "database); choose another project file")
    if not create:
        raise ProjectError(f"{file} is not a kvali project (run `kvali init` to make one)")


def _backup(path: Path) -> Path:
    """Copy an existing project to PATH.bak with SQLite's online backup (WAL contents included)."""
    backup = path.with_name(path.name + ".bak")
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(backup)
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
    return backup


def configure(db: Database) -> None:
    """Autocommit outside `db.atomic()` (no lingering implicit transactions) and the pragmas."""
    configure_connection(db.conn)


class ProjectDatabase(Database):
    """A project connection whose transactions take the write lock when they begin.

    sqlite-utils begins with a deferred BEGIN: a transaction that reads and then writes while
    another connection writes gets SQLITE_BUSY at once (SQLite cannot wait without risking a
    deadlock), so the busy timeout never applies. `BEGIN IMMEDIATE` waits for the lock up to the
    busy timeout instead; nested blocks stay savepoints.
    """

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction (or, inside one, a savepoint) that commits when the block ends."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise


def open_db(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> Database:
    """Open (and create or upgrade) a project file; `path=":memory:"` gives a throwaway project.

    Only `create=True` makes a project, in a missing or empty file; a database of another
    program is refused either way.
    """
    if path == ":memory:":
        db = ProjectDatabase(memory=True)
        configure(db)
        migrate(db)
        return db
    file = project_path(path)
    if not create and not file.exists():
        raise ProjectError(f"no project at {file} (run `kvali init` or `kvali import` first)")
    if file.exists() and file.is_dir():
        raise ProjectError(f"{file} is a folder, not a project file")
    db: Database | None = None
    try:
        db = ProjectDatabase(file)
        configure(db)
        _refuse_foreign(db, file, create=create)
        db.execute("PRAGMA journal_mode = WAL")
        _refuse_newer(db, file)
        if _pending(db) and _has_applied(db):
            _backup(file)
        migrate(db)
    except BaseException as exc:
        if db is not None:
            db.close()
        if isinstance(exc, sqlite3.DatabaseError):
            error = busy_error(exc)
            if isinstance(error, ProjectBusyError):
                raise error from None
            raise ProjectError(f"{file} is not a readable kvali project ({exc})",
                               danish=error.danish if error else None) from None
        raise
    return db


def migrate(db: Database) -> None:
    """Apply every pending migration, set by set, in registry order."""
    for migrations in MIGRATION_SETS:
        migrations.apply(db)


def open_read_only_db(path: str | os.PathLike[str] | None = None) -> Database:
    """`kvali.store.connection.open_read_only` as a project Database, for work in the background
    that reads through kvali's query functions and must never write."""
    return ProjectDatabase(open_read_only(path))
