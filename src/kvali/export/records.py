"""Coded material as records: one row per coding with everything a citation or a table needs.

Every export and analysis starts here, so the filters mean the same thing everywhere:
codes (a code includes its sub-codes), municipalities, regions, document kinds, coders and
statuses. A coding's municipality is its segment's case (the speaker's or respondent's
municipality), else its document's case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from kvali.codebook.model import Code
from kvali.errors import UsageError
from kvali.municipalities import match_municipality, normalise_region

STATUSES = ("suggested", "accepted", "manual", "rejected")
DEFAULT_STATUSES = ("suggested", "accepted", "manual")
STATUS_LABELS = {"suggested": "forslag", "accepted": "accepteret", "manual": "manuel",
                 "rejected": "afvist"}
ROLE_KEYS = ("rolle", "role", "stilling", "funktion")
KINDS = ("interview", "survey", "report")


@dataclass(frozen=True)
class Filters:
    """Which codings to take; empty tuples mean no restriction (statuses: all but rejected)."""

    codes: tuple[str, ...] = ()
    kommuner: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES

    def describe(self) -> list[str]:
        """Human-readable lines (Danish) for the head of a summary."""
        statuses = tuple(STATUS_LABELS.get(status, status) for status in self.statuses)
        labels = (("Koder", self.codes), ("Kommuner", self.kommuner), ("Regioner", self.regions),
                  ("Dokumenttyper", self.kinds), ("Kodere", self.coders), ("Status", statuses))
        return [f"{label}: {', '.join(values)}" for label, values in labels if values]


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

    @property
    def reference(self) -> str:
        """The stable reference of the quoted span: doc:ID:START-END."""
        return f"doc:{self.document_id}:{self.start}-{self.end}"


_ROLE_MARKS = ", ".join("?" * len(ROLE_KEYS))
SELECT = f"""
SELECT c.id, c.code_key, d.id, d.name, d.kind, d.question, c.start, c."end", c.status,
       c.origin, c.coder, c.rule, c.score, c.key_quote, c.memo, s.id, s.seq, s.turn, s.time,
       s.page, sp.label, coalesce(sp.is_interviewer, 0),
       coalesce(sp.role, (SELECT ra.value FROM respondent_attributes ra
                          WHERE ra.respondent_id = rs.respondent_id
                            AND lower(ra.key) IN ({_ROLE_MARKS}) ORDER BY ra.key LIMIT 1)),
       rp.key, cs.name, m.name, m.region, m.size_class
FROM codings c
JOIN documents d ON d.id = c.document_id
LEFT JOIN segments s ON s.id = c.segment_id
LEFT JOIN speakers sp ON sp.id = s.speaker_id
LEFT JOIN responses rs ON rs.id = s.response_id
LEFT JOIN respondents rp ON rp.id = rs.respondent_id
LEFT JOIN cases cs ON cs.id = coalesce(s.case_id, d.case_id)
LEFT JOIN municipalities m ON m.code = cs.municipality_code
"""


def coding_records(db: Database, filters: Filters | None = None,
                   *, coding_ids: Iterable[int] | None = None) -> list[CodingRecord]:
    """The codings that pass the filters (or exactly `coding_ids`), in document order."""
    where, params = _where(db, filters or Filters())
    if coding_ids is not None:
        ids = sorted(set(coding_ids))
        if not ids:
            return []
        where.append("c.id IN (SELECT value FROM json_each(?))")
        params.append("[" + ",".join(str(int(i)) for i in ids) + "]")
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "") + \
        ' ORDER BY d.id, c.start, c."end", c.code_key, c.id'
    return [_record(row) for row in db.execute(sql, [*ROLE_KEYS, *params])]


def coders(db: Database) -> list[str]:
    """Everyone who has coded in the project, by name."""
    return [row[0] for row in db.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]


def descendants(db: Database, keys: Iterable[str]) -> set[str]:
    """The codes and all their sub-codes; an unknown key is a UsageError."""
    children: dict[str, list[str]] = {}
    known = set()
    for key, parent in db.execute("SELECT key, parent_key FROM codes"):
        known.add(key)
        if parent:
            children.setdefault(parent, []).append(key)
    found: set[str] = set()
    stack = list(keys)
    for key in stack:
        if key not in known:
            raise UsageError(f"--codes: {key!r} is not a code of this project")
    while stack:
        key = stack.pop()
        if key not in found:
            found.add(key)
            stack.extend(children.get(key, []))
    return found


def subtrees(codes: Iterable[Code]) -> dict[str, list[str]]:
    """Each code's key with the keys of all its sub-codes (codebook order kept)."""
    codes = list(codes)
    parents = {code.key: code.parent_key for code in codes}
    found: dict[str, list[str]] = {code.key: [code.key] for code in codes}
    for code in codes:
        parent = parents.get(code.key)
        seen = {code.key}
        while parent in found and parent not in seen:
            found[parent].append(code.key)
            seen.add(parent)
            parent = parents.get(parent)
    return found


def _where(db: Database, filters: Filters) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []

    def within(column: str, values: Iterable[object]) -> None:
        values = list(values)
        where.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    unknown = set(filters.statuses) - set(STATUSES)
    if unknown:
        raise UsageError(f"--status: {', '.join(sorted(unknown))} is not one of "
                         f"{', '.join(STATUSES)}")
    within("c.status", filters.statuses or DEFAULT_STATUSES)
    if filters.codes:
        within("c.code_key", sorted(descendants(db, filters.codes)))
    if filters.kommuner:
        within("cs.name", [_kommune(db, name) for name in filters.kommuner])
    if filters.regions:
        within("m.region", [_region(name) for name in filters.regions])
    if filters.kinds:
        bad = set(filters.kinds) - set(KINDS)
        if bad:
            raise UsageError(f"--kind: {', '.join(sorted(bad))} is not one of {', '.join(KINDS)}")
        within("d.kind", filters.kinds)
    if filters.coders:
        within("c.coder", filters.coders)
    return where, params


def _kommune(db: Database, raw: str) -> str:
    """The municipality's name, or a case of the project named exactly so."""
    match = match_municipality(raw)
    if match:
        return match.municipality.name
    if db.execute("SELECT 1 FROM cases WHERE name = ?", [raw.strip()]).fetchone():
        return raw.strip()
    raise UsageError(f"--kommune: {raw!r} is neither a municipality nor a case of this project")


def _region(raw: str) -> str:
    region = normalise_region(raw)
    if region is None:
        raise UsageError(f"--region: {raw!r} is not one of the five regions")
    return region


def _record(row: tuple) -> CodingRecord:
    return CodingRecord(
        coding_id=row[0], code=row[1], document_id=row[2], document=row[3], kind=row[4],
        question=row[5], start=row[6], end=row[7], status=row[8], origin=row[9], coder=row[10],
        rule=row[11], score=row[12], key_quote=bool(row[13]), memo=row[14], segment_id=row[15],
        seq=row[16], turn=row[17], time=row[18], page=row[19], speaker=row[20],
        is_interviewer=bool(row[21]), role=row[22], respondent=row[23], case=row[24],
        kommune=row[25], region=row[26], size_class=row[27])
