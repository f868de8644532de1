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

from kvali.analysis.coded import coded_rows, codings_in_segments
from kvali.analysis.kept import kept
from kvali.codebook.sync import stored_codebook
from kvali.errors import UsageError
from kvali.export.output import Project
from kvali.selection import Selection, shown_codes
from kvali.store.changes import CodingChanges
from kvali.tabular import write_table

LEVELS = ("codes", "themes")
Segments = dict[int, set[str]]
"""seq -> the codes (or themes) coded in that segment of one document."""


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
    return CooccurrenceCounts(db, selection, window=window, level=level).result()


def kept_cooccurrence(db: Database, selection: Selection | None = None, *, window: int = 0,
                      level: str = "codes") -> Cooccurrence:
    """`cooccurrence`, kept up to date in this process (kvali.analysis.kept); each caller gets
    its own copy."""
    selection = selection or Selection()
    result = kept(db, ("cooccurrence", selection, window, level),
                  lambda db: CooccurrenceCounts(db, selection, window=window, level=level))
    return Cooccurrence(codes=list(result.codes), names=dict(result.names),
                        matrix={a: dict(row) for a, row in result.matrix.items()},
                        window=result.window)


class CooccurrenceCounts:
    """The matrix, kept so that `update` can bring it up to date from the codings that
    changed: a segment's cells depend only on the segments within `window` of it, so only the
    segments near a changed coding are taken away as they were and counted again as they are.
    """

    def __init__(self, db: Database, selection: Selection | None = None, *, window: int = 0,
                 level: str = "codes") -> None:
        if window < 0:
            raise UsageError("--window must be 0 or more segments")
        if level not in LEVELS:
            raise UsageError(f"--level: {level!r} is not one of {', '.join(LEVELS)}")
        self.selection = selection or Selection()
        self.window = window
        codes = shown_codes(db, self.selection, stored_codebook(db).codes)
        names = {code.key: code.name for code in codes}
        self.theme = _themes(codes) if level == "themes" else {key: key for key in names}
        self.shown = [code.key for code in codes if self.theme[code.key] == code.key]
        self.names = {key: names[key] for key in self.shown}
        self.matrix: dict[str, dict[str, int]] = {key: dict.fromkeys(self.shown, 0)
                                                  for key in self.shown}
        for segments in _documents(self._units(db)).values():
            for seq in segments:
                self._count(segments, seq, 1)

    def _units(self, db: Database, **which) -> list[tuple[int, int, int, str]]:
        """(coding id, document, seq, code or theme) of the codings in the selection that lie
        in a segment and have a shown code."""
        rows = coded_rows(db, self.selection, ("coding_id", "document_id", "seq", "code_key"),
                          **which)
        return [(c, d, seq, self.theme[code]) for c, d, seq, code in rows
                if seq is not None and code in self.theme]

    def _count(self, segments: Segments, seq: int, sign: int) -> None:
        """Add (SIGN 1) or take away (-1) the cells of segment SEQ."""
        coded = segments.get(seq)
        if not coded:
            return
        nearby: set[str] = set()
        for other in range(seq - self.window, seq + self.window + 1):
            nearby |= segments.get(other, set())
        for a in coded:
            row = self.matrix[a]
            for b in nearby:
                row[b] += sign

    def update(self, db: Database, changes: CodingChanges) -> None:
        """Bring the matrix up to date (read in the same snapshot as CHANGES)."""
        old = self._units(db, before=changes.before)
        new = self._units(db, coding_ids=changes.coding_ids)
        changed = set(changes.coding_ids)
        near: dict[int, set[int]] = defaultdict(set)
        for _, document, seq, _ in old + new:
            near[document].update(range(seq - self.window, seq + self.window + 1))
        w = self.window
        for document, seqs in near.items():
            ids = [i for first, last in _runs(seqs, w)
                   for i in codings_in_segments(db, document, first - w, last + w)]
            now = self._units(db, coding_ids=ids)
            was = [u for u in now if u[0] not in changed] + [u for u in old if u[1] == document]
            before, after = _documents(was).get(document, {}), _documents(now).get(document, {})
            for seq in seqs:
                self._count(before, seq, -1)
                self._count(after, seq, 1)

    def result(self) -> Cooccurrence:
        """The matrix now (a copy)."""
        return Cooccurrence(codes=list(self.shown), names=dict(self.names),
                            matrix={a: dict(row) for a, row in self.matrix.items()},
                            window=self.window)


def _documents(units: list[tuple[int, int, int, str]]) -> dict[int, Segments]:
    """document -> seq -> codes."""
    found: dict[int, Segments] = defaultdict(lambda: defaultdict(set))
    for _, document, seq, code in units:
        found[document][seq].add(code)
    return found


def _runs(seqs: set[int], gap: int) -> list[tuple[int, int]]:
    """The seqs as (first, last) ranges, merging ranges less than 2 * GAP + 2 apart."""
    runs: list[list[int]] = []
    for seq in sorted(seqs):
        if runs and seq - runs[-1][1] <= 2 * gap + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return [(first, last) for first, last in runs]


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
