"""Read another kvali project file for a merge without ever writing to it.

The file is copied with `VACUUM INTO` from a read-only connection (`mode=ro`; the WAL's
committed pages come along) into a temporary folder, and the copy is opened with
`open_db(create=False)`: the same checks as any project (another program's database, a
migration this kvali does not know) and, for an older project, the upgrade happens to the copy.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from kvali.codebook.model import tree_order
from kvali.codebook.sync import code_from_row
from kvali.errors import InputError, ProjectError
from kvali.ingest.model import ReadOptions
from kvali.merge.model import (
    Incoming,
    IncomingCoding,
    IncomingDocument,
    IncomingImport,
    IncomingMemo,
)
from kvali.store import open_db
from kvali.store.parsed import stored_documents, stored_respondents
from kvali.store.reimport import CARRIED_STATUSES


@contextmanager
def open_copy(path: Path) -> Iterator[Database]:
    """The project at PATH, opened from a temporary copy; refusals name PATH."""
    with tempfile.TemporaryDirectory(prefix="kvali-merge-") as folder:
        copy = Path(folder) / path.name
        _copy(path, copy)
        try:
            db = open_db(copy, create=False)
        except ProjectError as exc:
            raise ProjectError(str(exc).replace(str(copy), str(path))) from None
        try:
            yield db
        finally:
            db.close()


def _copy(path: Path, copy: Path) -> None:
    """`VACUUM INTO` from a read-only connection: a consistent copy, WAL contents included."""
    try:
        source = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", [str(copy)])
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"is not a readable kvali project ({exc})", source=str(path)) from None


def read_project_file(path: Path, sha256: str) -> Incoming:
    """Documents, codes, human codings and memos of the kvali project at PATH."""
    with open_copy(path) as db:
        documents = _documents(db)
        refs = {document.ref for document in documents}
        codes = tree_order(code_from_row(row) for row in db.query(
            "SELECT * FROM codes ORDER BY parent_key IS NOT NULL, position"))
        return Incoming(source=str(path), sha256=sha256, documents=documents, codes=codes,
                        codings=_codings(db),
                        memos=[memo for memo in _memos(db)
                               if memo.target_type != "document" or memo.target in refs])


def _imports(db: Database) -> dict[int, IncomingImport]:
    respondents = stored_respondents(db)
    found = {}
    for import_id, path, sha, kind, options in db.execute(
            "SELECT id, path, sha256, kind, options FROM imports"):
        stored = json.loads(options or "{}")
        read = ReadOptions(kind=kind, case=stored.get("case"),
                           attributes=dict(stored.get("attributes") or {}))
        found[import_id] = IncomingImport(path, sha, kind, read, respondents[import_id])
    return found


def _documents(db: Database) -> list[IncomingDocument]:
    imports = _imports(db)
    return [IncomingDocument(str(document_id), parsed, imports[import_id])
            for document_id, import_id, parsed in stored_documents(db)]


def _codings(db: Database) -> list[IncomingCoding]:
    """The human work: manual and accepted codings and rejected suggestions (pending
    suggestions stay behind; this project's `kvali tag` suggests afresh)."""
    marks = ", ".join("?" * len(CARRIED_STATUSES))
    return [IncomingCoding(str(row["document_id"]), row["start"], row["end"], row["code_key"],
                           row["coder"], row["status"], row["origin"], row["memo"],
                           bool(row["key_quote"]), row["provenance"], row["rule"], row["score"],
                           row["matched"], row["rules_hash"], row["codebook_version"],
                           row["created_at"])
            for row in db.query(f"SELECT * FROM codings WHERE status IN ({marks}) ORDER BY id",
                                list(CARRIED_STATUSES))]


def _memos(db: Database) -> list[IncomingMemo]:
    return [IncomingMemo(target_type, target, coder, text)
            for target_type, target, coder, text in db.execute(
                "SELECT target_type, target, coder, text FROM memos "
                "WHERE target_type IN ('project', 'document', 'code') ORDER BY id")]
