"""Code × code co-occurrence within a segment or a window of neighbouring segments.

`matrix[a][b]` is the number of segments coded `a` that have `b` coded in the same segment or
within `window` segments before or after it in the same document. With `window=0` the matrix is
symmetric and its diagonal is the number of segments coded with each code; with a window it
need not be symmetric (a segment coded `a` may have several `b` neighbours, or none, and the
other way round). With `level="themes"` every code counts as its top-level theme.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

from sqlite_utils import Database

from kvali.codebook.sync import stored_codebook
from kvali.errors import UsageError
from kvali.export.output import Project
from kvali.export.records import coding_records
from kvali.selection import Selection, shown_codes
from kvali.tabular import write_table

LEVELS = ("codes", "themes")


@dataclass
class Cooccurrence:
    """Codes in codebook order, their names, and the counts of co-coded segments."""

    codes: list[str]
    names: dict[str, str]
    matrix: dict[str, dict[str, int]]
    window: int

    def rows(self) -> list[tuple[str, str, int]]:
        """Long form (code, other code, segments) for charts, without empty cells."""
        return [(a, b, self.matrix[a][b]) for a in self.codes for b in self.codes
                if self.matrix.get(a, {}).get(b)]


def cooccurrence(db: Database, selection: Selection | None = None, *, window: int = 0,
                 level: str = "codes") -> Cooccurrence:
    """Count co-coded segments (see the module docstring)."""
    if window < 0:
        raise UsageError("--window must be 0 or more segments")
    if level not in LEVELS:
        raise UsageError(f"--level: {level!r} is not one of {', '.join(LEVELS)}")
    selection = selection or Selection()
    codes = shown_codes(db, selection, stored_codebook(db).codes)
    names = {code.key: code.name for code in codes}
    theme = _themes(codes) if level == "themes" else {key: key for key in names}
    shown = [code.key for code in codes if theme[code.key] == code.key]
    by_segment: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in coding_records(db, selection):
        if record.seq is not None and record.code in theme:
            by_segment[record.document_id][record.seq].add(theme[record.code])
    matrix: dict[str, dict[str, int]] = {key: dict.fromkeys(shown, 0) for key in shown}
    for segments in by_segment.values():
        for seq, coded in segments.items():
            nearby: set[str] = set()
            for other in range(seq - window, seq + window + 1):
                nearby |= segments.get(other, set())
            for a in coded:
                for b in nearby:
                    matrix[a][b] += 1
    return Cooccurrence(codes=shown, names={k: names[k] for k in shown}, matrix=matrix,
                        window=window)


def write_cooccurrence(result: Cooccurrence, path: str | os.PathLike[str],
                       fmt: str | None = None, *, project: Project = None) -> int:
    """Write the matrix (one row per code, one column per code) as CSV or XLSX, never over
    the `project` file."""
    columns = ["code", "code_name", *result.codes]
    rows = ([key, result.names[key], *[result.matrix[key][other] for other in result.codes]]
            for key in result.codes)
    return write_table(path, columns, rows, fmt, sheet="Samforekomst", project=project)


def _themes(codes: list) -> dict[str, str]:
    parents = {code.key: code.parent_key for code in codes}
    themes = {}
    for key in parents:
        top, seen = key, {key}
        while parents.get(top) in parents and parents[top] not in seen:
            top = parents[top]
            seen.add(top)
        themes[key] = top
    return themes
