"""Blind mode: while a coder's blind mode is on, they see only their own codings (made by hand
or suggestions they accepted) and pending suggestions — in the reader, the coding panel, the
document list's counts — and never what another coder decided.

Review stays per coder. A suggestion is one row of `codings`, and `kvali.coding.store.decide`
changes that shared row (its status and coder), so a second coder's decision would overwrite the
first. A blind coder therefore decides a suggestion in one of two ways:

- still pending: through `decide`, as anyone would — the row becomes theirs;
- already decided by another coder: the row stays as that coder left it, and the blind coder's
  decision is a copy of their own on the same span and code, with `provenance`
  `{"accepted_suggestion": ID}` (a manual coding made by `add_manual_coding`) or
  `{"rejected_suggestion": ID}` (a row with origin 'manual' and status 'rejected', which counts
  nowhere, like any rejection, but records the decision).

So each coder's work stays in rows of their own, ready to be compared. For a blind coder, a
suggestion decided by someone else is still waiting in their Forslag queue until they have a
decision (or a coding) of their own on the same span and code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from kvali.access import require
from kvali.coders.work import coder_name
from kvali.coding.store import add_manual_coding, decide, log_event, now
from kvali.errors import UsageError
from kvali.selection import marks

BLIND_DECISIONS = ("accepted", "rejected")
QUEUE_STATUSES = ("suggested", *BLIND_DECISIONS)
"""The statuses of auto codings in a blind coder's review queue."""


def set_blind(db: Database, coder: str, on: bool) -> None:
    """Turn CODER's blind mode on or off."""
    require("code")
    name = coder_name(coder)
    with db.atomic():
        db.execute("INSERT INTO coders (name, blind) VALUES (?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET blind = excluded.blind", [name, int(on)])
        log_event(db, name, "blind", {"coder": name, "on": on})


def is_blind(db: Database, coder: str) -> bool:
    """Whether CODER's blind mode is on."""
    row = db.execute("SELECT blind FROM coders WHERE name = ?", [coder.strip()]).fetchone()
    return bool(row and row[0])


def visible_to(alias: str, coder: str) -> tuple[str, list[object]]:
    """SQL condition on codings ALIAS: what blind CODER sees (their own, and pending
    suggestions), with its parameters."""
    return f"({alias}.coder = ? OR {alias}.status = 'suggested')", [coder]


def undecided_by(alias: str, coder: str) -> tuple[str, list[object]]:
    """SQL condition on auto codings ALIAS: the suggestions blind CODER has yet to decide —
    pending, or decided by another coder — without a coding of CODER's own on the same span
    and code (an accepted or rejected copy, or the same coding made by hand)."""
    return (f"({alias}.status = 'suggested' OR {alias}.coder <> ?) AND NOT EXISTS ("
            f"SELECT 1 FROM codings own WHERE own.document_id = {alias}.document_id "
            f"AND own.start = {alias}.start AND own.\"end\" = {alias}.\"end\" "
            f"AND own.code_key = {alias}.code_key AND own.coder = ? "
            "AND own.origin = 'manual')", [coder, coder])


def decide_blind(db: Database, coding_ids: Iterable[int], status: str, coder: str) -> int:
    """Accept or reject suggestions as blind CODER (see the module docstring): pending ones
    through `decide`, ones another coder decided as CODER's own copy. Suggestions CODER has
    already decided are left alone. Returns how many were decided."""
    require("code")
    if status not in BLIND_DECISIONS:
        raise UsageError(f"status {status!r}: use one of {', '.join(BLIND_DECISIONS)}")
    name = coder_name(coder)
    ids = list(coding_ids)
    with db.atomic():
        rows = [row for start in range(0, len(ids), 500)
                for row in _undecided(db, ids[start:start + 500], name)]
        pending = [row[0] for row in rows if row[1] == "suggested"]
        decided = decide(db, pending, status, name) if pending else 0
        copies = [row for row in rows if row[1] != "suggested"]
        if status == "accepted":
            for coding_id, _, segment_id, start, end, code_key in copies:
                add_manual_coding(db, segment_id, code_key, name, span=(start, end),
                                  provenance={"accepted_suggestion": coding_id})
        elif copies:
            _reject_copies(db, copies, name)
    return decided + len(copies)


def _undecided(db: Database, ids: list[int], coder: str) -> list[tuple]:
    """(id, status, segment, start, end, code) of the auto codings among IDS that CODER has
    yet to decide."""
    if not ids:
        return []
    condition, params = undecided_by("c", coder)
    return db.execute(
        'SELECT c.id, c.status, c.segment_id, c.start, c."end", c.code_key FROM codings c '
        f"WHERE c.origin = 'auto' AND c.segment_id IS NOT NULL AND c.id IN ({marks(ids)}) "
        f"AND {condition} ORDER BY c.id", [*ids, *params]).fetchall()


def _reject_copies(db: Database, rows: list[tuple], coder: str) -> None:
    """Record CODER's rejection of suggestions another coder decided, one row each."""
    stamp = now()
    new = [db.execute(
        'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
        "status, provenance, created_at, updated_at) SELECT document_id, segment_id, start, "
        "\"end\", code_key, ?, 'manual', 'rejected', ?, ?, ? FROM codings WHERE id = ?",
        [coder, json.dumps({"rejected_suggestion": coding_id}), stamp, stamp, coding_id],
    ).lastrowid for coding_id, *_ in rows]
    log_event(db, coder, "rejected", {"suggestions": [row[0] for row in rows][:1000],
                                      "codings": new[:1000], "count": len(new)})
