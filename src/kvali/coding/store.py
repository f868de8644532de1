"""Human coding work: manual codings, review decisions, key quotes and memos, each one logged.

The CLI (`kvali code`), the app and search ("code all hits") all call these functions; each runs
in one short write transaction and records an event row, so the project keeps an audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kvali.access import require
from kvali.coding.write import insert_coding, settle_suggestions
from kvali.errors import UsageError, shorten

if TYPE_CHECKING:
    from sqlite_utils import Database

DECISIONS = ("accepted", "rejected", "suggested")
MEMO_TARGETS = ("project", "document", "code", "coding")


def now() -> str:
    """UTC timestamp stored on codings, memos and events."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def log_event(db: Database, actor: str, action: str, payload: dict) -> None:
    """Append one row to the audit log (no segment text, so no personal data)."""
    db.execute("INSERT INTO events (at, actor, action, payload) VALUES (?, ?, ?, ?)",
               [now(), actor, action, json.dumps(payload, ensure_ascii=False)])


def require_code(db: Database, code_key: str) -> None:
    """Raise UsageError when the codebook has no such code."""
    if not db.execute("SELECT 1 FROM codes WHERE key = ?", [code_key]).fetchone():
        raise UsageError(f"code {shorten(code_key)!r} is not in the codebook; load it with "
                         "`kvali codebook load`", field="code", value=code_key,
                         danish=f"Koden »{shorten(code_key)}« findes ikke i projektets kodebog.")


def add_manual_coding(
    db: Database,
    segment_id: int,
    code_key: str,
    coder: str,
    *,
    memo: str | None = None,
    provenance: dict | None = None,
    span: tuple[int, int] | None = None,
) -> int:
    """Code a segment (or a span inside its document) by hand; returns the coding id.

    Coding the same span with the same code twice by the same coder returns the existing id.
    Pending suggestions of the code on segments the span overlaps leave the review queue (they
    are deleted and listed in the event), so the code counts once; tagging does not bring them
    back while the manual coding stands.
    """
    require("code")
    coder = coder.strip()
    if not coder:
        raise UsageError("--coder: a coder name is required", field="coder",
                         danish="Skriv dit navn under Koder i sidepanelet for at kunne kode.")
    require_code(db, code_key)
    row = db.execute('SELECT document_id, start, "end" FROM segments WHERE id = ?',
                     [segment_id]).fetchone()
    if row is None:
        raise UsageError(f"segment {segment_id} does not exist",
                         danish=f"Segment {segment_id} findes ikke (længere).")
    document_id, start, end = row
    if span is not None:
        start, end = span
        length = db.execute("SELECT length(text) FROM documents WHERE id = ?",
                            [document_id]).fetchone()[0]
        if not 0 <= start < end <= length:
            raise UsageError(f"span {start}-{end} lies outside document {document_id}",
                             danish="Udsnittet ligger uden for dokumentet.")
    with db.atomic():
        existing = db.execute(
            'SELECT id FROM codings WHERE document_id = ? AND start = ? AND "end" = ? '
            "AND code_key = ? AND coder = ? AND status IN ('manual', 'accepted')",
            [document_id, start, end, code_key, coder]).fetchone()
        if existing:
            return existing[0]
        stamp = now()
        coding_id = insert_coding(
            db, document_id=document_id, segment_id=segment_id, start=start, end=end,
            code_key=code_key, coder=coder, origin="manual", status="manual", memo=memo,
            provenance=json.dumps(provenance, ensure_ascii=False) if provenance else None,
            created_at=stamp, updated_at=stamp)
        superseded = settle_suggestions(db, document_id, code_key, start, end, "manual")
        log_event(db, coder, "code", {"coding": coding_id, "segment": segment_id,
                                      "code": code_key, "superseded": superseded})
    return coding_id


def remove_coding(db: Database, coding_id: int, coder: str) -> None:
    """Remove a manual coding; an auto suggestion is rejected instead, so it does not return."""
    require("code")
    with db.atomic():
        row = db.execute("SELECT origin FROM codings WHERE id = ?", [coding_id]).fetchone()
        if row is None:
            raise UsageError(f"coding {coding_id} does not exist",
                             danish=f"Kodning {coding_id} findes ikke (længere).")
        if row[0] == "auto":
            _set_status(db, [coding_id], "rejected", coder)
            return
        db.execute("DELETE FROM codings WHERE id = ?", [coding_id])
        log_event(db, coder, "uncode", {"coding": coding_id})


def decide(db: Database, coding_ids: Iterable[int], status: str, coder: str) -> int:
    """Accept or reject suggestions (or put them back to suggested); returns how many changed."""
    require("code")
    if status not in DECISIONS:
        raise UsageError(f"status {status!r}: use one of {', '.join(DECISIONS)}")
    with db.atomic():
        return _set_status(db, list(coding_ids), status, coder)


def _set_status(db: Database, ids: list[int], status: str, coder: str) -> int:
    changed = 0
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        changed += db.execute(
            f"UPDATE codings SET status = ?, coder = ?, updated_at = ? "
            f"WHERE origin = 'auto' AND id IN ({marks})", [status, coder, now(), *chunk],
        ).rowcount
    log_event(db, coder, status, {"codings": ids[:1000], "count": changed})
    return changed


def set_key_quote(db: Database, coding_id: int, key_quote: bool, coder: str) -> None:
    """Mark or unmark a coding as a key quote for the theme summary."""
    require("code")
    with db.atomic():
        updated = db.execute("UPDATE codings SET key_quote = ?, updated_at = ? WHERE id = ?",
                             [int(key_quote), now(), coding_id]).rowcount
        if not updated:
            raise UsageError(f"coding {coding_id} does not exist",
                             danish=f"Kodning {coding_id} findes ikke (længere).")
        log_event(db, coder, "key_quote", {"coding": coding_id, "on": key_quote})


def save_memo(db: Database, target_type: str, target: str | int, text: str, coder: str) -> int:
    """Write (or replace) a coder's memo on the project, a document or a code, or on a coding
    (kept on the coding row itself); returns the memo's (or coding's) id."""
    require("code")
    if target_type not in MEMO_TARGETS:
        raise UsageError(f"memo target {target_type!r}: use one of {', '.join(MEMO_TARGETS)}")
    if target_type == "coding":
        with db.atomic():
            if not db.execute("UPDATE codings SET memo = ?, updated_at = ? WHERE id = ?",
                              [text or None, now(), int(target)]).rowcount:
                raise UsageError(f"coding {target} does not exist")
            log_event(db, coder, "memo", {"coding": int(target)})
        return int(target)
    with db.atomic():
        existing = db.execute(
            "SELECT id FROM memos WHERE target_type = ? AND target = ? AND coder = ?",
            [target_type, str(target), coder]).fetchone()
        if existing:
            db.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                       [text, now(), existing[0]])
            memo_id = existing[0]
        else:
            stamp = now()
            memo_id = db.execute(
                "INSERT INTO memos (target_type, target, coder, text, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [target_type, str(target), coder, text, stamp, stamp],
            ).lastrowid
        log_event(db, coder, "memo", {"memo": memo_id, "target_type": target_type,
                                      "target": str(target)})
    return memo_id
