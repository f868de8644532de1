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
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from kvali.domain import STATUSES
from kvali.export.records import CodingRecord, coding_records
from kvali.selection import Selection

if TYPE_CHECKING:
    from kvali.search.results import Hit

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


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
