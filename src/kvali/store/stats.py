"""Counts that describe a project (`kvali status`, the app's overview page); plain SQL, so a
sqlite-utils project or a read-only sqlite3 connection will do."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database


def _scalar(db: Database | sqlite3.Connection, sql: str) -> int:
    return db.execute(sql).fetchone()[0] or 0


def project_status(db: Database | sqlite3.Connection) -> dict[str, Any]:
    """`project_counts` plus the number of words (a scan of every segment, so not for pages
    that rerun often)."""
    return {**project_counts(db), "words": _scalar(
        db, "SELECT sum(length(lemmas) - length(replace(lemmas, ' ', '')) + (lemmas != '')) "
            "FROM segments")}


def project_counts(db: Database | sqlite3.Connection) -> dict[str, Any]:
    """Counts of documents, segments, responses, cases, municipalities, codes and codings."""
    status: dict[str, Any] = {
        "documents": _scalar(db, "SELECT count(*) FROM documents"),
        "segments": _scalar(db, "SELECT count(*) FROM segments"),
        "responses": _scalar(db, "SELECT count(*) FROM responses"),
        "respondents": _scalar(db, "SELECT count(*) FROM respondents"),
        "cases": _scalar(db, "SELECT count(*) FROM cases"),
        "municipalities": _scalar(
            db, "SELECT count(DISTINCT municipality_code) FROM cases "
                "WHERE municipality_code IS NOT NULL AND id IN "
                "(SELECT case_id FROM segments WHERE case_id IS NOT NULL)"),
        "speakers": _scalar(db, "SELECT count(*) FROM speakers"),
        "imports": _scalar(db, "SELECT count(*) FROM imports"),
        "codes": _scalar(db, "SELECT count(*) FROM codes WHERE active = 1"),
        "codings": _scalar(db, "SELECT count(*) FROM codings"),
    }
    status["documents_by_kind"] = dict(
        db.execute("SELECT kind, count(*) FROM documents GROUP BY kind ORDER BY kind").fetchall())
    status["codings_by_status"] = dict(
        db.execute("SELECT status, count(*) FROM codings GROUP BY status ORDER BY status"))
    status["municipalities_by_region"] = dict(db.execute(
        "SELECT m.region, count(DISTINCT m.code) FROM municipalities m "
        "JOIN cases c ON c.municipality_code = m.code "
        "WHERE c.id IN (SELECT case_id FROM segments WHERE case_id IS NOT NULL) "
        "GROUP BY m.region ORDER BY m.region"))
    status["unmatched_cases"] = [
        row[0] for row in db.execute("SELECT name FROM cases WHERE municipality_code IS NULL "
                                     "ORDER BY name")]
    status["pipelines"] = [row[0] for row in db.execute(
        "SELECT DISTINCT pipeline FROM documents ORDER BY pipeline")]
    return status
