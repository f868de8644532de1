"""What changed in a project since a point in time: the reading side of the change log
(kvali.store.schema_changes).

A `Mark` is a cheap fingerprint of the project's state (three indexed look-ups); `changes_since`
says which codings changed after a mark, or that something else changed (material, codebook) or
too much did, when a figure must be computed afresh. Read a mark, the changes and the current
rows inside one `snapshot`, so they describe the same moment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class Mark:
    """The state of a project: material and codebook changes counted, the newest segment, and
    the newest change-log row (with its coding and kind, so two histories that diverged after a
    restored copy do not share a mark)."""

    material: int
    segments: int
    change: int
    last: tuple[int, str] | None


@dataclass(frozen=True)
class CodingChanges:
    """The codings that changed since a mark."""

    coding_ids: list[int]
    """Every coding inserted, updated or deleted since the mark (some may be gone now)."""
    before: list[int]
    """Change-log rows holding those codings that existed at the mark as they were then
    (`coding_change_facts.change_id`); a coding made since the mark has none."""


def _connection(db: Database | sqlite3.Connection) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


def current_mark(db: Database | sqlite3.Connection) -> Mark:
    """The project's mark now."""
    conn = _connection(db)
    material, segments, change = conn.execute(
        "SELECT (SELECT version FROM material_version), "
        "(SELECT coalesce(max(id), 0) FROM segments), "
        "(SELECT coalesce(max(change_id), 0) FROM coding_changes)").fetchone()
    last = conn.execute("SELECT id, op FROM coding_changes WHERE change_id = ?",
                        [change]).fetchone()
    return Mark(material, segments, change, tuple(last) if last else None)


def changes_since(db: Database | sqlite3.Connection, mark: Mark, now: Mark,
                  limit: int = 5000) -> CodingChanges | None:
    """The codings changed between MARK and NOW (a mark read in the same snapshot); None when
    the material or codebook changed, the log no longer reaches back to MARK, or more than
    LIMIT changes were made: then only a fresh computation is right."""
    if (now.material, now.segments) != (mark.material, mark.segments) or now.change < mark.change:
        return None
    if now.change == mark.change:
        return CodingChanges([], []) if now.last == mark.last else None
    if now.change - mark.change > limit:
        return None
    conn = _connection(db)
    oldest, at_mark = conn.execute(
        "SELECT min(change_id), (SELECT id || ' ' || op FROM coding_changes WHERE change_id = ?) "
        "FROM coding_changes", [mark.change]).fetchone()
    expected = f"{mark.last[0]} {mark.last[1]}" if mark.last else None
    if oldest is None or oldest > mark.change + 1 or (mark.change and at_mark != expected):
        return None  # trimmed past the mark, or another history than the one the mark saw
    seen: dict[int, None] = {}
    before: list[int] = []
    for change_id, coding_id, op in conn.execute(
            "SELECT change_id, id, op FROM coding_changes WHERE change_id > ? AND change_id <= ? "
            "ORDER BY change_id", [mark.change, now.change]):
        if coding_id in seen:
            continue
        seen[coding_id] = None
        if op != "insert":
            before.append(change_id)
    return CodingChanges(list(seen), before)


@contextmanager
def snapshot(db: Database | sqlite3.Connection) -> Iterator[None]:
    """Reads inside the block see one state of the project (a read transaction); inside a
    transaction already open, that one."""
    conn = _connection(db)
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
