"""Bring the FTS5 index up to date with segments written outside an import (see schema_search)."""

from __future__ import annotations

from sqlite_utils import Database

from kvali.store.schema_search import FLUSH_PENDING


def sync_index(db: Database) -> bool:
    """Index queued segments, if any, in one transaction; returns whether there were any."""
    if not db.execute("SELECT EXISTS (SELECT 1 FROM segments_fts_pending)").fetchone()[0]:
        return False
    with db.atomic():
        for statement in FLUSH_PENDING:
            db.execute(statement)
    return True
