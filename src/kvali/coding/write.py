"""Store a coding that comes whole from elsewhere (another project, a REFI-QDA file) and clear
the pending suggestions a human decision settles, as coding by hand does.

A coding of a code (manual or accepted) settles the code's pending auto suggestions it
overlaps; a rejection settles the one on exactly its span. `add_manual_coding`, `kvali merge`
and `kvali import-qdpx` all settle through `settle_suggestions`, so a decision leaves the review
queue the same way whichever way it came in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kvali.domain import HUMAN_STATUSES, decision

if TYPE_CHECKING:
    from sqlite_utils import Database

CODING_COLUMNS = ("document_id", "segment_id", "start", "end", "code_key", "coder", "origin",
                  "status", "rule", "score", "matched", "rules_hash", "codebook_version",
                  "provenance", "key_quote", "memo", "created_at", "updated_at")
"""The columns of `codings` a writer gives (the id is SQLite's)."""


def insert_coding(db: Database, **values: object) -> int:
    """Insert one coding row from column values (CODING_COLUMNS; the others keep their
    defaults); returns its id."""
    unknown = set(values) - set(CODING_COLUMNS)
    if unknown:
        raise TypeError(f"not columns of codings: {', '.join(sorted(unknown))}")
    columns = [column for column in CODING_COLUMNS if column in values]
    listed = ", ".join(f'"{column}"' for column in columns)
    return db.execute(f"INSERT INTO codings ({listed}) VALUES ({', '.join('?' * len(columns))})",
                      [values[column] for column in columns]).lastrowid


def settle_suggestions(db: Database, document_id: int, code_key: str, start: int, end: int,
                       status: str) -> list[int]:
    """Delete the pending suggestions of the code that a human coding with STATUS on
    [start, end) settles (see the module docstring); returns their ids."""
    if decision(status) == "coded":
        span, bounds = 'start < ? AND "end" > ?', [end, start]
    else:
        span, bounds = 'start = ? AND "end" = ?', [start, end]
    settled = [row[0] for row in db.execute(
        "SELECT id FROM codings WHERE document_id = ? AND code_key = ? AND origin = 'auto' "
        f"AND status = 'suggested' AND {span}", [document_id, code_key, *bounds])]
    db.conn.executemany("DELETE FROM codings WHERE id = ?", [(i,) for i in settled])
    return settled


def is_settled(db: Database, document_id: int, code_key: str, start: int, end: int) -> bool:
    """Whether a human decision here settles a pending suggestion of the code on [start, end)
    (the converse of `settle_suggestions`): a coding of the code overlapping it, or a
    rejection of exactly its span."""
    marks = ", ".join("?" * len(HUMAN_STATUSES))
    return db.execute(
        f"SELECT 1 FROM codings WHERE document_id = ? AND code_key = ? AND ((status IN ({marks}) "
        'AND start < ? AND "end" > ?) OR (status = \'rejected\' AND start = ? AND "end" = ?)) '
        "LIMIT 1", [document_id, code_key, *HUMAN_STATUSES, end, start, start, end]
    ).fetchone() is not None
