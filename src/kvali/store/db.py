"""Open a kvali project: pragmas, WAL, foreign keys, migrations, and a .bak copy before upgrades."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from kvali.errors import ProjectError
from kvali.store.migrations import MIGRATION_SETS

DEFAULT_DB = "kvali.db"


def project_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The project file: an explicit path, else $KVALI_DB, else kvali.db in the working folder."""
    return Path(explicit or os.environ.get("KVALI_DB") or DEFAULT_DB)


def _pending(db: Database) -> bool:
    return any(migrations.pending(db) for migrations in MIGRATION_SETS)


def _has_applied(db: Database) -> bool:
    return any(migrations.applied(db) for migrations in MIGRATION_SETS)


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
    db.conn.isolation_level = None
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA synchronous = NORMAL")


def open_db(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> Database:
    """Open (and create or upgrade) a project file; `path=":memory:"` gives a throwaway project."""
    if path == ":memory:":
        db = Database(memory=True)
        configure(db)
        migrate(db)
        return db
    file = project_path(path)
    if not create and not file.exists():
        raise ProjectError(f"no project at {file} (run `kvali init` or `kvali import` first)")
    if file.exists() and file.is_dir():
        raise ProjectError(f"{file} is a folder, not a project file")
    try:
        db = Database(file)
        db.execute("PRAGMA journal_mode = WAL")
        configure(db)
        if _pending(db) and _has_applied(db):
            _backup(file)
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{file} is not a readable kvali project ({exc})") from None
    return db


def migrate(db: Database) -> None:
    """Apply every pending migration, set by set, in registry order."""
    for migrations in MIGRATION_SETS:
        migrations.apply(db)

