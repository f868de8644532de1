"""Carry out a merge plan inside the caller's transaction.

Codes are inserted as `kvali import-qdpx` inserts them (`kvali.refiqda.codes.insert_code`). A
coding is stored on the segment holding its start (else the first it overlaps) and removes the
pending suggestions its decision settles, as coding by hand does: a coding of the code removes
those it overlaps, a rejection the one on its own span.
"""

from __future__ import annotations

from sqlite_utils import Database

from kvali.coding.store import now
from kvali.merge.model import IncomingCoding
from kvali.merge.plan import Plan, decision
from kvali.merge.report import MergeReport
from kvali.refiqda.codes import insert_code


def write_plan(db: Database, plan: Plan, report: MergeReport) -> None:
    """Insert the planned codes, codings and memos; new coding ids go to REPORT."""
    stamp = now()
    top = db.execute("SELECT coalesce(max(position) + 1, 0) FROM codes "
                     "WHERE parent_key IS NULL").fetchone()[0]
    for code in plan.codes:
        insert_code(db, code, code.key, code.parent_key, top)
    for document_id, coding in plan.codings:
        report.suggestions_replaced += _settle_suggestions(db, document_id, coding)
        report.codings_added.append(_insert_coding(db, document_id, coding, stamp))
    db.conn.executemany("UPDATE codings SET memo = ?, updated_at = ? WHERE id = ?",
                        [(memo, stamp, coding_id) for coding_id, memo in plan.coding_memos])
    db.conn.executemany("UPDATE codings SET key_quote = 1, updated_at = ? WHERE id = ?",
                        [(stamp, coding_id) for coding_id in plan.key_quotes])
    db.conn.executemany(
        "INSERT INTO memos (target_type, target, coder, text, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(m.target_type, m.target, m.coder, m.text, stamp, stamp) for m in plan.memos])


def _settle_suggestions(db: Database, document_id: int, coding: IncomingCoding) -> int:
    """Delete the pending suggestions of the coding's code that its decision settles."""
    overlap = decision(coding.status) == "coded"
    return db.execute(
        "DELETE FROM codings WHERE document_id = ? AND code_key = ? AND status = 'suggested' "
        "AND origin = 'auto' AND "
        + ('start < ? AND "end" > ?' if overlap else 'start = ? AND "end" = ?'),
        [document_id, coding.code_key, *((coding.end, coding.start) if overlap
                                         else (coding.start, coding.end))]).rowcount


def _insert_coding(db: Database, document_id: int, coding: IncomingCoding, stamp: str) -> int:
    segment = db.execute(
        'SELECT id FROM segments WHERE document_id = ? AND start < ? AND "end" > ? '
        "ORDER BY start > ?, start LIMIT 1",
        [document_id, coding.end, coding.start, coding.start]).fetchone()
    return db.execute(
        'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
        "status, rule, score, matched, rules_hash, codebook_version, provenance, key_quote, "
        "memo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)",
        [document_id, segment[0] if segment else None, coding.start, coding.end,
         coding.code_key, coding.coder, coding.origin, coding.status, coding.rule,
         coding.score, coding.matched, coding.rules_hash, coding.codebook_version,
         coding.provenance, int(coding.key_quote), coding.memo, coding.created_at or stamp,
         stamp]).lastrowid
