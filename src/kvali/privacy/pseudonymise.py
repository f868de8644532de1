"""Pseudonyms for what leaves the project: confirmed personal data replaced, the rest exact.

`Pseudonyms.load` reads the confirmed rows of `pii_findings` once per export. Names become
"[Person N]", N fixed per entity across the whole project (numbered by first appearance:
document id, then start), and the other types a fixed label ("[CPR]", "[Adresse]", "[Telefon]",
"[E-mail]"). `span` pseudonymises any stretch of a document: every character outside a finding
stays exactly as stored, and a finding that crosses the stretch's edge is replaced whole, so a
quote that cuts a name in half shows no half of it. Overlapping findings are one replacement.
`PseudonymisedSpan.position` maps document offsets into the pseudonymised text (for REFI-QDA
selections and KWIC marks).

Free text that is not a document span (document names, memos, speaker labels, codebook notes)
goes through `scrub`: every occurrence of a confirmed finding's text, as a whole word and in any
case, becomes that finding's label. `Pseudonyms.none()` changes nothing, so an export has one
code path with or without pseudonymising.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from typing import TypeVar

from sqlite_utils import Database

from kvali.codebook.model import Codebook

LABELS = {"cpr": "[CPR]", "address": "[Adresse]", "phone": "[Telefon]", "email": "[E-mail]"}
PERSON = "[Person {}]"
SCRUBBED_FIELDS = ("document", "speaker", "respondent", "memo", "question", "question_text")
"""Free-text fields of records and hits that may name a person."""
CODE_NOTES = ("description", "inclusion", "exclusion", "example")

T = TypeVar("T")


@dataclass(frozen=True)
class Replacement:
    """One replaced stretch: document offsets of the whole finding, its type and its label."""

    start: int
    end: int
    type: str
    label: str


@dataclass(frozen=True)
class PseudonymisedSpan:
    """The text of `documents.text[start:end]` with the findings in it replaced."""

    text: str
    start: int
    end: int
    replacements: tuple[Replacement, ...] = ()
    _ends: list[int] = field(default_factory=list, repr=False, compare=False)
    _shifts: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels put in, each once, in text order ("[Person 3]", "[CPR]")."""
        return tuple(dict.fromkeys(r.label for r in self.replacements))

    def position(self, offset: int, *, end: bool = False) -> int:
        """Where the document offset `offset` (clamped to the span) lies in `text`; an offset
        inside a replaced finding goes to its label's start (or, with `end=True`, its end)."""
        offset = min(max(offset, self.start), self.end)
        index = bisect.bisect_right(self._ends, offset)
        shift = self._shifts[index - 1] if index else 0
        if index < len(self.replacements):
            inside = self.replacements[index]
            if max(inside.start, self.start) < offset:
                label_start = max(inside.start, self.start) - self.start + shift
                return label_start + (len(inside.label) if end else 0)
        return offset - self.start + shift


class Pseudonyms:
    """The project's confirmed findings, per document sorted, and their labels."""

    def __init__(self, regions: dict[int, list[Replacement]],
                 surfaces: dict[str, str]) -> None:
        """`regions`: per document the disjoint replacements in start order; `surfaces`: the
        confirmed findings' texts and their labels, for `scrub`."""
        self._regions = regions
        self._starts = {doc: [r.start for r in found] for doc, found in regions.items()}
        self._labels = {text.casefold(): label for text, label in reversed(surfaces.items())}
        self._pattern = _surface_pattern(surfaces)

    @classmethod
    def none(cls) -> Pseudonyms:
        """Pseudonyms that replace nothing (an export without --pseudonymise)."""
        return cls({}, {})

    @classmethod
    def load(cls, db: Database) -> Pseudonyms:
        """The confirmed findings of the project, read once."""
        rows = db.execute(
            'SELECT f.document_id, f.start, f."end", f.type, f.entity, '
            'substr(d.text, f.start + 1, f."end" - f.start) FROM pii_findings f '
            "JOIN documents d ON d.id = f.document_id WHERE f.status = 'confirmed' "
            'ORDER BY f.document_id, f.start, f."end" DESC').fetchall()
        people: dict[str, str] = {}
        regions: dict[int, list[Replacement]] = defaultdict(list)
        surfaces: dict[str, str] = {}
        for document_id, start, end, kind, entity, text in rows:
            if kind == "name":
                label = people.setdefault(entity, PERSON.format(len(people) + 1))
            else:
                label = LABELS[kind]
            if text.strip():
                surfaces.setdefault(text.strip(), label)
            _add_region(regions[document_id], Replacement(start, end, kind, label))
        return cls(dict(regions), surfaces)

    def span(self, document_id: int, start: int, stored: str) -> PseudonymisedSpan:
        """Pseudonymise `stored`, which is `documents.text[start:start + len(stored)]`."""
        end = start + len(stored)
        found = self._regions.get(document_id, [])
        first = max(bisect.bisect_left(self._starts.get(document_id, []), start) - 1, 0)
        inside = []
        for region in found[first:]:
            if region.start >= end:
                break
            if region.end > start:
                inside.append(region)
        pieces, ends, shifts, cursor, shift = [], [], [], start, 0
        for region in inside:
            cut_start, cut_end = max(region.start, start), min(region.end, end)
            pieces += [stored[cursor - start:cut_start - start], region.label]
            shift += len(region.label) - (cut_end - cut_start)
            ends.append(cut_end)
            shifts.append(shift)
            cursor = cut_end
        pieces.append(stored[cursor - start:])
        return PseudonymisedSpan("".join(pieces), start, end, tuple(inside), ends, shifts)

    def scrub(self, text: str) -> str:
        """Free text with every confirmed finding's text (whole word, any case) replaced."""
        if not text or self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._labels.get(m.group(0).casefold(), "[…]"), text)

    def scrubbed(self, item: T) -> T:
        """A copy of a record or hit with its free-text fields (SCRUBBED_FIELDS) scrubbed."""
        if self._pattern is None:
            return item
        names = {f.name for f in fields(item)} & set(SCRUBBED_FIELDS)
        return replace(item, **{name: self._scrub_field(getattr(item, name)) for name in names})

    def codebook(self, codebook: Codebook) -> Codebook:
        """The codebook with its codes' notes (description, inclusion, exclusion, example)
        scrubbed; names and keys are the analysts' words and stay."""
        return replace(codebook, codes=[
            replace(code, **{name: self._scrub_field(getattr(code, name)) for name in CODE_NOTES})
            for code in codebook.codes])

    def _scrub_field(self, value: object) -> object:
        return self.scrub(value) if isinstance(value, str) else value


def pseudonyms(db: Database, pseudonymise: bool) -> Pseudonyms:
    """The project's pseudonyms when `pseudonymise`, else ones that replace nothing."""
    return Pseudonyms.load(db) if pseudonymise else Pseudonyms.none()


def has_confirmed_findings(db: Database) -> bool:
    """True when an analyst has confirmed any personal data in the project."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM pii_findings "
                      "WHERE status = 'confirmed')").fetchone()[0] == 1


def _add_region(found: list[Replacement], region: Replacement) -> None:
    """Append a finding (in start order); one that overlaps the last widens it instead."""
    if found and region.start < found[-1].end:
        last = found[-1]
        found[-1] = replace(last, end=max(last.end, region.end))
    else:
        found.append(region)


def _surface_pattern(surfaces: dict[str, str]) -> re.Pattern[str] | None:
    """One case-insensitive whole-word pattern for all texts, longest first."""
    if not surfaces:
        return None
    words = "|".join(re.escape(text) for text in sorted(surfaces, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
