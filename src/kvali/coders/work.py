"""Assignments and done marks per coder and document (`coder_documents`), and each coder's
progress for `kvali coders list` and the Overblik page.

A row exists while a document is assigned to the coder or marked done by them; assigning and
marking done are independent (a coder may finish a document nobody assigned to them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.store import log_event, now
from kvali.domain import AUTO_CODER, HUMAN_STATUSES
from kvali.errors import UsageError
from kvali.selection import marks


@dataclass(frozen=True)
class CoderProgress:
    """How far one coder has come."""

    coder: str
    assigned: int
    done: int
    documents: int  # documents with the coder's codings
    codings: int  # manual codings and accepted suggestions
    blind: bool

    def to_dict(self) -> dict:
        """The progress as plain values (for --json)."""
        return asdict(self)


def coder_name(coder: str) -> str:
    """The coder's name without surrounding blanks; a UsageError when it is empty."""
    name = coder.strip()
    if not name:
        raise UsageError("a coder name is required", field="coder",
                         danish="Skriv dit navn under Koder i sidepanelet.")
    return name


def _existing(db: Database, document_ids: Iterable[int]) -> list[int]:
    """The ids, each once; a UsageError naming those that are no document."""
    ids = list(dict.fromkeys(int(i) for i in document_ids))
    found = {row[0] for row in db.execute(
        f"SELECT id FROM documents WHERE id IN ({marks(ids)})", ids)} if ids else set()
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise UsageError(f"no document with id {', '.join(missing)} (see `kvali documents list`)",
                         danish=f"Dokument {', '.join(missing)} findes ikke (længere).")
    return ids


def _change(db: Database, coder: str, document_ids: Iterable[int], setting: str,
            differs: str, values: list[object], action: str, actor: str) -> int:
    """Apply SETTING to the coder's rows of the documents where DIFFERS holds (VALUES fill the
    marks of both, in that order); rows left with neither an assignment nor a done mark go.
    Returns how many documents changed."""
    name = coder_name(coder)
    ids = _existing(db, document_ids)
    with db.atomic():
        db.conn.executemany("INSERT OR IGNORE INTO coder_documents (coder, document_id) "
                            "VALUES (?, ?)", [(name, i) for i in ids])
        changed = [i for i in ids if db.execute(
            f"UPDATE coder_documents SET {setting} WHERE {differs} AND coder = ? "
            "AND document_id = ?", [*values, name, i]).rowcount]
        db.execute("DELETE FROM coder_documents WHERE coder = ? AND assigned = 0 "
                   "AND done_at IS NULL", [name])
        if changed:
            log_event(db, actor or name, action, {"coder": name, "documents": changed})
    return len(changed)


def set_assigned(db: Database, coder: str, document_ids: Iterable[int], assigned: bool, *,
                 by: str = "") -> int:
    """Assign the documents to CODER (or take them back); BY is who does it (default: the
    coder). Returns how many documents changed. Needs the 'documents' permission."""
    require("documents")
    return _change(db, coder, document_ids, "assigned = ?", "assigned <> ?",
                   [int(assigned), int(assigned)], "assign" if assigned else "unassign", by)


def set_document_coders(db: Database, document_id: int, coders: Iterable[str], *,
                        by: str = "") -> int:
    """Make CODERS exactly the coders the document is assigned to; returns how many
    assignments changed. Needs the 'documents' permission."""
    require("documents")
    wanted = {coder_name(name) for name in coders}
    with db.atomic():
        before = set(document_coders(db, document_id))
        return (sum(set_assigned(db, name, [document_id], True, by=by)
                    for name in sorted(wanted - before))
                + sum(set_assigned(db, name, [document_id], False, by=by)
                      for name in sorted(before - wanted)))


def set_done(db: Database, coder: str, document_ids: Iterable[int], done: bool) -> int:
    """Mark the documents done by CODER ("færdigkodet"), or not done any more; returns how many
    documents changed. Needs the 'code' permission."""
    require("code")
    if done:
        return _change(db, coder, document_ids, "done_at = ?", "done_at IS NULL", [now()],
                       "done", coder)
    return _change(db, coder, document_ids, "done_at = NULL", "done_at IS NOT NULL", [],
                   "undone", coder)


def is_done(db: Database, coder: str, document_id: int) -> bool:
    """Whether CODER has marked the document done."""
    row = db.execute("SELECT 1 FROM coder_documents WHERE coder = ? AND document_id = ? "
                     "AND done_at IS NOT NULL", [coder.strip(), document_id]).fetchone()
    return row is not None


def document_coders(db: Database, document_id: int) -> list[str]:
    """The coders the document is assigned to, by name."""
    return [row[0] for row in db.execute(
        "SELECT coder FROM coder_documents WHERE document_id = ? AND assigned = 1 ORDER BY coder",
        [document_id])]


def coder_names(db: Database) -> list[str]:
    """Everyone who may be given documents: users, coders with work or a setting, and the
    coders of human codings, by name."""
    return [row[0] for row in db.execute(
        "SELECT name FROM users UNION SELECT name FROM coders "
        "UNION SELECT coder FROM coder_documents UNION SELECT coder FROM codings "
        f"WHERE status IN ({marks(HUMAN_STATUSES)}) AND coder <> ? ORDER BY 1",
        [*HUMAN_STATUSES, AUTO_CODER])]


ASSIGNED_TO = "SELECT document_id FROM coder_documents WHERE coder = ? AND assigned = 1"
"""The ids of the documents assigned to a coder (one parameter: the coder's name)."""


def coder_progress(db: Database) -> list[CoderProgress]:
    """Per coder (anyone with an assignment, a done mark, a blind setting or a human coding),
    by name: documents assigned and done, documents with codings, and codings."""
    work = {coder: (assigned or 0, done or 0) for coder, assigned, done in db.execute(
        "SELECT coder, sum(assigned), count(done_at) FROM coder_documents GROUP BY coder")}
    coded = {coder: (documents, codings) for coder, documents, codings in db.execute(
        "SELECT coder, count(DISTINCT document_id), count(*) FROM codings "
        f"WHERE status IN ({marks(HUMAN_STATUSES)}) GROUP BY coder", HUMAN_STATUSES)}
    blind = dict(db.execute("SELECT name, blind FROM coders").fetchall())
    return [CoderProgress(name, *work.get(name, (0, 0)), *coded.get(name, (0, 0)),
                          bool(blind.get(name)))
            for name in sorted({*work, *coded, *blind})]
