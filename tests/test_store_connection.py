"""`open_read_only`: a current project as a plain sqlite3 connection that refuses writes; every
other project goes through `open_db` first (refused with its message, or upgraded with a .bak)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from kvali.errors import ProjectError
from kvali.store import open_db, open_read_only
from kvali.store.connection import MIGRATIONS_TABLE, SCHEMA_MIGRATIONS
from kvali.store.migrations import MIGRATION_SETS


def test_schema_count_is_every_kvali_migration():
    blank = Database(memory=True)
    names = [(m.name, migration.name) for m in MIGRATION_SETS for migration in m.pending(blank)]
    assert all(set_name.startswith("kvali.") for set_name, _ in names)
    assert SCHEMA_MIGRATIONS == len(names), "raise SCHEMA_MIGRATIONS in kvali/store/connection.py"
    assert MIGRATIONS_TABLE == Migrations.migrations_table


def test_reads_a_current_project_and_refuses_writes(db_path: Path, monkeypatch):
    db = open_db(db_path)
    db.execute("INSERT INTO imports (path, sha256, kind, imported_at) VALUES ('a', 'b', 'c', 'd')")
    db.close()
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "1234")
    conn = open_read_only(db_path)
    assert isinstance(conn, sqlite3.Connection)
    assert conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 1234
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM imports")
    conn.close()
    assert not db_path.with_name(db_path.name + ".bak").exists()


def test_a_project_due_an_upgrade_is_upgraded_first_with_a_backup(db_path: Path):
    open_db(db_path).close()
    older = sqlite3.connect(db_path)  # as the version before kvali.privacy left it
    with older:
        older.executescript("DROP TABLE pii_findings; DROP TABLE users;")
        older.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE migration_set = 'kvali.privacy'")
    older.close()
    conn = open_read_only(db_path)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    conn.close()
    backup = sqlite3.connect(db_path.with_name(db_path.name + ".bak"))
    assert "users" not in {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    backup.close()


def _missing(path: Path) -> None:
    pass


def _junk(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text)")
    conn.close()


def _newer(path: Path) -> None:
    open_db(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) "
                     "VALUES ('kvali.core', 'm099_from_the_future', 'later')")
    conn.close()


@pytest.mark.parametrize("make", [_missing, _junk, _foreign, _newer], ids=lambda f: f.__name__)
def test_refuses_what_open_db_refuses_with_its_message(tmp_path: Path, make):
    path = tmp_path / "project.db"
    make(path)
    with pytest.raises(ProjectError) as by_open_db:
        open_db(path, create=False)
    with pytest.raises(ProjectError) as by_reader:
        open_read_only(path)
    assert str(by_reader.value) == str(by_open_db.value)
    assert str(path) in str(by_reader.value)
