"""Coded segments as data: one row per coding, as CSV, XLSX or JSON, for R, Stata or Excel.

The keys are the public contract of `kvali export codings`: document, code,
code_path (keys from the top theme down), start, end, text (exactly `documents.text[start:end]`),
status, origin, coder, rule, score, kommune, region, size_class, speaker, role, question, and
more. With `anonymise=True` the municipality, the case and the speaker label are left empty;
region, size class and role stay. With `pseudonymise=True` the text is pseudonymised (see
`kvali.privacy.pseudonymise`; start and end stay offsets into the stored text), `pseudonymised`
lists the labels put into it, and document, speaker, respondent, question and memo are scrubbed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kvali.export.formats import output_format
from kvali.export.output import output_file
from kvali.export.records import CodingRecord, coding_records
from kvali.privacy.pseudonymise import PseudonymisedSpan, pseudonyms
from kvali.selection import Selection
from kvali.tabular import write_table

CODINGS_FORMATS = ("csv", "xlsx", "json")
COLUMNS = ("document", "document_id", "kind", "code", "code_name", "code_path", "start", "end",
           "text", "status", "origin", "coder", "rule", "score", "key_quote", "memo", "kommune",
           "region", "size_class", "case", "speaker", "role", "respondent", "question", "turn",
           "time", "page", "reference", "coding_id", "segment_id", "pseudonymised")


def coding_rows(db: Database, selection: Selection | None = None, *, anonymise: bool = False,
                pseudonymise: bool = False) -> Iterator[dict[str, Any]]:
    """One dict per coding with the COLUMNS keys; document texts are read once each."""
    codes = {key: (name, parent) for key, name, parent in
             db.execute("SELECT key, name, parent_key FROM codes")}
    paths = {key: _path(key, codes) for key in codes}
    text_of = _DocumentTexts(db)
    replacing = pseudonyms(db, pseudonymise)
    for record in coding_records(db, selection):
        stored = text_of(record.document_id)[record.start:record.end]
        yield _row(replacing.scrubbed(record), codes, paths,
                   replacing.span(record.document_id, record.start, stored), anonymise)


def write_codings(db: Database, path: str | os.PathLike[str], fmt: str | None = None,
                  selection: Selection | None = None, *, anonymise: bool = False,
                  pseudonymise: bool = False) -> int:
    """Write the codings as csv, xlsx or json (never over the project); returns the rows."""
    chosen = output_format(path, fmt, CODINGS_FORMATS, "codings")
    rows = coding_rows(db, selection, anonymise=anonymise, pseudonymise=pseudonymise)
    if chosen == "json":
        with output_file(path, db) as target:
            return _write_json(target, rows)
    return write_table(path, COLUMNS, (_flat(row) for row in rows), chosen, sheet="Kodninger",
                       project=db)


def _write_json(path: Path, rows: Iterator[dict[str, Any]]) -> int:
    """A JSON list written row by row, so a large project never sits in memory twice."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for row in rows:
            handle.write(",\n " if count else "\n ")
            handle.write(json.dumps(row, ensure_ascii=False))
            count += 1
        handle.write("\n]\n" if count else "]\n")
    return count


class _DocumentTexts:
    """The text of the current document (records come in document order)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.document_id: int | None = None
        self.text = ""

    def __call__(self, document_id: int) -> str:
        if document_id != self.document_id:
            self.text = self.db.execute("SELECT text FROM documents WHERE id = ?",
                                        [document_id]).fetchone()[0]
            self.document_id = document_id
        return self.text


def _path(key: str, codes: dict[str, tuple[str, str | None]]) -> list[str]:
    path = [key]
    while (parent := codes.get(path[0], ("", None))[1]) and parent not in path:
        path.insert(0, parent)
    return path


def _row(record: CodingRecord, codes: dict[str, tuple[str, str | None]],
         paths: dict[str, list[str]], text: PseudonymisedSpan, anonymise: bool
         ) -> dict[str, Any]:
    return {
        "document": record.document, "document_id": record.document_id, "kind": record.kind,
        "code": record.code, "code_name": codes.get(record.code, (record.code, None))[0],
        "code_path": list(paths.get(record.code) or [record.code]), "start": record.start,
        "end": record.end,
        "text": text.text, "status": record.status,
        "origin": record.origin, "coder": record.coder, "rule": record.rule,
        "score": record.score, "key_quote": record.key_quote, "memo": record.memo,
        "kommune": None if anonymise else record.kommune, "region": record.region,
        "size_class": record.size_class, "case": None if anonymise else record.case,
        "speaker": None if anonymise else record.speaker, "role": record.role,
        "respondent": record.respondent, "question": record.question, "turn": record.turn,
        "time": record.time, "page": record.page, "reference": record.reference,
        "coding_id": record.coding_id, "segment_id": record.segment_id,
        "pseudonymised": list(text.labels),
    }


_JOINED = [(COLUMNS.index("code_path"), " > "), (COLUMNS.index("pseudonymised"), ", ")]


def _flat(row: dict[str, Any]) -> list[Any]:
    """A table row: the code path joined with " > ", the pseudonyms with ", ", booleans
    as 0/1."""
    values = [int(value) if value.__class__ is bool else value
              for value in map(row.__getitem__, COLUMNS)]
    for index, separator in _JOINED:
        values[index] = separator.join(values[index])
    return values
