"""Re-import a corrected file in place of its document, keeping the human coding work.

The new file is read and segmented by `kvali.importer` exactly as any import (outside any
transaction); then one transaction stores it, moves the old document's human work onto it and
deletes the old document with `delete_documents`. A failure anywhere rolls all of it back: the
old document stays as it was and no new one is left behind.

Every manual or accepted coding, and every rejected suggestion (so it does not come back), whose
quoted text occurs in the new text is re-anchored at the occurrence nearest its old relative
position (ties: the first) and keeps its id, code, coder, status, memo, key quote and
provenance. Codings whose text is gone are reported as lost and deleted with the old document.
Pending suggestions are not carried: the new document is untagged, so `kvali tag` suggests
afresh. Memos on the document move to the new document; its kind stays as the analyst left it.
The `events` row holds ids and counts only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.store import log_event
from kvali.errors import InputError, UsageError, shorten
from kvali.importer import _fingerprint, _read_and_segment, store_parsed_source
from kvali.ingest.model import ParsedSource, ReadOptions
from kvali.store.documents import CHANGEABLE_KINDS, _relink_codings, delete_documents

CARRIED_STATUSES = ("manual", "accepted", "rejected")
"""The codings a re-import carries over: human work, and the suggestions a human turned down."""


@dataclass(frozen=True)
class LostCoding:
    """A coding whose quoted text no longer occurs in the new version of the file."""

    coding: int
    code: str
    coder: str
    quote: str  # the first 60 characters, whitespace folded to single spaces

    def line(self) -> str:
        """How the CLI names it: code, coder and the start of the quote."""
        return f'{self.code} by {self.coder}: "{self.quote}"'


@dataclass(frozen=True)
class ReimportReport:
    """What `reimport_document` did; `new_document` is None when the file was unchanged."""

    document: int
    new_document: int | None = None
    import_id: int | None = None
    kept: int = 0
    lost: list[LostCoding] = field(default_factory=list)
    suggestions_dropped: int = 0
    memos: int = 0

    @property
    def unchanged(self) -> bool:
        """True when the file is the one already imported, so nothing was done."""
        return self.new_document is None

    def to_dict(self) -> dict:
        """JSON-friendly ids and counts (the events row): no names, no text."""
        return {"document": self.document, "new_document": self.new_document,
                "import": self.import_id, "kept": self.kept,
                "lost": [lost.coding for lost in self.lost],
                "suggestions_dropped": self.suggestions_dropped, "memos": self.memos}


@dataclass(frozen=True)
class _Original:
    """The stored document a re-import replaces."""

    kind: str
    text: str
    sha256: str  # of the file it was imported from
    options: ReadOptions  # the options it was imported with, at its current kind


def reimport_document(db: Database, document_id: int, path: str | Path,
                      options: ReadOptions | None, actor: str) -> ReimportReport:
    """Import PATH as the new version of document DOCUMENT_ID and move its coding work over.

    OPTIONS default to those the document was imported with; the kind is always the document's
    current kind. Refuses (UsageError) a file that is not exactly one interview or report, or
    that is already imported as another document; an identical file changes nothing.
    """
    require("documents")
    path = Path(path)
    original = _original(db, document_id)
    with _in_danish():
        sha = _fingerprint(path)
    if sha == original.sha256:
        return ReimportReport(document_id)
    _refuse_imported(db, sha, path)
    options = replace(options or original.options, kind=original.kind)
    with _in_danish():
        source, segmented = _read_and_segment(path, options)
    _require_one_document(source, original.kind, path)
    with db.atomic():
        if _original(db, document_id).kind != original.kind:
            raise UsageError(f"document {document_id} changed meanwhile; try again",
                             danish="Dokumentet blev ændret imens; prøv igen.")
        _refuse_imported(db, sha, path)
        store_parsed_source(db, source, path=str(path), sha256=sha, kind=options.kind,
                            options=options, segmented=segmented)
        new_id, import_id = db.execute(
            "SELECT d.id, d.import_id FROM documents d JOIN imports i ON i.id = d.import_id "
            "WHERE i.sha256 = ?", [sha]).fetchone()
        kept, lost = _carry(db, document_id, new_id, original.text, source.documents[0].text)
        memos = db.execute("UPDATE memos SET target = ? WHERE target_type = 'document' AND "
                           "target = ?", [str(new_id), str(document_id)]).rowcount
        _relink_codings(db, new_id)
        deleted = delete_documents(db, [document_id], actor)
        report = ReimportReport(document_id, new_id, import_id, kept, lost,
                                deleted.codings - len(lost), memos)
        log_event(db, actor, "reimport_document", report.to_dict())
    return report


def place(quote: str, start: int, old_length: int, new_text: str) -> int | None:
    """Where QUOTE (at START in a text of OLD_LENGTH) sits in NEW_TEXT: the occurrence nearest
    its old relative position, the first of two as near; None when it does not occur."""
    target = start * len(new_text)  # compared as at / len(new_text) ~ start / old_length

    def distance(at: int) -> int:
        return abs(at * old_length - target)

    best = None
    at = new_text.find(quote)
    while at >= 0:
        if best is None or distance(at) < distance(best):
            best = at
        elif at * old_length > target:
            break  # past the old position and getting farther
        at = new_text.find(quote, at + 1)
    return best


@contextmanager
def _in_danish() -> Iterator[None]:
    """A file that cannot be read, with the reason in Danish words for the app."""
    try:
        yield
    except InputError as exc:
        exc.danish = exc.danish or f"Filen kunne ikke læses ({shorten(exc)})."
        raise


def _original(db: Database, document_id: int) -> _Original:
    """The document to replace; a missing id or a survey question is a UsageError."""
    row = db.execute("SELECT d.kind, d.text, i.sha256, i.options FROM documents d "
                     "JOIN imports i ON i.id = d.import_id WHERE d.id = ?",
                     [document_id]).fetchone()
    if row is None:
        raise UsageError(f"no document with id {document_id} (see `kvali documents list`)",
                         danish=f"Dokument {document_id} findes ikke (længere).")
    kind, text, sha, recorded = row
    if kind not in CHANGEABLE_KINDS:
        raise UsageError(f"document {document_id} is a {kind} document; only interviews and "
                         "reports can be re-imported",
                         danish="Kun interviews og rapporter kan importeres igen, ikke "
                                "survey-svar.")
    stored = json.loads(recorded or "{}")
    options = ReadOptions(kind=kind, case=stored.get("case"),
                          attributes=dict(stored.get("attributes") or {}))
    return _Original(kind, text, sha, options)


def _refuse_imported(db: Database, sha: str, path: Path) -> None:
    """Refuse a file whose bytes are already imported as another document."""
    row = db.execute("SELECT path FROM imports WHERE sha256 = ?", [sha]).fetchone()
    if row:
        raise UsageError(f"{path}: identical to {row[0]}, already imported as another "
                         "document; delete that one first",
                         danish="Filen er allerede importeret som et andet dokument. Slet det "
                                "dokument først, eller vælg en anden fil.")


def _require_one_document(source: ParsedSource, kind: str, path: Path) -> None:
    """Refuse a file that does not hold exactly one document of the kind being replaced."""
    count = len(source.documents)
    if count != 1:
        raise UsageError(f"{path}: holds {count} documents; a re-import needs a file with "
                         "exactly one interview or report",
                         danish=f"Filen indeholder {count} dokumenter; den nye udgave skal være "
                                "én fil med ét interview eller én rapport.")
    if source.documents[0].kind != kind:
        raise UsageError(f"{path}: is a {source.documents[0].kind} file, not a {kind}; a "
                         "re-import needs the new version of the same document",
                         danish="Filen er ikke en ny udgave af dokumentet (den er en "
                                "survey-tabel eller af en anden type).")


def _carry(db: Database, old_id: int, new_id: int, old_text: str,
           new_text: str) -> tuple[int, list[LostCoding]]:
    """Move the carried codings whose quote occurs in the new text onto the new document;
    returns how many moved and the ones that could not be placed (left on the old one)."""
    moved, lost = [], []
    marks = ", ".join("?" * len(CARRIED_STATUSES))
    for coding_id, start, end, code, coder, matched in db.execute(
            f'SELECT id, start, "end", code_key, coder, matched FROM codings '
            f"WHERE document_id = ? AND status IN ({marks}) ORDER BY id",
            [old_id, *CARRIED_STATUSES]).fetchall():
        quote = old_text[start:end]
        at = place(quote, start, len(old_text), new_text)
        if at is None:
            lost.append(LostCoding(coding_id, code, coder, shorten(" ".join(quote.split()))))
            continue
        moved.append((new_id, at, at + len(quote), _shift(matched, at - start), coding_id))
    db.conn.executemany('UPDATE codings SET document_id = ?, start = ?, "end" = ?, matched = ? '
                        "WHERE id = ?", moved)
    return len(moved), lost


def _shift(matched: str | None, delta: int) -> str | None:
    """A suggestion's matched spans (JSON, document offsets) moved by DELTA characters."""
    if not matched or not delta:
        return matched
    spans = json.loads(matched)
    return "[" + ", ".join(f"[{s + delta}, {e + delta}]" for s, e in spans) + "]"
