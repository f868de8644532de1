"""The review queue: pending auto-suggestions with their rule, matched words and context."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

MAX_EXCLUDED = 2000


@dataclass(frozen=True)
class SuggestionFilters:
    """What the queue is narrowed to; None means any."""

    code: str | None = None
    municipality: str | None = None
    document_id: int | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """One pending suggestion and where it was found."""

    id: int
    code_key: str
    code_name: str
    color: str
    rule: str
    score: float | None
    matched: tuple[tuple[int, int], ...]  # document offsets of the words that matched
    start: int
    end: int
    segment_id: int
    text: str  # the segment's text; `start` is its offset in the document
    document_id: int
    document: str
    speaker: str | None
    role: str | None
    municipality: str | None
    region: str | None
    time: str | None

    def matched_words(self) -> list[str]:
        """The matched words as they are written in the segment."""
        return [self.text[s - self.start:e - self.start] for s, e in self.matched]


def _where(filters: SuggestionFilters, exclude: Iterable[int] = ()) -> tuple[str, list]:
    clauses = ["c.status = 'suggested'", "c.origin = 'auto'", "c.segment_id IS NOT NULL"]
    params: list = []
    if filters.code:
        clauses.append("c.code_key = ?")
        params.append(filters.code)
    if filters.rule:
        clauses.append("c.rule = ?")
        params.append(filters.rule)
    if filters.document_id is not None:
        clauses.append("c.document_id = ?")
        params.append(filters.document_id)
    if filters.municipality:
        clauses.append("c.segment_id IN (SELECT s.id FROM segments s JOIN cases k "
                       "ON k.id = s.case_id WHERE k.name = ?)")
        params.append(filters.municipality)
    skipped = list(exclude)[:MAX_EXCLUDED]
    if skipped:
        clauses.append(f"c.id NOT IN ({','.join('?' * len(skipped))})")
        params.extend(skipped)
    return " AND ".join(clauses), params


def suggestion_queue(db: Database, filters: SuggestionFilters, *, limit: int = 20,
                     exclude: Iterable[int] = ()) -> list[Suggestion]:
    """The next pending suggestions in document order (oldest coding id first)."""
    where, params = _where(filters, exclude)
    rows = db.execute(
        'SELECT c.id, c.code_key, k.name, k.color, c.rule, c.score, c.matched, c.start, c."end", '
        "c.segment_id, s.text, c.document_id, d.name, sp.label, sp.role, ca.name, m.region, "
        "s.time FROM codings c JOIN codes k ON k.key = c.code_key "
        "JOIN segments s ON s.id = c.segment_id JOIN documents d ON d.id = c.document_id "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id LEFT JOIN cases ca ON ca.id = s.case_id "
        "LEFT JOIN municipalities m ON m.code = ca.municipality_code "
        f"WHERE {where} ORDER BY c.id LIMIT ?", [*params, limit]).fetchall()
    return [Suggestion(
        id=r[0], code_key=r[1], code_name=r[2], color=r[3], rule=r[4] or "", score=r[5],
        matched=tuple(tuple(p) for p in json.loads(r[6])) if r[6] else (), start=r[7], end=r[8],
        segment_id=r[9], text=r[10], document_id=r[11], document=r[12], speaker=r[13],
        role=r[14], municipality=r[15], region=r[16], time=r[17]) for r in rows]


def count_suggestions(db: Database, filters: SuggestionFilters) -> int:
    """How many suggestions are pending under the filters."""
    where, params = _where(filters)
    return db.execute(f"SELECT count(*) FROM codings c WHERE {where}", params).fetchone()[0]


def suggestion_groups(db: Database, filters: SuggestionFilters) -> list[dict]:
    """Pending suggestions per code and rule, largest group first (for bulk decisions)."""
    where, params = _where(filters)
    return [{"code": key, "name": name, "rule": rule or "", "count": count}
            for key, name, rule, count in db.execute(
                f"SELECT c.code_key, k.name, c.rule, count(*) FROM codings c "
                f"JOIN codes k ON k.key = c.code_key WHERE {where} "
                "GROUP BY c.code_key, c.rule ORDER BY count(*) DESC, c.code_key, c.rule", params)]


def suggestion_ids(db: Database, filters: SuggestionFilters) -> list[int]:
    """The ids of every pending suggestion under the filters (for bulk accept/reject)."""
    where, params = _where(filters)
    return [row[0] for row in db.execute(f"SELECT c.id FROM codings c WHERE {where} "
                                         "ORDER BY c.id", params)]


def suggestion_documents(db: Database) -> list[tuple[int, str, int]]:
    """(document id, name, pending suggestions) for documents that have any."""
    return db.execute(
        "SELECT d.id, d.name, count(*) FROM codings c JOIN documents d ON d.id = c.document_id "
        "WHERE c.status = 'suggested' GROUP BY d.id ORDER BY d.name").fetchall()
