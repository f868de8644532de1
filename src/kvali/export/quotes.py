"""Quotes for a theme summary: which codings to quote, and how a long quote is shortened.

Selection, per code (`select_quotes`):

1. The analyst's key quotes come first, all of them, in document order.
2. The remaining places (up to `limit` quotes in all) are filled by a balanced choice: one quote
   at a time: informants before interviewers, human-confirmed codings (manual, accepted)
   before suggestions, and among those the candidate whose municipality and whose role have
   been quoted least so far (so the quotes spread across municipalities before any is quoted
   twice, and likewise across roles). Remaining ties go to quotes of a readable length (60-400
   characters) and finally to document order, so the choice is the same on every run.
3. A span is quoted once, even when several codings (or coders) mark it.

Shortening (`cut_quote`): a quote longer than `max_chars` keeps its beginning and its end, cut at
word boundaries, and shows the cut as " […] ". Each part is exactly `text[start:end]` of the
document, and the parts are kept with their offsets, so nothing is altered silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kvali.export.citations import Citation
from kvali.export.records import CodingRecord

CUT = " […] "
READABLE = (60, 400)
STATUS_RANK = {"manual": 0, "accepted": 0, "suggested": 1, "rejected": 2}


@dataclass(frozen=True)
class QuotePart:
    """An exact piece of the document text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """A quote ready to print: its parts, its citation and whether it is a key quote."""

    record: CodingRecord
    parts: tuple[QuotePart, ...]
    citation: Citation
    reasons: tuple[str, ...] = ()  # why the quote was chosen (Danish, for --explain)

    @property
    def text(self) -> str:
        """The parts joined with the visible cut mark "[…]"."""
        return CUT.join(part.text for part in self.parts)

    @property
    def cut(self) -> bool:
        """True when something was left out of the coded span."""
        return len(self.parts) > 1


def cut_quote(text: str, start: int, end: int, max_chars: int = 500) -> tuple[QuotePart, ...]:
    """The span `text[start:end]` as one part, or as beginning and end when it is too long."""
    if end - start <= max_chars:
        return (QuotePart(start, end, text[start:end]),)
    head_end = _word_end(text, start, start + int(max_chars * 0.6))
    tail_start = _word_start(text, end - int(max_chars * 0.35), end)
    if head_end <= start or tail_start >= end or tail_start <= head_end:
        return (QuotePart(start, end, text[start:end]),)
    return (QuotePart(start, head_end, text[start:head_end]),
            QuotePart(tail_start, end, text[tail_start:end]))


def select_quotes(records: Sequence[CodingRecord], limit: int = 3) -> list[CodingRecord]:
    """Key quotes first, then a balanced choice across municipalities and roles (see above)."""
    chosen: list[CodingRecord] = []
    spans: set[tuple[int, int, int]] = set()
    for record in records:
        if record.key_quote and _span(record) not in spans:
            chosen.append(record)
            spans.add(_span(record))
    candidates = []
    for record in records:
        if _span(record) not in spans:
            candidates.append(record)
            spans.add(_span(record))
    places: Counter[str | None] = Counter(r.kommune or r.case for r in chosen)
    roles: Counter[str | None] = Counter(r.role for r in chosen)
    order = {id(r): index for index, r in enumerate(candidates)}
    while len(chosen) < limit and candidates:
        best = min(candidates, key=lambda r: (
            r.is_interviewer, STATUS_RANK.get(r.status, 2), places[r.kommune or r.case],
            roles[r.role], not READABLE[0] <= r.end - r.start <= READABLE[1], order[id(r)]))
        candidates.remove(best)
        chosen.append(best)
        places[best.kommune or best.case] += 1
        roles[best.role] += 1
    return chosen


def _span(record: CodingRecord) -> tuple[int, int, int]:
    return record.document_id, record.start, record.end


def _word_end(text: str, start: int, limit: int) -> int:
    """The end of the last whole word before `limit` (trailing spaces left out)."""
    position = limit
    while position > start and not text[position].isspace():
        position -= 1
    while position > start and text[position - 1].isspace():
        position -= 1
    return position


def _word_start(text: str, limit: int, end: int) -> int:
    """The start of the first whole word after `limit` (leading spaces left out)."""
    position = limit
    while position < end and not text[position - 1].isspace():
        position += 1
    while position < end and text[position].isspace():
        position += 1
    return position
