"""From codings to reliability data: per code, which coders applied it to which unit.

`segment` units are the selected segments; a coder applied code X to a segment when one of the
coder's codings of X overlaps it. `char` units are the characters of the selected segments
(labels, time marks and blank lines between them are no text to code); runs of characters that
every coder treats alike are kept as one weighted stretch. A coder who has not seen a document
has no value (None) for its units. The value per unit is binary: applied (True) or not (False).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from kvali.agreement.material import Coding, Material, Segment
from kvali.agreement.measures import Continuum, Pattern

UnitKind = Literal["segment", "char"]
UNIT_KINDS: tuple[str, ...] = ("segment", "char")


@dataclass(frozen=True)
class Unit:
    """A segment, or a stretch of characters alike for every coder: document offsets and how
    many units it stands for."""

    document_id: int
    start: int
    end: int
    weight: int


@dataclass(frozen=True)
class CodeUnits:
    """One code's reliability data: the units some coder applied it to, in document order,
    and the table of every unit's pattern."""

    code: str
    applied: tuple[tuple[Unit, Pattern], ...]
    table: Counter[Pattern]


class Text:
    """The selected characters of one document as one continuum: document offsets are mapped
    to positions among the selected characters and back."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        spans: list[list[int]] = []
        for segment in sorted(segments, key=lambda s: s.start):
            if spans and segment.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], segment.end)
            else:
                spans.append([segment.start, segment.end])
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        self.before = list(accumulate((e - s for s, e in spans), initial=0))
        self.length = self.before[-1]

    def position(self, offset: int) -> int:
        """How many selected characters lie before the document offset."""
        k = bisect_right(self.starts, offset) - 1
        if k < 0:
            return 0
        return self.before[k] + min(offset, self.ends[k]) - self.starts[k]

    def offset(self, position: int, *, end: bool = False) -> int:
        """The document offset of a position (an end position: just after its last character)."""
        k = bisect_right(self.before, position - end) - 1
        return self.starts[k] + position - self.before[k]

    def sections(self, codings: Iterable[Coding]) -> tuple[tuple[int, int], ...]:
        """A coder's codings as sorted sections of the continuum, overlapping ones merged
        (touching ones stay two units, as the coder marked them)."""
        merged: list[list[int]] = []
        for start, end in sorted((self.position(c.start), self.position(c.end)) for c in codings):
            if start >= end:
                continue
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return tuple((s, e) for s, e in merged)


def code_units(material: Material, unit: UnitKind) -> list[CodeUnits]:
    """The reliability data of every compared code."""
    by_document = _group(material)
    by_code: dict[tuple[int, str], list[Coding]] = {}
    for coding in material.codings:
        by_code.setdefault((coding.document_id, coding.code_key), []).append(coding)
    ends = {d: [s.end for s in segments] for d, (segments, _) in by_document.items()}
    results = []
    for code in material.codes:
        applied: list[tuple[Unit, Pattern]] = []
        table: Counter[Pattern] = Counter()
        for document_id in material.document_ids:
            segments, _ = by_document[document_id]
            mine = by_code.get((document_id, code), [])
            pattern = _blank(material, document_id)
            if unit == "segment":
                found = _segment_units(material.coders, pattern, segments, ends[document_id],
                                       mine)
                total = len(segments)
            else:
                text = Text(segments)
                found = _char_units(material.coders, pattern, text, mine, document_id)
                total = text.length
            applied.extend(found)
            for found_unit, found_pattern in found:
                table[found_pattern] += found_unit.weight
            rest = total - sum(u.weight for u, _ in found)
            if rest:
                table[pattern] += rest
        results.append(CodeUnits(code, tuple(applied), table))
    return results


def continua(material: Material, code: str) -> list[Continuum]:
    """αu's data for one code: every document all coders have seen, as one continuum of its
    selected characters with each coder's coded sections."""
    by_document = _group(material)
    result = []
    for document_id in material.document_ids:
        if len(material.seen[document_id]) < len(material.coders):
            continue
        segments, codings = by_document[document_id]
        text = Text(segments)
        result.append(Continuum(text.length, tuple(
            text.sections(c for c in codings if c.code_key == code and c.coder == coder)
            for coder in material.coders)))
    return result


def _group(material: Material) -> dict[int, tuple[list[Segment], list[Coding]]]:
    groups: dict[int, tuple[list[Segment], list[Coding]]] = {
        d: ([], []) for d in material.document_ids}
    for segment in material.segments:
        groups[segment.document_id][0].append(segment)
    for coding in material.codings:
        groups[coding.document_id][1].append(coding)
    return groups


def _blank(material: Material, document_id: int) -> Pattern:
    """The pattern of a unit nobody coded: False for each coder who saw the document."""
    seen = material.seen[document_id]
    return tuple(False if coder in seen else None for coder in material.coders)


def _segment_units(coders: tuple[str, ...], blank: Pattern, segments: Sequence[Segment],
                   ends: Sequence[int], codings: Sequence[Coding]) -> list[tuple[Unit, Pattern]]:
    """The segments some coder's coding of the code overlaps (`ends`: the segments' ends),
    with who applied it."""
    hits: dict[int, set[int]] = {}
    for coding in codings:
        k = bisect_right(ends, coding.start)
        while k < len(segments) and segments[k].start < coding.end:
            if segments[k].end > coding.start:
                hits.setdefault(k, set()).add(coders.index(coding.coder))
            k += 1
    return [(Unit(segments[k].document_id, segments[k].start, segments[k].end, 1),
             _pattern(blank, hits[k])) for k in sorted(hits)]


def _char_units(coders: tuple[str, ...], blank: Pattern, text: Text,
                codings: Sequence[Coding], document_id: int) -> list[tuple[Unit, Pattern]]:
    """The stretches of selected characters some coder coded, cut wherever the set of coders
    covering them changes."""
    cover = {i: _union(text.sections(c for c in codings if c.coder == coder))
             for i, coder in enumerate(coders)}
    starts = {i: [s for s, _ in sections] for i, sections in cover.items()}
    cuts = sorted({p for sections in cover.values() for section in sections for p in section})
    result = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        who = {i for i, sections in cover.items() if _covers(starts[i], sections, start)}
        if who:
            result.append((Unit(document_id, text.offset(start), text.offset(end, end=True),
                                end - start), _pattern(blank, who)))
    return result


def _union(sections: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sections with touching ones joined: the characters covered."""
    joined: list[list[int]] = []
    for start, end in sections:
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [(s, e) for s, e in joined]


def _covers(starts: list[int], sections: Sequence[tuple[int, int]], position: int) -> bool:
    k = bisect_right(starts, position) - 1
    return k >= 0 and position < sections[k][1]


def _pattern(blank: Pattern, applied: set[int]) -> Pattern:
    return tuple(True if i in applied else value for i, value in enumerate(blank))
