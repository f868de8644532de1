"""Bring the FTS5 index up to date with segments written outside an import (see schema_search),
and tell per-process caches which state of its index they hold (which project:
`kvali.store.connection.database_file`)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def index_is_behind(db: Database | sqlite3.Connection) -> bool:
    """Whether segments wait in the queue to be indexed (a search must then write first)."""
    return bool(db.execute("SELECT EXISTS (SELECT 1 FROM segments_fts_pending)").fetchone()[0])


def sync_index(db: Database | sqlite3.Connection) -> bool:
    """Index queued segments, if any, in one transaction; returns whether there were any. With
    nothing queued it only reads, so a read-only connection will do (`kvali search` opens one
    unless `index_is_behind`)."""
    if not index_is_behind(db):
        return False
    from kvali.store.schema_search import FLUSH_PENDING  # the migrations, for a write only

    with db.atomic():
        for statement in FLUSH_PENDING:
            db.execute(statement)
    return True


def index_stamp(db: Database | sqlite3.Connection) -> tuple[bytes, ...]:
    """What changes whenever a segment is indexed, changed in the index or removed from it:
    FTS5's own averages record (row and token counts) and structure record (with its write
    counter), two small rows of `segments_fts_data` that every insert or delete rewrites.
    Reading them costs microseconds, where counting the segments would cost milliseconds."""
    return tuple(row[0] for row in db.execute(
        "SELECT block FROM segments_fts_data WHERE id IN (1, 10) ORDER BY id").fetchall())
