"""Search filters: which segments a query may hit, as SQL conditions over the joined tables.

Each filter takes one or more values (any of them may match); different filters must all hold.
Values are resolved against the project first, so a misspelt municipality, role or code is a clear
UsageError instead of an empty result. Text values (roles, questions) match case-insensitively as
substrings ("leder" finds every kind of leader).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from sqlite_utils import Database

from kvali.errors import UsageError
from kvali.municipalities import (
    MUNICIPALITIES,
    REGIONS,
    SIZE_CLASSES,
    match_municipality,
    normalise_region,
    normalise_size_class,
)

KINDS = ("interview", "survey", "report")
ROLE_ATTRIBUTES = ("rolle", "role", "stilling", "funktion", "position")
"""Respondent attributes (survey columns) that hold a respondent's role, compared case-folded."""

JOINS = """
    JOIN segments s ON s.id = f.rowid
    LEFT JOIN documents d ON d.id = s.document_id
    LEFT JOIN cases c ON c.id = s.case_id
    LEFT JOIN municipalities m ON m.code = c.municipality_code
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
"""
"""Joins from segments_fts f that the conditions below refer to. Every segment has a document,
so LEFT JOIN changes no result; it lets SQLite skip the joins a query does not use."""


@dataclass(frozen=True)
class SearchFilters:
    """Where to search: every field is a tuple of accepted values; empty means no filter.

    `code` / `not_code` count every coding that is not rejected (suggestions included) and
    include sub-codes. `coder` narrows `code` (or, without `code`, `not_code`) to that coder's
    codings; alone it keeps the segments the coder has coded.
    """

    kommune: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    not_code: tuple[str, ...] = ()
    coder: tuple[str, ...] = ()
    document: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        """The filters in use (JSON-friendly)."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


@dataclass
class FilterSQL:
    """SQL conditions (joined with AND) and their parameters."""

    conditions: list[str]
    params: list[object]

    def where(self) -> str:
        """` AND cond1 AND cond2` (empty without filters), to append after the MATCH."""
        return "".join(f" AND {condition}" for condition in self.conditions)


def _marks(values: list | tuple | set) -> str:
    return ",".join("?" * len(values))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _kommune(db: Database, values: tuple[str, ...], sql: FilterSQL) -> None:
    codes: set[int] = set()
    case_ids: set[int] = set()
    known_codes = {m.code for m in MUNICIPALITIES}
    for value in values:
        if value.strip().isdigit() and int(value) in known_codes:  # a DST kommunekode, "101"
            codes.add(int(value))
            continue
        match = match_municipality(value)
        if match is not None:
            codes.add(match.municipality.code)
            continue
        rows = [row[0] for row in db.execute("SELECT id, name FROM cases").fetchall()
                if _fold(row[1]) == _fold(value)]
        if not rows:
            raise UsageError(f"--kommune {value!r}: not one of the 98 municipalities or a case "
                             "in this project")
        case_ids.update(rows)
    parts = []
    if codes:
        parts.append(f"c.municipality_code IN ({_marks(codes)})")
        sql.params.extend(sorted(codes))
    if case_ids:
        parts.append(f"s.case_id IN ({_marks(case_ids)})")
        sql.params.extend(sorted(case_ids))
    sql.conditions.append("(" + " OR ".join(parts) + ")")


def _normalised(values: tuple[str, ...], option: str, normalise: Callable[[str], str | None],
                known: tuple[str, ...]) -> list[str]:
    result = []
    for value in values:
        name = normalise(value)
        if name is None:
            raise UsageError(f"{option} {value!r}: use one of {', '.join(known)}")
        result.append(name)
    return result


def _roles(db: Database, values: tuple[str, ...], sql: FilterSQL) -> None:
    speaker_roles = [r[0] for r in db.execute(
        "SELECT DISTINCT role FROM speakers WHERE role IS NOT NULL").fetchall()]
    attribute_keys = [r[0] for r in db.execute(
        "SELECT DISTINCT key FROM respondent_attributes").fetchall()
        if _fold(r[0]) in ROLE_ATTRIBUTES]
    respondent_roles: list[str] = []
    if attribute_keys:
        respondent_roles = [r[0] for r in db.execute(
            f"SELECT DISTINCT value FROM respondent_attributes WHERE key IN "
            f"({_marks(attribute_keys)})", attribute_keys).fetchall()]
    wanted = [_fold(v) for v in values]
    speakers = [r for r in speaker_roles if any(w in _fold(r) for w in wanted)]
    respondents = [r for r in respondent_roles if any(w in _fold(r) for w in wanted)]
    if not speakers and not respondents:
        known = sorted(set(speaker_roles) | set(respondent_roles))
        raise UsageError(f"--role {', '.join(values)!r}: no speaker or respondent has that role"
                         + (f" (roles: {', '.join(known[:12])})" if known else ""))
    parts = []
    if speakers:
        parts.append(f"sp.role IN ({_marks(speakers)})")
        sql.params.extend(speakers)
    if respondents:
        parts.append(
            "EXISTS (SELECT 1 FROM responses r JOIN respondent_attributes ra "
            "ON ra.respondent_id = r.respondent_id WHERE r.id = s.response_id "
            f"AND ra.key IN ({_marks(attribute_keys)}) AND ra.value IN ({_marks(respondents)}))")
        sql.params.extend([*attribute_keys, *respondents])
    sql.conditions.append("(" + " OR ".join(parts) + ")")


def _questions(db: Database, values: tuple[str, ...], sql: FilterSQL) -> None:
    rows = db.execute("SELECT DISTINCT question, question_text FROM documents "
                      "WHERE question IS NOT NULL").fetchall()
    wanted = [_fold(v) for v in values]
    found = sorted({question for question, text in rows
                    if any(w == _fold(question) or w in _fold(text or "") for w in wanted)})
    if not found:
        raise UsageError(f"--question {', '.join(values)!r}: no survey question has that key or "
                         "those words")
    sql.conditions.append(f"d.question IN ({_marks(found)})")
    sql.params.extend(found)


def _codes(db: Database, keys: tuple[str, ...], option: str) -> list[str]:
    """The codes and all their sub-codes; raise for a key that is not in the codebook."""
    for key in keys:
        if not db.execute("SELECT 1 FROM codes WHERE key = ?", [key]).fetchone():
            raise UsageError(f"{option} {key!r}: no such code in the codebook")
    rows = db.execute(
        f"WITH RECURSIVE tree(key) AS (SELECT key FROM codes WHERE key IN ({_marks(keys)}) "
        "UNION SELECT codes.key FROM codes JOIN tree ON codes.parent_key = tree.key) "
        "SELECT key FROM tree ORDER BY key", list(keys)).fetchall()
    return [row[0] for row in rows]


def _coded(keys: list[str] | None, coders: tuple[str, ...], sql: FilterSQL) -> str:
    """EXISTS: a coding (not rejected) overlapping the segment, with the codes and coders."""
    condition = ("EXISTS (SELECT 1 FROM codings k WHERE k.document_id = s.document_id "
                 "AND k.start < s.\"end\" AND k.\"end\" > s.start AND k.status != 'rejected'")
    if keys is not None:
        condition += f" AND k.code_key IN ({_marks(keys)})"
        sql.params.extend(keys)
    if coders:
        condition += f" AND k.coder IN ({_marks(coders)})"
        sql.params.extend(coders)
    return condition + ")"


def _documents(db: Database, values: tuple[str, ...], sql: FilterSQL) -> None:
    ids: set[int] = set()
    for value in values:
        rows = db.execute("SELECT id FROM documents WHERE name = ? OR CAST(id AS TEXT) = ?",
                          [value, value]).fetchall()
        if not rows:
            raise UsageError(f"--document {value!r}: no document has that name or id")
        ids.update(row[0] for row in rows)
    sql.conditions.append(f"s.document_id IN ({_marks(ids)})")
    sql.params.extend(sorted(ids))


def filter_sql(db: Database, filters: SearchFilters) -> FilterSQL:
    """Resolve the filters against the project into SQL over the tables of JOINS."""
    sql = FilterSQL([], [])
    if filters.kommune:
        _kommune(db, filters.kommune, sql)
    if filters.region:
        regions = _normalised(filters.region, "--region", normalise_region, REGIONS)
        sql.conditions.append(f"m.region IN ({_marks(regions)})")
        sql.params.extend(regions)
    if filters.size:
        sizes = _normalised(filters.size, "--size", normalise_size_class, SIZE_CLASSES)
        sql.conditions.append(f"m.size_class IN ({_marks(sizes)})")
        sql.params.extend(sizes)
    if filters.kind:
        unknown = [k for k in filters.kind if k not in KINDS]
        if unknown:
            raise UsageError(f"--kind {unknown[0]!r}: use one of {', '.join(KINDS)}")
        sql.conditions.append(f"d.kind IN ({_marks(filters.kind)})")
        sql.params.extend(filters.kind)
    if filters.question:
        _questions(db, filters.question, sql)
    if filters.role:
        _roles(db, filters.role, sql)
    if filters.document:
        _documents(db, filters.document, sql)
    if filters.code:
        sql.conditions.append(_coded(_codes(db, filters.code, "--code"), filters.coder, sql))
    elif filters.coder and not filters.not_code:
        sql.conditions.append(_coded(None, filters.coder, sql))
    if filters.not_code:
        keys = _codes(db, filters.not_code, "--not-code")
        coders = () if filters.code else filters.coder
        sql.conditions.append("NOT " + _coded(keys, coders, sql))
    return sql
