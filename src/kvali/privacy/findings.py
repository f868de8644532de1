"""Findings of personal data in the project: scan, decide, add by hand, list.

A scan adds new undecided findings and removes undecided ones it no longer finds; confirmed,
dismissed and manual rows are never touched, so a re-scan changes nothing that a person decided.
Every write runs in `db.atomic()` and logs one `events` row with ids and counts only: the found
text (names, numbers) never goes into events or error messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.store import log_event, now
from kvali.errors import UsageError
from kvali.privacy.scan import scan_text
from kvali.privacy.scan.model import entity_key
from kvali.store.schema_privacy import PII_STATUSES, PII_TYPES

TYPE_LABELS = {"cpr": "CPR-nummer", "phone": "Telefon", "email": "E-mail",
               "address": "Adresse", "name": "Navn"}
STATUS_LABELS = {"found": "Fundet", "confirmed": "Bekræftet", "dismissed": "Afvist"}


@dataclass(frozen=True)
class ScanReport:
    """What `scan_project` changed."""

    documents: int
    added: int
    removed: int
    kept: int

    def to_dict(self) -> dict:
        """JSON-friendly counts."""
        return asdict(self)


@dataclass(frozen=True)
class FindingRow:
    """One stored finding with its document's name and the text it covers (for the analyst's
    own screen only)."""

    id: int
    document_id: int
    document: str
    start: int
    end: int
    type: str
    reason: str
    status: str
    origin: str
    entity: str
    text: str

    def to_dict(self) -> dict:
        """JSON-friendly."""
        return asdict(self)


def scan_project(db: Database, document_ids: Iterable[int] | None = None) -> ScanReport:
    """Scan the documents (all by default) and bring the undecided findings up to date."""
    require("code")
    ids = (list(document_ids) if document_ids is not None else
           [row[0] for row in db.execute("SELECT id FROM documents ORDER BY id")])
    added = removed = kept = 0
    with db.atomic():
        for document_id in ids:
            row = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
            if row is None:
                raise _no_document(document_id)
            speakers = [r[0] for r in db.execute(
                "SELECT name FROM speakers WHERE document_id = ? AND name IS NOT NULL",
                [document_id])]
            found = {(f.start, f.end, f.type): f for f in scan_text(row[0], speakers)}
            stored = {(s, e, t): (i, status, origin) for i, s, e, t, status, origin in db.execute(
                'SELECT id, start, "end", type, status, origin FROM pii_findings '
                "WHERE document_id = ?", [document_id])}
            for key, (finding_id, status, origin) in stored.items():
                if key not in found and status == "found" and origin == "scan":
                    db.execute("DELETE FROM pii_findings WHERE id = ?", [finding_id])
                    removed += 1
            for key, finding in found.items():
                if key in stored:
                    kept += 1
                    continue
                db.execute('INSERT INTO pii_findings (document_id, start, "end", type, reason, '
                           "entity) VALUES (?, ?, ?, ?, ?, ?)",
                           [document_id, finding.start, finding.end, finding.type,
                            finding.reason, finding.entity])
                added += 1
        report = ScanReport(len(ids), added, removed, kept)
        log_event(db, "kvali", "pii.scan", {"documents": ids, **report.to_dict()})
    return report


def decide(db: Database, ids: Iterable[int], status: str, actor: str) -> int:
    """Set the status of findings (confirmed, dismissed, or found to undo); returns how many."""
    require("code")
    ids = sorted(set(ids))
    actor = _actor(actor)
    if status not in PII_STATUSES:
        raise UsageError(f"status {status!r}: expected one of {', '.join(PII_STATUSES)}",
                         field="status", danish="Ukendt status.")
    if not ids:
        raise UsageError("no finding ids given", danish="Vælg mindst ét fund.")
    with db.atomic():
        marks = ", ".join("?" * len(ids))
        known = {r[0] for r in db.execute(f"SELECT id FROM pii_findings WHERE id IN ({marks})",
                                          ids)}
        missing = [i for i in ids if i not in known]
        if missing:
            listed = ", ".join(map(str, missing))
            raise UsageError(f"no finding with id {listed} (see `kvali pii list`)",
                             danish=f"Fund {listed} findes ikke (længere).")
        decided_by, decided_at = (None, None) if status == "found" else (actor, now())
        db.execute(f"UPDATE pii_findings SET status = ?, decided_by = ?, decided_at = ? "
                   f"WHERE id IN ({marks})", [status, decided_by, decided_at, *ids])
        log_event(db, actor, "pii.decide", {"ids": ids, "status": status})
    return len(ids)


def add_manual(db: Database, document_id: int, start: int, end: int, type_: str,
               actor: str) -> int:
    """Mark TEXT[START:END] of a document as personal data by hand (confirmed); returns its id.
    Marking a stretch that a scan found makes that row manual and confirmed."""
    require("code")
    actor = _actor(actor)
    if type_ not in PII_TYPES:
        raise UsageError(f"type {type_!r}: expected one of {', '.join(PII_TYPES)}",
                         field="type", danish="Vælg en type for fundet.")
    with db.atomic():
        text = _document_text(db, document_id)
        if not 0 <= start < end <= len(text):
            raise UsageError(f"document {document_id}: {start}-{end} is not a stretch of its "
                             f"text (0-{len(text)}, start before end)", danish=(
                                 f"{start}–{end} ligger ikke i dokumentets tekst (0–{len(text)}, "
                                 "start før slut)."))
        db.execute('INSERT INTO pii_findings (document_id, start, "end", type, reason, status, '
                   "origin, entity, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, 'confirmed', "
                   "'manual', ?, ?, ?) ON CONFLICT (document_id, start, \"end\", type) DO UPDATE "
                   "SET status = 'confirmed', origin = 'manual', decided_by = excluded.decided_by, "
                   "decided_at = excluded.decided_at",
                   [document_id, start, end, type_, "manual: marked by an analyst",
                    entity_key(type_, text[start:end]), actor, now()])
        finding_id = db.execute('SELECT id FROM pii_findings WHERE document_id = ? AND start = ? '
                                'AND "end" = ? AND type = ?',
                                [document_id, start, end, type_]).fetchone()[0]
        log_event(db, actor, "pii.add", {"id": finding_id, "document": document_id})
    return finding_id


def add_manual_text(db: Database, document_id: int, text: str, type_: str,
                    actor: str) -> list[int]:
    """Mark every occurrence of the exact TEXT in a document by hand; returns the ids."""
    body = _document_text(db, document_id)
    starts, at = [], body.find(text) if text else -1
    while at >= 0:
        starts.append(at)
        at = body.find(text, at + len(text))
    if not starts:
        raise UsageError(f"document {document_id}: the text given does not occur in it",
                         danish="Teksten findes ikke (præcis sådan) i dokumentet.")
    with db.atomic():
        return [add_manual(db, document_id, s, s + len(text), type_, actor) for s in starts]


def list_findings(db: Database, status: str | None = None, type: str | None = None,
                  document: int | None = None) -> list[FindingRow]:
    """The findings in document and text order, optionally of one status, type or document."""
    where, params = [], []
    for column, value in (("f.status", status), ("f.type", type), ("f.document_id", document)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = ('SELECT f.id, f.document_id, d.name, f.start, f."end", f.type, f.reason, f.status, '
           "f.origin, f.entity, substr(d.text, f.start + 1, f.\"end\" - f.start) "
           "FROM pii_findings f JOIN documents d ON d.id = f.document_id"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + ' ORDER BY f.document_id, f.start, f."end", f.type')
    return [FindingRow(*row) for row in db.execute(sql, params)]


def _actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise UsageError("--coder: a name is required", field="coder",
                         danish="Skriv dit navn under Koder i sidepanelet.")
    return actor


def _document_text(db: Database, document_id: int) -> str:
    row = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise _no_document(document_id)
    return row[0]


def _no_document(document_id: int) -> UsageError:
    return UsageError(f"no document with id {document_id} (see `kvali documents list`)",
                      danish=f"Dokument {document_id} findes ikke (længere).")
