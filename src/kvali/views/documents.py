"""Documents for the reader: the filtered list, one document's header, and pages of segments."""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.analysis.kept import kept_counts, kept_material
from kvali.coders.blind import visible_to
from kvali.coders.work import ASSIGNED_TO
from kvali.domain import HUMAN_STATUSES, SHOWN_STATUSES
from kvali.errors import UsageError
from kvali.selection import Selection, Where, compile_selection, marks


@dataclass(frozen=True)
class DocumentRow:
    """One line of the document list."""

    id: int
    name: str
    kind: str
    municipalities: tuple[str, ...]
    segments: int
    coded: int  # accepted + manual codings
    suggested: int


@dataclass(frozen=True)
class Speaker:
    """A participant of a document."""

    label: str
    name: str | None
    role: str | None
    municipality: str | None
    is_interviewer: bool


@dataclass(frozen=True)
class DocumentHeader:
    """What is known about one document."""

    id: int
    name: str
    kind: str
    question: str | None
    question_text: str | None
    length: int
    segments: int
    source: str
    attributes: dict[str, str]
    speakers: list[Speaker]


@dataclass(frozen=True)
class CodingView:
    """A coding as the reader shows it (document offsets)."""

    id: int
    code_key: str
    code_name: str
    color: str
    start: int
    end: int
    status: str
    origin: str
    coder: str
    key_quote: bool
    memo: str | None
    rule: str | None
    matched: tuple[tuple[int, int], ...]
    segment_id: int | None


@dataclass
class SegmentView:
    """One segment with who said it, where and when, and the codings that touch it."""

    id: int
    seq: int
    start: int
    end: int
    text: str
    speaker: str | None
    role: str | None
    municipality: str | None
    region: str | None
    time: str | None
    page: int | None
    codings: list[CodingView] = field(default_factory=list)


SEGMENT_SELECT = (
    'SELECT f.segment_id AS id, f.seq, f.start, f."end", f.text, f.speaker, f.role, '
    "f.case_name AS municipality, f.region, f.time, f.page FROM segment_facts f ")


DOCUMENT_CASES = (
    "SELECT document_id, case_id FROM speakers WHERE case_id IS NOT NULL "
    "UNION SELECT id, case_id FROM documents WHERE case_id IS NOT NULL "
    "UNION SELECT r.document_id, p.case_id FROM responses r "
    "JOIN respondents p ON p.id = r.respondent_id WHERE p.case_id IS NOT NULL")
"""(document, case) pairs from speakers, the document itself and survey respondents."""


def _visible(alias: str, coder: str | None) -> tuple[str, list[object]]:
    """' AND' the condition that only blind CODER's codings (and pending suggestions) count, or
    nothing without a coder."""
    if coder is None:
        return "", []
    condition, params = visible_to(alias, coder)
    return f" AND {condition}", params


def _where(db: Database, selection: Selection, has_codes: bool | None, name: str | None,
           coder: str | None, assigned_to: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if assigned_to is not None:
        clauses.append(f"d.id IN ({ASSIGNED_TO})")
        params.append(assigned_to)
    if name:
        clauses.append("d.name LIKE ? ESCAPE '\\'")
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    where = compile_selection(db, selection, "segments")
    if where.conditions:
        clauses.append(f"d.id IN (SELECT f.document_id FROM segment_facts f"
                       f"{where.clause('WHERE')})")
        params.extend(where.params)
    if has_codes is not None:
        test = "EXISTS" if has_codes else "NOT EXISTS"
        visible, seen = _visible("k", coder)
        clauses.append(f"{test} (SELECT 1 FROM codings k WHERE k.document_id = d.id "
                       f"AND k.status IN ({marks(HUMAN_STATUSES)}){visible})")
        params.extend([*HUMAN_STATUSES, *seen])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_documents(db: Database, selection: Selection | None = None, *,
                   has_codes: bool | None = None, name: str | None = None,
                   coder: str | None = None, assigned_to: str | None = None,
                   limit: int = 1000) -> list[DocumentRow]:
    """Documents with segments in the selection (with human codings or without, if asked;
    with `name` in their name; assigned to `assigned_to`), by name, with segment and coding
    counts. With `coder` (a blind coder) only their codings count."""
    where, params = _where(db, selection or Selection(), has_codes, name, coder, assigned_to)
    rows = db.execute(
        f"SELECT d.id, d.name, d.kind FROM documents d{where} ORDER BY d.name, d.id LIMIT ?",
        [*params, limit]).fetchall()
    if not rows:
        return []
    segments, places = kept_material(db, "document_facts", _document_facts)
    coded = _coded(db, [row[0] for row in rows], coder)
    return [DocumentRow(
        id=i, name=name, kind=kind, municipalities=places.get(i, ()),
        segments=segments.get(i, 0),
        coded=sum(coded.get(i, {}).get(s, 0) for s in HUMAN_STATUSES),
        suggested=coded.get(i, {}).get("suggested", 0)) for i, name, kind in rows]


def _document_facts(db: Database) -> tuple[dict[int, int], dict[int, tuple[str, ...]]]:
    """Per document: its segments, and the municipalities (cases) it speaks for, by name."""
    segments = dict(db.execute(
        "SELECT document_id, count(*) FROM segments GROUP BY document_id").fetchall())
    places: dict[int, list[str]] = {}
    for document_id, name in db.execute(
            f"SELECT DISTINCT p.document_id, c.name FROM ({DOCUMENT_CASES}) p "
            "JOIN cases c ON c.id = p.case_id ORDER BY c.name"):
        places.setdefault(document_id, []).append(name)
    return segments, {document: tuple(names) for document, names in places.items()}


def _coded(db: Database, ids: list[int], coder: str | None) -> dict[int, dict[str, int]]:
    """document -> status -> codings, for the documents IDS (only blind CODER's codings and
    pending suggestions, with CODER); kept up to date without a coder."""
    coded: dict[int, dict[str, int]] = {}
    if coder is None:
        wanted = set(ids)
        for (document_id, status), count in kept_counts(
                db, "document_status", ("document_id", "status"), lambda db: Where(),
                facts=False).items():
            if document_id in wanted:
                coded.setdefault(document_id, {})[status] = count
        return coded
    visible, seen = _visible("c", coder)
    for document_id, status, count in db.execute(
            f"SELECT document_id, status, count(*) FROM codings c "
            f"WHERE document_id IN ({marks(ids)}){visible} GROUP BY document_id, status",
            [*ids, *seen]):
        coded.setdefault(document_id, {})[status] = count
    return coded


def document_header(db: Database, document_id: int) -> DocumentHeader:
    """Name, kind, question, attributes and speakers of one document."""
    row = next(db.query(
        "SELECT d.id, d.name, d.kind, d.question, d.question_text, length(d.text) AS length, "
        "i.path AS source FROM documents d JOIN imports i ON i.id = d.import_id WHERE d.id = ?",
        [document_id]), None)
    if row is None:
        raise UsageError(f"document {document_id} does not exist",
                         danish=f"Dokument {document_id} findes ikke (længere).")
    attributes = dict(db.execute(
        "SELECT key, value FROM document_attributes WHERE document_id = ? ORDER BY key",
        [document_id]).fetchall())
    speakers = [Speaker(label, name, role, place, bool(interviewer))
                for label, name, role, place, interviewer in db.execute(
                    "SELECT sp.label, sp.name, sp.role, c.name, sp.is_interviewer FROM speakers sp "
                    "LEFT JOIN cases c ON c.id = sp.case_id WHERE sp.document_id = ? "
                    "ORDER BY sp.is_interviewer DESC, sp.label", [document_id])]
    return DocumentHeader(**row, segments=segment_count(db, document_id),
                          attributes=attributes, speakers=speakers)


def segment_count(db: Database, document_id: int) -> int:
    """How many segments the document has."""
    return db.execute("SELECT count(*) FROM segments WHERE document_id = ?",
                      [document_id]).fetchone()[0]


def segment_page(db: Database, document_id: int, page: int, per_page: int = 200, *,
                 statuses: tuple[str, ...] = HUMAN_STATUSES,
                 coder: str | None = None) -> list[SegmentView]:
    """Segments `page * per_page` onwards (page is 0-based) with the codings that touch them
    (only blind `coder`'s and pending suggestions, when given)."""
    first = page * per_page
    segments = [SegmentView(**row) for row in db.query(
        SEGMENT_SELECT +
        "WHERE f.document_id = ? AND f.seq >= ? AND f.seq < ? ORDER BY f.seq",
        [document_id, first, first + per_page])]
    if segments:
        attach_codings(db, document_id, segments, statuses, coder)
    return segments


def seq_at(db: Database, document_id: int, offset: int) -> int:
    """The number (0-based) of the segment holding OFFSET, or of the first one after it."""
    row = db.execute('SELECT min(seq) FROM segments WHERE document_id = ? AND "end" > ?',
                     [document_id, offset]).fetchone()
    return int(row[0] or 0)


def segments_overlapping(db: Database, document_id: int, start: int,
                         end: int) -> list[SegmentView]:
    """The segments of a document that overlap [start, end), in order (without codings)."""
    return [SegmentView(**row) for row in db.query(
        SEGMENT_SELECT + 'WHERE f.document_id = ? AND f.start < ? AND f."end" > ? ORDER BY f.seq',
        [document_id, end, start])]


def segments_by_id(db: Database, segment_ids: list[int]) -> list[SegmentView]:
    """Segments by id, in document order (without codings)."""
    if not segment_ids:
        return []
    return [SegmentView(**row) for row in db.query(
        SEGMENT_SELECT +
        f"WHERE f.segment_id IN ({marks(segment_ids)}) ORDER BY f.document_id, f.seq",
        segment_ids)]


def attach_codings(db: Database, document_id: int, segments: list[SegmentView],
                   statuses: tuple[str, ...], coder: str | None = None) -> None:
    """Add to each segment the codings (of the given statuses; those blind `coder` sees, when
    given) that overlap it."""
    if not statuses:
        return
    starts = [s.start for s in segments]
    for coding in codings_between(db, document_id, segments[0].start, segments[-1].end, statuses,
                                  coder):
        index = max(bisect_right(starts, coding.start) - 1, 0)
        while index < len(segments) and segments[index].start < coding.end:
            if segments[index].end > coding.start:
                segments[index].codings.append(coding)
            index += 1


CODING_SELECT = (
    'SELECT c.id, c.code_key, k.name AS code_name, k.color, c.start, c."end", c.status, '
    "c.origin, c.coder, c.key_quote, c.memo, c.rule, c.matched, c.segment_id FROM codings c "
    "JOIN codes k ON k.key = c.code_key ")


def codings_between(db: Database, document_id: int, start: int, end: int,
                    statuses: tuple[str, ...] = SHOWN_STATUSES,
                    coder: str | None = None) -> list[CodingView]:
    """Codings of a document that overlap [start, end), in document order (with `coder`, only
    those the blind coder sees)."""
    visible, seen = _visible("c", coder)
    return [_coding(row) for row in db.query(
        CODING_SELECT + 'WHERE c.document_id = ? AND c.start < ? AND c."end" > ? '
        f"AND c.status IN ({marks(statuses)}){visible} ORDER BY c.start, c.id",
        [document_id, end, start, *statuses, *seen])]


def coding_by_id(db: Database, coding_id: int) -> CodingView:
    """One coding with its code's name and colour."""
    row = next(db.query(CODING_SELECT + "WHERE c.id = ?", [coding_id]), None)
    if row is None:
        raise UsageError(f"coding {coding_id} does not exist",
                         danish=f"Kodning {coding_id} findes ikke (længere).")
    return _coding(row)


def _coding(row: dict) -> CodingView:
    matched = tuple(tuple(pair) for pair in json.loads(row["matched"])) if row["matched"] else ()
    return CodingView(**{**row, "key_quote": bool(row["key_quote"]), "matched": matched})


def document_text(db: Database, document_id: int, start: int, end: int) -> str:
    """The exact text of a span of a document (what a coding quotes)."""
    row = db.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                     [start + 1, end - start, document_id]).fetchone()
    if row is None:
        raise UsageError(f"document {document_id} does not exist",
                         danish=f"Dokument {document_id} findes ikke (længere).")
    return row[0]
