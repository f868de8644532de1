"""Where the coders differ: the units (or stretches of characters) of a code on which the
coders who saw them did not all make the same choice."""

from __future__ import annotations

from dataclasses import dataclass

from kvali.agreement.measures import Pattern
from kvali.agreement.units import CodeUnits, Unit


@dataclass(frozen=True)
class Disagreement:
    """A passage of a document and, per coder who saw it, whether they applied the code."""

    document_id: int
    start: int
    end: int
    code: str
    coders: dict[str, bool]

    def to_dict(self) -> dict:
        """The JSON form (`document`, `start`, `end`, `code`, `coders`)."""
        return {"document": self.document_id, "start": self.start, "end": self.end,
                "code": self.code, "coders": self.coders}


def disagreements(units: CodeUnits, coders: tuple[str, ...]) -> list[Disagreement]:
    """The code's disagreements in document order; neighbouring stretches with the same
    choices are one passage."""
    runs: list[tuple[Unit, Pattern]] = []
    for unit, pattern in units.applied:
        if not _differs(pattern):
            continue
        if runs and runs[-1][1] == pattern and runs[-1][0].document_id == unit.document_id \
                and runs[-1][0].end == unit.start:
            previous = runs[-1][0]
            runs[-1] = (Unit(unit.document_id, previous.start, unit.end,
                             previous.weight + unit.weight), pattern)
        else:
            runs.append((unit, pattern))
    return [Disagreement(unit.document_id, unit.start, unit.end, units.code,
                         {coder: bool(value) for coder, value in zip(coders, pattern, strict=True)
                          if value is not None})
            for unit, pattern in runs]


def _differs(pattern: Pattern) -> bool:
    values = {value for value in pattern if value is not None}
    return len(values) > 1
