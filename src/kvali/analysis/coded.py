"""The codings an analysis counts, as slim rows: only the columns it needs, read from
`coding_facts` under a `Selection` (so a filter means what it means in every export), or from
`coding_change_facts` for codings as they were before a change (kvali.store.changes)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kvali.selection import Selection, compile_selection

if TYPE_CHECKING:
    from sqlite_utils import Database


def _ids(values: Iterable[int]) -> str:
    return json.dumps(sorted({int(value) for value in values}))


def coded_rows(db: Database, selection: Selection, columns: Iterable[str], *,
               coding_ids: Iterable[int] | None = None,
               before: Iterable[int] | None = None) -> list[tuple]:
    """COLUMNS of `coding_facts` (one may come twice) for the codings in SELECTION (only those
    among CODING_IDS, if given); with BEFORE (change-log rows), of those codings as they were
    before the change."""
    where = compile_selection(db, selection, "codings")
    listed = ", ".join(f'f."{column}"' for column in columns)
    return db.execute(f"SELECT {listed} {among(coding_ids, before)}{where.clause('WHERE')}",
                      [*among_params(coding_ids, before), *where.params]).fetchall()


def among(coding_ids: Iterable[int] | None = None, before: Iterable[int] | None = None, *,
          facts: bool = True) -> str:
    """The FROM clause (alias `f`) of every coding, of those among CODING_IDS, or of the
    codings as they were in the change-log rows BEFORE: the facts views, or without FACTS the
    bare tables (with `coding_id` as in the views). Parameters: `among_params`. The ids drive
    the join: CROSS JOIN keeps SQLite from scanning an index of another column instead of
    looking the few rows up."""
    if before is not None:
        source = "coding_change_facts" if facts else \
            "(SELECT id AS coding_id, * FROM coding_changes)"
        return f"FROM json_each(?) j CROSS JOIN {source} f ON f.change_id = j.value"
    source = "coding_facts" if facts else "(SELECT id AS coding_id, * FROM codings)"
    if coding_ids is not None:
        return f"FROM json_each(?) j CROSS JOIN {source} f ON f.coding_id = j.value"
    return f"FROM {source} f"


def among_params(coding_ids: Iterable[int] | None = None,
                 before: Iterable[int] | None = None) -> list[str]:
    """The parameters of `among`."""
    if before is not None:
        return [_ids(before)]
    return [_ids(coding_ids)] if coding_ids is not None else []


def codings_at(db: Database, spans: Iterable[tuple[int, int]]) -> list[int]:
    """The ids of every coding that starts at one of the (document, start) places."""
    found: list[int] = []
    for document_id, start in set(spans):
        found.extend(row[0] for row in db.execute(
            "SELECT id FROM codings WHERE document_id = ? AND start = ?", [document_id, start]))
    return found


def codings_in_segments(db: Database, document_id: int, first: int, last: int) -> list[int]:
    """The ids of every coding of the document's segments FIRST..LAST (by `seq`)."""
    return [row[0] for row in db.execute(
        "SELECT c.id FROM segments s JOIN codings c ON c.segment_id = s.id "
        "WHERE s.document_id = ? AND s.seq BETWEEN ? AND ?", [document_id, first, last])]
