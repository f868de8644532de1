"""The project file: migrations recorded, WAL, foreign keys, .bak before upgrades, clear errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Migrations

from kvali.errors import ProjectError, UsageError
from kvali.store import db as store_db
from kvali.store import open_db


def _upgrade() -> Migrations:
    """A migration set that a later kvali might add: one new table."""
    upgrade = Migrations("kvali.test-upgrade")

    @upgrade()
    def m001_add_table(database):
        database.execute("CREATE TABLE later (x INTEGER)")

    return upgrade

def test_migrations_are_recorded_in_the_database(fresh_db):
    names = {row["name"] for row in fresh_db["_sqlite_migrations"].rows}
    assert "m001_core_tables" in names
    assert "m001_coding_tables" in names


def test_all_98_municipalities_are_loaded(fresh_db):
    assert fresh_db["municipalities"].count == 98
    regions = {row[0] for row in fresh_db.execute("SELECT DISTINCT region FROM municipalities")}
    assert len(regions) == 5


def test_project_file_uses_wal_and_foreign_keys(db_path: Path):
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO segments (document_id, seq, start, \"end\", text, lemmas) "
                    "VALUES (999, 0, 0, 1, 'x', 'x')")


def test_project_is_readable_by_plain_sqlite(db_path: Path):
    open_db(db_path).close()
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "segments", "codes", "codings", "municipalities"} <= tables


def test_backup_is_made_before_an_upgrade(db_path: Path, monkeypatch):
    db = open_db(db_path)
    db.execute("INSERT INTO imports (path, sha256, kind, imported_at) VALUES ('a', 'b', 'c', 'd')")
    db.conn.commit()
    db.close()
    monkeypatch.setattr(store_db, "MIGRATION_SETS", [*store_db.MIGRATION_SETS, _upgrade()])
    upgraded = open_db(db_path)
    assert upgraded["later"].exists()
    backup = db_path.with_name(db_path.name + ".bak")
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    assert "later" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}


def test_no_backup_when_nothing_to_upgrade(db_path: Path):
    open_db(db_path).close()
    open_db(db_path).close()
    assert not db_path.with_name(db_path.name + ".bak").exists()


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ProjectError, match="junk.db"):
        open_db(junk)


def test_missing_project_is_an_error_when_not_creating(tmp_path: Path):
    with pytest.raises(ProjectError, match="kvali init"):
        open_db(tmp_path / "none.db", create=False)


def test_m001_loads_frozen_rows_equal_to_the_municipalities_module(fresh_db):
    """m001 owns a frozen copy of the 98 rows; if kvali.municipalities changes, this fails and
    the change needs a new migration (never an edit of m001)."""
    from kvali.municipalities import MUNICIPALITIES
    from kvali.store import schema_core
    from kvali.store.schema_core_m001_data import MUNICIPALITY_ROWS

    current = tuple((m.code, m.name, m.region, m.size_class, m.population)
                    for m in MUNICIPALITIES)
    assert MUNICIPALITY_ROWS == current
    assert "MUNICIPALITIES" not in vars(schema_core), "m001 must not read the live module"
    stored = fresh_db.execute("SELECT code, name, region, size_class, population "
                              "FROM municipalities").fetchall()
    assert sorted(stored) == sorted(MUNICIPALITY_ROWS)


@pytest.mark.parametrize(("migration_set", "name"), [("kvali.core", "m099_from_the_future"),
                                                     ("kvali.later", "m001_new_subsystem")])
def test_project_from_a_newer_kvali_is_refused_before_anything_is_applied(
        db_path: Path, monkeypatch, migration_set: str, name: str):
    open_db(db_path).close()
    conn = sqlite3.connect(db_path)
    with conn:  # another tool's migration set is not kvali's business; the newer kvali's is
        conn.executemany("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                         "VALUES (?, ?, 'later')", [("other.tool", "m001"), (migration_set, name)])
    conn.close()
    monkeypatch.setattr(store_db, "MIGRATION_SETS", [*store_db.MIGRATION_SETS, _upgrade()])
    with pytest.raises(ProjectError) as refused:
        open_db(db_path)
    assert str(refused.value) == (f"{db_path} was written by a newer kvali (unknown migration "
                                  f"{migration_set} {name}); upgrade kvali")
    tables = {r[0] for r in sqlite3.connect(db_path).execute("SELECT name FROM sqlite_master")}
    assert "later" not in tables
    assert not db_path.with_name(db_path.name + ".bak").exists()



def test_a_locked_project_fails_after_the_busy_timeout_with_one_line(project: Path):
    """Another connection holds the write lock: `kvali code` waits KVALI_BUSY_TIMEOUT_MS, then
    says the project is busy in one line; once the lock is gone the same command succeeds."""
    command = [sys.executable, "-c", "from kvali.cli import main; main()", "--db", str(project),
               "code", "1", "civil", "--coder", "x"]
    env = {**os.environ, "KVALI_BUSY_TIMEOUT_MS": "300"}
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        busy = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        waited = time.perf_counter() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.returncode != 0
    assert busy.stderr.splitlines() == [
        "kvali: error: the project is busy: another program is writing to it; try again"]
    assert waited < 8, "the short timeout from the environment was used, not the default 10 s"
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "segment 1 coded civil by x" in done.stdout


def test_busy_timeout_comes_from_the_environment(db_path: Path, monkeypatch):
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "250")
    assert open_db(db_path).execute("PRAGMA busy_timeout").fetchone()[0] == 250
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "soon")
    with pytest.raises(UsageError, match="KVALI_BUSY_TIMEOUT_MS='soon'"):
        open_db(db_path)


def _read_then_write(db) -> None:
    with db.atomic():
        db.execute("SELECT count(*) FROM codes").fetchone()
        db.execute("INSERT INTO settings (key, value) VALUES ('probe', '1')")


def test_a_writer_waits_for_the_lock_instead_of_failing_at_once(db_path: Path, monkeypatch):
    """A transaction that reads and then writes waits for another writer (BEGIN IMMEDIATE);
    a deferred BEGIN would get SQLITE_BUSY at once, whatever the busy timeout."""
    open_db(db_path).close()
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "5000")
    db = open_db(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.8, lambda: holder.execute("ROLLBACK"))
    release.start()
    started = time.perf_counter()
    _read_then_write(db)
    waited = time.perf_counter() - started
    release.join()
    holder.close()
    assert waited >= 0.7
    assert db.execute("SELECT value FROM settings WHERE key = 'probe'").fetchone() == ("1",)


def test_a_writer_gives_up_only_when_the_busy_timeout_has_passed(db_path: Path, monkeypatch):
    open_db(db_path).close()
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "1200")
    db = open_db(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _read_then_write(db)
        waited = time.perf_counter() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert waited >= 1.1
    assert not db.conn.in_transaction


def _kvali(project: Path, *args: str, limit_file_bytes: int | None = None):
    import resource

    def limit() -> None:
        if limit_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()",
                           "--db", str(project), *args], capture_output=True, text=True,
                          timeout=300, preexec_fn=limit)


def test_a_damaged_project_is_one_line(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    (tmp_path / "t.md").write_text("IP1: " + "Vi taler om netværket. " * 4000, encoding="utf-8")
    assert _kvali(project, "import", str(tmp_path / "t.md"), "--kind", "interview").returncode == 0
    data = bytearray(project.read_bytes())
    data[8192:] = b"\xff" * (len(data) - 8192)
    project.write_bytes(bytes(data))
    for command in (("status",), ("search", "netværk")):
        result = _kvali(project, *command)
        assert result.returncode != 0
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("kvali: error:"), result.stderr
        assert "internal error" not in lines[0]


def test_a_full_disk_is_one_line_and_keeps_what_was_committed(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    assert _kvali(project, "init").returncode == 0
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(6):
        (folder / f"t{n}.md").write_text("IP1: " + f"Udsagn {n} om netværket. " * 3000,
                                         encoding="utf-8")
    result = _kvali(project, "import", str(folder), "--kind", "interview",
                    limit_file_bytes=project.stat().st_size + 400_000)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors and all(line.startswith("kvali: error:") for line in errors), result.stderr
    assert "disk is full" in errors[-1]
    status = _kvali(project, "status", "--json")
    assert status.returncode == 0, status.stderr


@pytest.mark.parametrize(("message", "says"), [
    ("attempt to write a readonly database", "read-only"),
    ("database or disk is full", "disk is full"),
    ("database disk image is malformed", "damaged"),
    ("database is locked", "busy"),
])
def test_project_file_failures_are_user_errors(message: str, says: str) -> None:
    error = store_db.busy_error(sqlite3.OperationalError(message))
    assert isinstance(error, ProjectError) and says in str(error) and error.danish
    assert store_db.busy_error(sqlite3.OperationalError("no such table: x")) is None


def test_a_projects_file_and_name(tmp_path: Path) -> None:
    """The one answer to which file a connection has open and what the project is called:
    the file's stem for a project on disk, nothing for one in memory (nothing is cached)."""
    from sqlite_utils import Database

    from kvali.store.connection import database_file, project_name

    db = open_db(tmp_path / "Sundhed 2026.db")
    assert database_file(db) == tmp_path / "Sundhed 2026.db"
    assert database_file(db.conn) == tmp_path / "Sundhed 2026.db"
    assert project_name(db) == "Sundhed 2026"
    db.execute("ATTACH ':memory:' AS other")  # another database on the connection: still main's
    assert database_file(db) == tmp_path / "Sundhed 2026.db"
    db.close()
    memory = Database(memory=True)
    assert database_file(memory) is None and project_name(memory) == ""


def test_the_schema_accepts_exactly_the_document_kinds(tmp_path: Path) -> None:
    """The documents table's CHECK (written out in migration m001, which never changes) and
    kvali.domain.DOCUMENT_KINDS name the same kinds."""
    from kvali.domain import DOCUMENT_KINDS

    db = open_db(tmp_path / "kinds.db")
    db.execute("INSERT INTO imports (path, sha256, kind, imported_at) VALUES ('f', 's', 'x', 't')")
    accepted = []
    for kind in (*DOCUMENT_KINDS, "surveyxact", "auto", "rapport"):
        try:
            db.execute("INSERT INTO documents (import_id, name, kind, text, sha256, pipeline, "
                       "created_at) VALUES (1, 'd', ?, 't', 's', 'p', 't')", [kind])
            accepted.append(kind)
        except sqlite3.IntegrityError:
            pass
    assert tuple(accepted) == DOCUMENT_KINDS
    db.close()
