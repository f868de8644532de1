"""Citations: who said a quote and where, with a stable reference into the document text.

A citation reads "Socialchef, Aarhus. Gruppeinterview om …, tur 12 [doc:3:1200-1350]":
the role (a speaker's role, or a survey respondent's `rolle` answer), the municipality (or only
"kommune i Region …" when `anonymise=True`), the document, the position, and the reference
`doc:ID:START-END` whose offsets give exactly the quoted text, `documents.text[START:END]`.

With pseudonymised quotes the reference says which replacements the quote holds:
`[doc:12:340-410; pseudonymiseret: [Person 3], [CPR]]` (the offsets stay those of the stored
text, so the quote can still be checked against the project).

The position is the most precise one known: the turn number (with its time mark) in an
interview, the time mark alone, the page of a PDF, the respondent of a survey answer, and else
the paragraph of the document (counted by blank lines).

A reference can be checked by anyone with the project: `Reference.parse` reads it (also as
copied from a report, with its brackets and pseudonym note) and `referenced_span` says what it
points at, refusing an unknown document or offsets outside its text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlite_utils import Database

from kvali.domain import STATUSES
from kvali.errors import UsageError, shorten
from kvali.export.records import CodingRecord, coding_records
from kvali.selection import Selection

if TYPE_CHECKING:
    from kvali.search.results import Hit

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
REFERENCE = re.compile(r"doc:(\d{1,18}):(\d{1,18})-(\d{1,18})")


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from; `text()` is the line printed under the quote."""

    role: str | None
    place: str | None
    document: str
    position: str | None
    reference: str
    pseudonymised: tuple[str, ...] = ()

    @property
    def marker(self) -> str:
        """The bracketed reference, with the pseudonyms put into the quote if any."""
        return f"[{self.reference}{self.pseudonym_note}]"

    @property
    def pseudonym_note(self) -> str:
        """"; pseudonymiseret: [Person 3], [CPR]", or "" when nothing was replaced."""
        return f"; pseudonymiseret: {', '.join(self.pseudonymised)}" if self.pseudonymised \
            else ""

    @property
    def who(self) -> str:
        """Role and place, e.g. "Socialchef, kommune i Region Midtjylland"."""
        return ", ".join(part for part in (self.role, self.place) if part)

    def text(self) -> str:
        """The whole citation on one line."""
        where = ", ".join(part for part in (self.document, self.position) if part)
        who = f"{self.who}. " if self.who else ""
        return f"{who}{where} {self.marker}"


@dataclass(frozen=True)
class SegmentLocation:
    """A segment's place, for citing a segment that carries no coding."""

    document_id: int
    document: str
    kind: str
    start: int
    end: int
    turn: int | None
    time: str | None
    page: int | None
    role: str | None
    respondent: str | None
    case: str | None
    kommune: str | None
    region: str | None


if TYPE_CHECKING:
    Located = CodingRecord | SegmentLocation | Hit
    """What a citation is made from: a coding's record, the place of an uncoded segment, or a
    search hit (each has the fields of SegmentLocation)."""


class ParagraphIndex:
    """Paragraph numbers of offsets, one text fetch per document."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._starts: dict[int, list[int]] = {}

    def paragraph(self, document_id: int, offset: int) -> int:
        """1-based number of the paragraph that holds `offset`."""
        if document_id not in self._starts:
            row = self.db.execute("SELECT text FROM documents WHERE id = ?",
                                  [document_id]).fetchone()
            text = row[0] if row else ""
            self._starts[document_id] = [m.end() for m in PARAGRAPH_BREAK.finditer(text)]
        return bisect.bisect_right(self._starts[document_id], offset) + 1


def citation_for(location: Located, *, anonymise: bool = False,
                 paragraphs: ParagraphIndex | None = None,
                 pseudonymised: Sequence[str] = ()) -> Citation:
    """The citation of one located span (see the module docstring); `pseudonymised` are the
    labels that replaced personal data in the quote."""
    if location.kommune:
        place = f"kommune i {location.region}" if anonymise else location.kommune
    else:
        place = None if anonymise else location.case
    return Citation(role=location.role, place=place, document=location.document,
                    position=_position(location, paragraphs),
                    reference=f"doc:{location.document_id}:{location.start}-{location.end}",
                    pseudonymised=tuple(pseudonymised))


def cite(db: Database, ids: Iterable[int], *, target: str = "coding",
         anonymise: bool = False) -> dict[int, Citation]:
    """Citations of codings (`target="coding"`) or segments (`target="segment"`), by id."""
    paragraphs = ParagraphIndex(db)
    wanted = list(ids)
    if target == "coding":
        located: dict[int, Located] = {r.coding_id: r for r in coding_records(
            db, Selection(status=STATUSES), coding_ids=wanted)}
    elif target == "segment":
        located = segment_locations(db, wanted)
    else:
        raise ValueError(f"target must be 'coding' or 'segment', not {target!r}")
    return {key: citation_for(value, anonymise=anonymise, paragraphs=paragraphs)
            for key, value in located.items()}


def segment_locations(db: Database, segment_ids: Iterable[int]) -> dict[int, SegmentLocation]:
    """Where each segment lies: document, position, role and case (from `segment_facts`)."""
    ids = "[" + ",".join(str(int(i)) for i in sorted(set(segment_ids))) + "]"
    columns = [name for name in SegmentLocation.__dataclass_fields__]
    selected = ", ".join(f'f."{_FACT_COLUMNS.get(name, name)}"' for name in columns)
    rows = db.execute(f"SELECT f.segment_id, {selected} FROM segment_facts f "
                      "WHERE f.segment_id IN (SELECT value FROM json_each(?))", [ids])
    return {row[0]: SegmentLocation(**dict(zip(columns, row[1:], strict=True))) for row in rows}


_FACT_COLUMNS = {"case": "case_name"}
"""Location fields whose `segment_facts` column has another name."""


def _position(location: Located, paragraphs: ParagraphIndex | None) -> str | None:
    if location.turn is not None:
        return f"tur {location.turn}" + (f", {location.time}" if location.time else "")
    if location.time:
        return f"tid {location.time}"
    if location.page is not None:
        return f"s. {location.page}"
    if location.respondent:
        return location.respondent if not location.respondent.isdigit() \
            else f"respondent {location.respondent}"
    if paragraphs is not None:
        return f"afsnit {paragraphs.paragraph(location.document_id, location.start)}"
    return None


@dataclass(frozen=True)
class Reference:
    """A citation's reference `doc:ID:START-END`: the span `documents.text[START:END]`."""

    document_id: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"doc:{self.document_id}:{self.start}-{self.end}"

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Read `doc:ID:START-END`, also with the brackets and the "; pseudonymiseret: …" note
        a report prints; anything else is a UsageError naming the text."""
        inner = text.strip()
        if inner.startswith("[") and inner.endswith("]"):
            inner = inner[1:-1]
        match = REFERENCE.fullmatch(inner.split(";", 1)[0].strip())
        if match is None:
            raise UsageError(f"{shorten(text)!r}: not a citation reference; write "
                             "doc:ID:START-END (e.g. doc:3:1200-1350)",
                             danish="Henvisningen skal skrives doc:ID:START-SLUT.")
        return cls(*(int(group) for group in match.groups()))


@dataclass(frozen=True)
class ReferencedSpan:
    """What a reference points at: the exact text, where it lies and who said it."""

    reference: Reference
    text: str  # exactly documents.text[start:end]
    location: SegmentLocation  # the facts of its first segment, with the reference's offsets
    speaker: str | None  # the speaker's label in the transcript ("IP1")
    is_interviewer: bool
    size_class: str | None
    question: str | None  # the survey variable ("s_3")
    question_text: str | None
    segments: tuple[int, ...]  # the ids of the segments it overlaps
    pages: tuple[int, int] | None  # first and last page of those segments (PDFs)


def referenced_span(db: Database, reference: Reference) -> ReferencedSpan:
    """The span a reference points at; an unknown document or offsets outside its text (or
    an empty span) are a UsageError naming the reference."""
    row = db.execute("SELECT length(text), substr(text, ?, ?) FROM documents WHERE id = ?",
                     [reference.start + 1, max(reference.end - reference.start, 0),
                      reference.document_id]).fetchone()
    if row is None:
        raise UsageError(f"{reference}: no document with id {reference.document_id} (see "
                         "`kvali documents list`)",
                         danish=f"Dokument {reference.document_id} findes ikke i projektet.")
    length, text = row
    if not reference.start < reference.end <= length:
        raise UsageError(f"{reference}: the offsets must satisfy 0 <= START < END <= "
                         f"{length}, the length of document {reference.document_id}",
                         danish=f"Positionerne ligger uden for dokumentets tekst (0-{length}).")
    overlapping = db.execute(
        'SELECT segment_id, speaker, is_interviewer, size_class, page FROM segment_facts '
        'WHERE document_id = ? AND start < ? AND "end" > ? ORDER BY start',
        [reference.document_id, reference.end, reference.start]).fetchall()
    facts = db.execute(
        "SELECT d.name, d.kind, d.question, d.question_text, c.name, m.name, m.region, "
        "m.size_class FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
        "LEFT JOIN municipalities m ON m.code = c.municipality_code WHERE d.id = ?",
        [reference.document_id]).fetchone()
    name, kind, question, question_text, case, kommune, region, size_class = facts
    if overlapping:
        first = segment_locations(db, [overlapping[0][0]])[overlapping[0][0]]
        location = replace(first, start=reference.start, end=reference.end)
        size_class = overlapping[0][3]
    else:
        location = SegmentLocation(reference.document_id, name, kind, reference.start,
                                   reference.end, None, None, None, None, None, case, kommune,
                                   region)
    pages = [page for *_, page in overlapping if page is not None]
    return ReferencedSpan(
        reference, text, location, speaker=overlapping[0][1] if overlapping else None,
        is_interviewer=bool(overlapping and overlapping[0][2]), size_class=size_class,
        question=question, question_text=question_text,
        segments=tuple(row[0] for row in overlapping),
        pages=(min(pages), max(pages)) if pages else None)
