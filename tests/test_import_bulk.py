"""What the importer does for speed keeps its promises: statement journals in memory only while
importing, each file still all or nothing, and the search index exactly the stored segments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlite_utils import Database

import kvali.importer as importer
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

INTERVIEWS = Path(__file__).resolve().parents[1] / "corpus" / "interviews"
TRANSCRIPT = """---
title: Interview om netværk
kind: interview
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aarhus}
---
I: Hvordan inddrager I civilsamfundet?
IP1: Vi holder bl.a. netværksmøder med pårørende. Frivillige deltager også, jf. § 18.
I: Og kommunens rolle?
IP1: Vi ved ikke altid, hvem der tager ansvaret.
"""


def _files(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"interview_{i}.md"
        path.write_text(TRANSCRIPT.replace("Aarhus", ["Aarhus", "Odense", "Vejle"][i % 3])
                        + f"I: Tak for interview nummer {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def _vocabulary(db: Database) -> list[tuple]:
    return db.execute("SELECT term, doc, cnt FROM segments_fts_terms ORDER BY term").fetchall()


def test_the_search_index_holds_exactly_the_imported_segments(tmp_path: Path) -> None:
    db = open_db(tmp_path / "project.db")
    paths = _files(tmp_path, 4) + ([INTERVIEWS] if INTERVIEWS.is_dir() else [])
    report = import_paths(db, paths, ReadOptions())
    assert not report.failed
    assert db.execute("SELECT count(*) FROM segments_fts_pending").fetchone()[0] == 0
    db.execute("INSERT INTO segments_fts (segments_fts, rank) VALUES ('integrity-check', 1)")
    indexed = _vocabulary(db)
    assert indexed
    db.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
    assert _vocabulary(db) == indexed  # as if built from the segments table in one go
    hits = {row[0] for row in db.execute(
        "SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'netværksmøder'")}
    having = {row[0] for row in db.execute("SELECT id, text FROM segments")
              if re.search(r"\bnetværksmøder\b", row[1], re.IGNORECASE)}
    assert len(having) >= 4
    assert hits == having


def test_statement_journals_are_in_memory_only_while_importing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(tmp_path / "project.db")
    db.execute("PRAGMA temp_store = FILE")
    seen: list[int] = []
    store = importer._store_document

    def store_and_look(database, document, *args, **kwargs):
        seen.append(database.execute("PRAGMA temp_store").fetchone()[0])
        if "nummer 1." in document.text:
            raise importer.KvaliError("simulated failure while storing")
        return store(database, document, *args, **kwargs)

    monkeypatch.setattr(importer, "_store_document", store_and_look)
    report = import_paths(db, _files(tmp_path, 3), ReadOptions())
    assert [f.status for f in report.files] == ["imported", "failed", "imported"]
    assert seen == [2, 2, 2]  # MEMORY
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 1  # FILE again
    numbers = [row[0][-3:-2] for row in db.execute("SELECT text FROM documents ORDER BY id")]
    assert numbers == ["0", "2"]
    assert db.execute("SELECT count(*) FROM imports").fetchone()[0] == 2
    def found(query: str) -> int:
        return db.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?",
                          [query]).fetchone()[0]

    assert (found('"nummer 0"'), found('"nummer 1"'), found('"nummer 2"')) == (1, 0, 1)


def test_an_import_inside_a_transaction_keeps_the_connection_setting(tmp_path: Path) -> None:
    db = open_db(tmp_path / "project.db")
    db.execute("PRAGMA temp_store = FILE")
    with db.atomic():
        report = import_paths(db, _files(tmp_path, 2), ReadOptions())
    assert [f.status for f in report.files] == ["imported", "imported"]
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
