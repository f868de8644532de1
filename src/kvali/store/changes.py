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
    """The state of a project: material and codebook changes counted, the newest segment, the
    largest coding id, and the newest change-log row (with its coding and kind, so two
    histories that diverged after a restored copy do not share a mark)."""

    material: int
    segments: int
    codings: int
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
    material, segments, codings, change = conn.execute(
        "SELECT (SELECT version FROM material_version), "
        "(SELECT coalesce(max(id), 0) FROM segments), "
        "(SELECT coalesce(max(id), 0) FROM codings), "
        "(SELECT coalesce(max(change_id), 0) FROM coding_changes)").fetchone()
    last = conn.execute("SELECT id, op FROM coding_changes WHERE change_id = ?",
                        [change]).fetchone()
    return Mark(material, segments, codings, change, tuple(last) if last else None)


def changes_since(db: Database | sqlite3.Connection, mark: Mark, now: Mark,
                  limit: int = 5000) -> CodingChanges | None:
    """The codings changed between MARK and NOW (a mark read in the same snapshot); None when
    the material or codebook changed, the log no longer reaches back to MARK, or more than
    LIMIT codings changed: then only a fresh computation is right.

    Deleted and updated codings are in the log. New ones are not: each got an id above the
    largest id of its moment, which is at least `floor`, the smallest largest id since the mark
    (the mark's own, or one a delete left). So every coding above `floor` is new or logged; a
    logged coding existed at the mark if its first row comes before the largest id first fell
    below it, or is the delete that made it fall (after that, the id can only be a new coding).
    """
    if (now.material, now.segments) != (mark.material, mark.segments) or now.change < mark.change:
        return None
    conn = _connection(db)
    if now.change == mark.change and now.last != mark.last:
        return None
    if now.change > mark.change and not _reaches(conn, mark):
        return None
    if now.change - mark.change > limit:
        return None
    first: dict[int, tuple[int, str]] = {}
    falls: list[tuple[int, int]] = []  # (change row, largest id after it), each one lower
    floor = mark.codings
    for change_id, coding_id, op, max_after in conn.execute(
            "SELECT change_id, id, op, max_after FROM coding_changes "
            "WHERE change_id > ? AND change_id <= ? ORDER BY change_id",
            [mark.change, now.change]):
        first.setdefault(coding_id, (change_id, op))
        if max_after is not None and max_after < floor:
            floor = max_after
            falls.append((change_id, floor))
    if conn.execute("SELECT count(*) FROM codings WHERE id > ?", [floor]).fetchone()[0] > limit:
        return None
    new = [row[0] for row in conn.execute("SELECT id FROM codings WHERE id > ?", [floor])]
    before = [change_id for coding_id, (change_id, op) in first.items()
              if op != "insert" and _existed(coding_id, change_id, mark.codings, falls)]
    return CodingChanges(list(dict.fromkeys([*first, *new])), before)


def _reaches(conn: sqlite3.Connection, mark: Mark) -> bool:
    """Whether the log still holds every row after MARK, and MARK's own row as it saw it."""
    oldest, at_mark = conn.execute(
        "SELECT min(change_id), (SELECT id || ' ' || op FROM coding_changes WHERE change_id = ?) "
        "FROM coding_changes", [mark.change]).fetchone()
    expected = f"{mark.last[0]} {mark.last[1]}" if mark.last else None
    return oldest is not None and oldest <= mark.change + 1 and \
        (not mark.change or at_mark == expected)


def _existed(coding_id: int, first_row: int, largest: int, falls: list[tuple[int, int]]) -> bool:
    """Whether the coding whose first log row is FIRST_ROW existed at the mark (when the
    largest id was LARGEST; FALLS: where the largest id fell lower since)."""
    if coding_id > largest:
        return False
    fell = next((change_id for change_id, floor in falls if floor < coding_id), None)
    return fell is None or first_row <= fell  # its own delete may be the one


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
