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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from kvali.codebook.model import tree_order
from kvali.codebook.sync import _code_from_row
from kvali.errors import InputError, ProjectError
from kvali.ingest.model import Block, ParsedDocument, ReadOptions, Respondent, Speaker
from kvali.ingest.transcript import paragraph_blocks, parse_transcript
from kvali.merge.model import (
    Incoming,
    IncomingCoding,
    IncomingDocument,
    IncomingImport,
    IncomingMemo,
)
from kvali.store import open_db
from kvali.store.documents import _keep_pages
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
        codes = tree_order(_code_from_row(row) for row in db.query(
            "SELECT * FROM codes ORDER BY parent_key IS NOT NULL, position"))
        return Incoming(source=str(path), sha256=sha256, documents=documents, codes=codes,
                        codings=_codings(db),
                        memos=[memo for memo in _memos(db)
                               if memo.target_type != "document" or memo.target in refs])


def _imports(db: Database) -> dict[int, IncomingImport]:
    cases = dict(db.execute("SELECT id, name FROM cases"))
    respondents: dict[int, dict[str, Respondent]] = defaultdict(dict)
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for respondent_id, key, value in db.execute(
            "SELECT respondent_id, key, value FROM respondent_attributes"):
        attributes[respondent_id][key] = value
    for respondent_id, import_id, key, case_id, role in db.execute(
            "SELECT id, import_id, key, case_id, role FROM respondents"):
        respondents[import_id][key] = Respondent(key, cases.get(case_id),
                                                 attributes[respondent_id], role)
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
    cases = dict(db.execute("SELECT id, name FROM cases"))
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for document_id, key, value in db.execute(
            "SELECT document_id, key, value FROM document_attributes"):
        attributes[document_id][key] = value
    documents = []
    for document_id, import_id, name, kind, text, case_id, question, question_text in db.execute(
            "SELECT id, import_id, name, kind, text, case_id, question, question_text "
            "FROM documents ORDER BY id").fetchall():
        blocks, speakers = _blocks(db, document_id, kind, text, cases)
        parsed = ParsedDocument(name=name, kind=kind, text=text, blocks=blocks,
                                attributes=attributes[document_id], case=cases.get(case_id),
                                speakers=speakers, question=question,
                                question_text=question_text)
        documents.append(IncomingDocument(str(document_id), parsed, imports[import_id]))
    return documents


def _blocks(db: Database, document_id: int, kind: str, text: str,
            cases: dict[int, str]) -> tuple[list[Block], dict[str, Speaker]]:
    """The blocks the stored text and kind give: survey answers, turns or paragraphs."""
    if kind == "survey":
        return [Block(start, end, respondent=key) for start, end, key in db.execute(
            'SELECT r.start, r."end", p.key FROM responses r JOIN respondents p '
            "ON p.id = r.respondent_id WHERE r.document_id = ? ORDER BY r.start",
            [document_id])], {}
    if kind == "interview":
        known = {label: Speaker(label, name, role, cases.get(case_id), bool(interviewer))
                 for label, name, role, case_id, interviewer in db.execute(
                     "SELECT label, name, role, case_id, is_interviewer FROM speakers "
                     "WHERE document_id = ?", [document_id])}
        return parse_transcript(text, known, known_interview=True)
    blocks = paragraph_blocks(text)
    _keep_pages(db, document_id, blocks)
    return blocks, {}


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
