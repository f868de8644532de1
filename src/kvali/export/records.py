"""Coded material as records: one row per coding with everything a citation or a table needs.

Every export and analysis starts here, reading the view `coding_facts` under a `Selection`, so
the filters and the facts (role, municipality, region …) mean the same thing everywhere. A
coding's municipality is its segment's case (the speaker's or respondent's municipality), else
its document's case.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlite_utils import Database

from kvali.selection import Selection, compile_selection


@dataclass(frozen=True)
class CodingRecord:
    """One coding with its document, segment, speaker or respondent, and case."""

    coding_id: int
    code: str
    document_id: int
    document: str
    kind: str
    question: str | None
    start: int
    end: int
    status: str
    origin: str
    coder: str
    rule: str | None
    score: float | None
    key_quote: bool
    memo: str | None
    segment_id: int | None
    seq: int | None
    turn: int | None
    time: str | None
    page: int | None
    speaker: str | None
    is_interviewer: bool
    role: str | None
    respondent: str | None
    case: str | None
    kommune: str | None
    region: str | None
    size_class: str | None
    matched: str | None = None  # the words a rule matched: JSON [[start, end], …], document offsets

    @property
    def matched_spans(self) -> list[tuple[int, int]]:
        """The document offsets of the words the coding's rule matched (none for a hand-made
        coding)."""
        return [(start, end) for start, end in json.loads(self.matched)] if self.matched else []

    @property
    def matched_count(self) -> int:
        """How many matched spans the coding has (the pairs of `matched`, counted without
        parsing it)."""
        return self.matched.count("[") - 1 if self.matched else 0

    @property
    def reference(self) -> str:
        """The stable reference of the quoted span: doc:ID:START-END."""
        return f"doc:{self.document_id}:{self.start}-{self.end}"


_COLUMNS = {"code": "code_key", "case": "case_name"}
"""Record fields whose view column has another name."""
_NAMES = [field.name for field in fields(CodingRecord)]
SELECT = "SELECT " + ", ".join(f'f."{_COLUMNS.get(name, name)}"' for name in _NAMES) + \
    " FROM coding_facts f"


def coding_records(db: Database, selection: Selection | None = None,
                   *, coding_ids: Iterable[int] | None = None) -> list[CodingRecord]:
    """The codings in the selection (and, if given, among `coding_ids`), in document order."""
    where = compile_selection(db, selection or Selection(), "codings")
    if coding_ids is not None:
        ids = sorted(set(coding_ids))
        if not ids:
            return []
        where.add("f.coding_id IN (SELECT value FROM json_each(?))",
                  ["[" + ",".join(str(int(i)) for i in ids) + "]"])
    sql = SELECT + where.clause("WHERE") + \
        ' ORDER BY f.document_id, f.start, f."end", f.code_key, f.coding_id'
    return [_record(dict(zip(_NAMES, row, strict=True)))
            for row in db.execute(sql, where.params)]


def _record(values: dict) -> CodingRecord:
    values["key_quote"] = bool(values["key_quote"])
    values["is_interviewer"] = bool(values["is_interviewer"])
    return CodingRecord(**values)


def coders(db: Database) -> list[str]:
    """Everyone who has coded in the project, by name."""
    return [row[0] for row in db.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]
