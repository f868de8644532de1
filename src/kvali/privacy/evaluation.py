"""Precision and recall of the scanner against a labelled text: the labels file lists, one a
line, `type<TAB>exact text[<TAB>occurrence]` (occurrence 1 = the first time the text occurs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kvali.store.schema_privacy import PII_TYPES

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Score:
    """One type's counts and rates."""

    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        """Share of the findings that are right (1.0 when nothing was found)."""
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """Share of the expected findings that were found (1.0 when none were expected)."""
        return self.correct / self.expected if self.expected else 1.0


def load_labels(path: Path, text: str) -> set[Span]:
    """The expected (start, end, type) spans of TEXT; a label whose text is not there is an
    error (the labels and the transcript went out of step)."""
    spans = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        type_, found, *occurrence = line.split("\t")
        at = -1
        for _ in range(int(occurrence[0]) if occurrence else 1):
            at = text.find(found, at + 1)
            if at < 0:
                raise ValueError(f"{path}:{number}: occurrence not in the text")
        spans.add((at, at + len(found), type_))
    return spans


def labelled_strings(*paths: Path) -> list[str]:
    """The exact texts of one or more labels files, each once and longest first (so that a regex
    alternation of them matches the longest): for searching logs and output for personal data."""
    values = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                values.add(line.split("\t")[1])
    return sorted(values, key=lambda value: (-len(value), value))


def score(found: Iterable[Span], expected: set[Span]) -> dict[str, Score]:
    """Per type: how many were expected, found, and found exactly (same span and type)."""
    found = set(found)
    return {t: Score(sum(s[2] == t for s in expected), sum(s[2] == t for s in found),
                     sum(s[2] == t for s in found & expected)) for t in PII_TYPES}
