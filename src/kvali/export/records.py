"""Coded material as records: one row per coding with everything a citation or a table needs.

Every export and analysis starts here, reading the view `coding_facts` under a `Selection`, so
the filters and the facts (role, municipality, region …) mean the same thing everywhere. A
coding's municipality is its segment's case (the speaker's or respondent's municipality), else
its document's case.

`coding_records` gives a `CodingRecord` per coding. `coding_facts` gives the same codings in the
same order as `CodingFacts`, a plain tuple of the facts a theme summary counts, ranks and
spreads its quotes by (no document name, position or memo): reading those is a fraction of the
cost on a large project, and the summary reads whole records only for the codings it quotes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import NamedTuple

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
        return matched_spans(self.matched)

    @property
    def matched_count(self) -> int:
        """How many matched spans the coding has (the pairs of `matched`, counted without
        parsing it)."""
        return matched_count(self.matched)

    @property
    def reference(self) -> str:
        """The stable reference of the quoted span: doc:ID:START-END."""
        return f"doc:{self.document_id}:{self.start}-{self.end}"


class CodingFacts(NamedTuple):
    """What a theme summary counts, ranks and spreads its quotes by, for one coding: the
    fields of its `CodingRecord` of these names (the flags as 0 or 1)."""

    coding_id: int
    code: str
    document_id: int
    kind: str
    question: str | None
    start: int
    end: int
    status: str
    origin: str
    coder: str
    key_quote: int
    speaker: str | None
    is_interviewer: int
    role: str | None
    case: str | None
    kommune: str | None
    region: str | None
    size_class: str | None
    matched: str | None

    @property
    def matched_spans(self) -> list[tuple[int, int]]:
        """As `CodingRecord.matched_spans`."""
        return matched_spans(self.matched)

    @property
    def matched_count(self) -> int:
        """As `CodingRecord.matched_count`."""
        return matched_count(self.matched)


CodingLike = CodingRecord | CodingFacts
"""Either kind of coding: what counting and quote choice read of it is in both."""


def matched_spans(matched: str | None) -> list[tuple[int, int]]:
    """The (start, end) pairs of a coding's `matched` JSON."""
    return [(start, end) for start, end in json.loads(matched)] if matched else []


def matched_count(matched: str | None) -> int:
    """How many pairs a coding's `matched` JSON holds, counted without parsing it."""
    return matched.count("[") - 1 if matched else 0


_COLUMNS = {"code": "code_key", "case": "case_name"}
"""Record fields whose view column has another name."""
_NAMES = [field.name for field in fields(CodingRecord)]
SELECT = "SELECT " + ", ".join(f'f."{_COLUMNS.get(name, name)}"' for name in _NAMES) + \
    " FROM coding_facts f"
_FACTS = "SELECT " + ", ".join(f'f."{_COLUMNS.get(name, name)}"'
                               for name in CodingFacts._fields) + " FROM coding_facts f"
_ORDER = ' ORDER BY f.document_id, f.start, f."end", f.code_key, f.coding_id'


def coding_records(db: Database, selection: Selection | None = None,
                   *, coding_ids: Iterable[int] | None = None) -> list[CodingRecord]:
    """The codings in the selection (and, if given, among `coding_ids`), in document order."""
    where = compile_selection(db, selection or Selection(), "codings")
    sql, params = SELECT, where.params
    if coding_ids is not None:
        ids = sorted(set(coding_ids))
        if not ids:
            return []
        # the ids lead (CROSS JOIN keeps that order), so each is looked up by its key and not
        # found among all the codings of the selection's statuses
        sql = SELECT.replace(" FROM coding_facts f", " FROM json_each(?) j CROSS JOIN "
                             "coding_facts f ON f.coding_id = j.value")
        params = ["[" + ",".join(str(int(i)) for i in ids) + "]", *params]
    return [_record(row) for row in db.execute(sql + where.clause("WHERE") + _ORDER, params)]


def coding_facts(db: Database, selection: Selection | None = None) -> list[CodingFacts]:
    """The `CodingFacts` of the codings in the selection, in the order of `coding_records`."""
    where = compile_selection(db, selection or Selection(), "codings")
    return list(map(CodingFacts._make,
                    db.execute(_FACTS + where.clause("WHERE") + _ORDER, where.params)))


_FLAGS = (_NAMES.index("key_quote"), _NAMES.index("is_interviewer"))
"""The positions of the record's flags, stored as 0 or 1."""


def _record(row: tuple) -> CodingRecord:
    values = list(row)
    for index in _FLAGS:
        values[index] = bool(values[index])
    return CodingRecord(*values)

