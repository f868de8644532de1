"""Carry out a merge plan inside the caller's transaction.

Codes are inserted as `kvali import-qdpx` inserts them (`kvali.refiqda.codes.insert_code`). A
coding is stored on the segment holding its start (else the first it overlaps:
`kvali.coding.placement`) and removes the pending suggestions its decision settles, as coding by
hand does (`kvali.coding.write.settle_suggestions`).
"""

from __future__ import annotations

from sqlite_utils import Database

from kvali.coding.placement import SegmentPlaces
from kvali.coding.store import now
from kvali.coding.write import insert_coding, settle_suggestions
from kvali.merge.plan import Plan
from kvali.merge.report import MergeReport
from kvali.refiqda.codes import insert_code


def write_plan(db: Database, plan: Plan, report: MergeReport) -> None:
    """Insert the planned codes, codings and memos; new coding ids go to REPORT."""
    stamp = now()
    top = db.execute("SELECT coalesce(max(position) + 1, 0) FROM codes "
                     "WHERE parent_key IS NULL").fetchone()[0]
    for code in plan.codes:
        insert_code(db, code, code.key, code.parent_key, top)
    places: dict[int, SegmentPlaces] = {}
    for document_id, coding in plan.codings:
        report.suggestions_replaced += len(settle_suggestions(
            db, document_id, coding.code_key, coding.start, coding.end, coding.status))
        if document_id not in places:
            places[document_id] = SegmentPlaces.of_document(db, document_id)
        report.codings_added.append(insert_coding(
            db, document_id=document_id,
            segment_id=places[document_id].segment_for(coding.start, coding.end),
            start=coding.start, end=coding.end, code_key=coding.code_key, coder=coding.coder,
            origin=coding.origin, status=coding.status, rule=coding.rule, score=coding.score,
            matched=coding.matched, rules_hash=coding.rules_hash,
            codebook_version=coding.codebook_version, provenance=coding.provenance,
            key_quote=int(coding.key_quote), memo=coding.memo,
            created_at=coding.created_at or stamp, updated_at=stamp))
    db.conn.executemany("UPDATE codings SET memo = ?, updated_at = ? WHERE id = ?",
                        [(memo, stamp, coding_id) for coding_id, memo in plan.coding_memos])
    db.conn.executemany("UPDATE codings SET key_quote = 1, updated_at = ? WHERE id = ?",
                        [(stamp, coding_id) for coding_id in plan.key_quotes])
    db.conn.executemany(
        "INSERT INTO memos (target_type, target, coder, text, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(m.target_type, m.target, m.coder, m.text, stamp, stamp) for m in plan.memos])
