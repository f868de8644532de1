"""Code × attribute tables as the national reports present them.

For each code (with its sub-codes, unless `rollup=False`) and each value of an attribute
(region, size class, municipality, role, document kind or survey question) a row gives:

- `segments`: coded passages (distinct spans; a segment coded twice counts once),
  `documents`: documents they lie in;
- `municipalities`: distinct municipalities that said it;
- `group_total`: municipalities in that group: the region's or size class's share of the 98
  (from the register), 1 for a single municipality, and for role, kind and question the
  municipalities that appear in the material with that value (who could have said it);
- `in_material`: municipalities of the group that appear anywhere in the project's material;
- `share` = municipalities / group_total and `share_of_material` = municipalities / in_material.

Each code also gets a row with the value "I alt" whose group is all 98 municipalities.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass, fields

from sqlite_utils import Database

from kvali.analysis.coded import coded_rows, codings_at
from kvali.analysis.kept import kept, kept_material
from kvali.codebook.model import subtrees
from kvali.codebook.sync import stored_codebook
from kvali.errors import UsageError
from kvali.municipalities import REGIONS, SIZE_CLASSES
from kvali.selection import Selection, shown_codes
from kvali.store.changes import CodingChanges
from kvali.tabular import write_table

ATTRIBUTES = ("region", "size_class", "kommune", "role", "kind", "question")
TOTAL = "I alt"
NONE = "(ingen)"
ALL = None
"""The cell of a code's row over every value (its "I alt" row)."""

Cell = tuple[str, str | None]
"""(code, value or ALL)."""


@dataclass(frozen=True)
class CrosstabRow:
    """One cell of a code × attribute table (see the module docstring)."""

    code: str
    code_name: str
    depth: int
    value: str
    segments: int
    documents: int
    municipalities: int
    group_total: int
    in_material: int
    share: float | None
    share_of_material: float | None


def crosstab(db: Database, attribute: str, selection: Selection | None = None, *,
             rollup: bool = True) -> list[CrosstabRow]:
    """Rows for every code in the selection (codebook order) and every value of `attribute`."""
    return CrosstabCounts(db, attribute, selection, rollup=rollup).rows()


def kept_crosstab(db: Database, attribute: str, selection: Selection | None = None, *,
                  rollup: bool = True) -> list[CrosstabRow]:
    """`crosstab`, kept up to date in this process (kvali.analysis.kept)."""
    selection = selection or Selection()
    return list(kept(db, ("crosstab", attribute, selection, rollup),
                     lambda db: CrosstabCounts(db, attribute, selection, rollup=rollup)))


class CrosstabCounts:
    """The counts behind a crosstab, kept so that `update` can bring them up to date from the
    codings that changed, recounting only the places (document and start) they were or are at.

    Per cell (code, value): the distinct spans, and for documents and municipalities how many
    codings each one has there (a count that drops to 0 removes it); per value, its codings.
    A span lies at one place, so counting whole places keeps every span counted once.
    """

    def __init__(self, db: Database, attribute: str, selection: Selection | None = None, *,
                 rollup: bool = True) -> None:
        if attribute not in ATTRIBUTES:
            raise UsageError(f"--by: {attribute!r} is not one of {', '.join(ATTRIBUTES)}")
        self.attribute = attribute
        self.selection = selection or Selection()
        self.codes = shown_codes(db, self.selection, stored_codebook(db).codes)
        subtree = subtrees((c.key, c.parent_key) for c in self.codes) if rollup else \
            {c.key: [c.key] for c in self.codes}
        self.rows_of: dict[str, list[str]] = defaultdict(list)
        """code -> the codes whose row counts it (itself, and its themes with `rollup`)."""
        for code in self.codes:
            for key in subtree[code.key]:
                self.rows_of[key].append(code.key)
        self.totals, self.material = _group_sizes(db, attribute)
        self.all_total = db.execute("SELECT count(*) FROM municipalities").fetchone()[0]
        self.all_material = len({k for kommuner in self.material.values() for k in kommuner})
        self.spans: Counter[Cell] = Counter()
        self.documents: dict[Cell, Counter[int]] = defaultdict(Counter)
        self.kommuner: dict[Cell, Counter[str]] = defaultdict(Counter)
        self.values: Counter[str] = Counter()
        self._known_cells: dict[tuple[str, object], list[Cell]] = {}
        self._count(self._units(db), 1)

    def _units(self, db: Database, **which) -> list[tuple]:
        """(coding id, document, start, end, code, value, kommune) of the codings WHICH names
        (see `coded_rows`)."""
        return coded_rows(db, self.selection, ("coding_id", "document_id", "start", "end",
                                               "code_key", self.attribute, "kommune"), **which)

    def _count(self, units: list[tuple], sign: int) -> None:
        """Add (SIGN 1) or take away (-1) UNITS, which hold every coding of their places."""
        # per span its (code, value), or a frozenset of them when it has several
        spans: dict[tuple[int, int, int], tuple[str, str] | frozenset[tuple[str, str]]] = {}
        for _, document, start, end, code, value, _ in units:
            key, pair = (document, start, end), (code, value)
            coded = spans.get(key)
            if coded is None:
                spans[key] = pair
            elif isinstance(coded, frozenset):
                spans[key] = coded | {pair}
            elif coded != pair:
                spans[key] = frozenset((coded, pair))
        # a span with several codes (or values) counts once in each cell any of them counts in
        for coded, n in Counter(spans.values()).items():
            cells = self._cells(*coded) if isinstance(coded, tuple) else \
                {cell for pair in coded for cell in self._cells(*pair)}
            for cell in cells:
                self.spans[cell] += sign * n
        for (code, value, document, kommune), n in Counter(
                (u[4], u[5], u[1], u[6]) for u in units).items():
            self.values[_value(value)] += sign * n
            for cell in self._cells(code, value):
                self.documents[cell][document] += sign * n
                if kommune:
                    self.kommuner[cell][kommune] += sign * n

    def _cells(self, code: str, value: object) -> list[Cell]:
        """The cells a coding of CODE with VALUE (as stored) counts in."""
        cells = self._known_cells.get((code, value))
        if cells is None:
            shown = _value(value)
            cells = self._known_cells[code, value] = [
                cell for key in self.rows_of.get(code, ()) for cell in ((key, shown), (key, ALL))]
        return cells

    def update(self, db: Database, changes: CodingChanges) -> None:
        """Bring the counts up to date: the places a changed coding was or is at are taken away
        as they were and counted again as they are (read in the same snapshot as CHANGES)."""
        old = self._units(db, before=changes.before)
        new = self._units(db, coding_ids=changes.coding_ids)
        changed = set(changes.coding_ids)
        now = self._units(db, coding_ids=codings_at(db, {(u[1], u[2]) for u in old + new}))
        self._count([u for u in now if u[0] not in changed] + old, -1)
        self._count(now, 1)
        for counters in (self.documents, self.kommuner):
            for counter in counters.values():
                for key in [k for k, n in counter.items() if not n]:
                    del counter[key]

    def result(self) -> list[CrosstabRow]:
        """The rows (what `rows` gives), for kvali.analysis.kept."""
        return self.rows()

    def rows(self) -> list[CrosstabRow]:
        """The table (see `crosstab`)."""
        values = _ordered_values(self.attribute,
                                 {v for v, n in self.values.items() if n} | set(self.totals))
        depth: dict[str, int] = {}
        rows: list[CrosstabRow] = []
        for code in self.codes:
            depth[code.key] = depth[code.parent_key] + 1 if code.parent_key in depth else 0
            for value in values:
                rows.append(self._row(code.key, code.name, depth[code.key], value, value,
                                      self.totals.get(value, 0),
                                      len(self.material.get(value, ()))))
            rows.append(self._row(code.key, code.name, depth[code.key], TOTAL, ALL,
                                  self.all_total, self.all_material))
        return rows

    def _row(self, code: str, name: str, depth: int, value: str, cell_value: str | None,
             group_total: int, in_material: int) -> CrosstabRow:
        cell = (code, cell_value)
        municipalities = len(self.kommuner.get(cell, ()))
        return CrosstabRow(
            code=code, code_name=name, depth=depth, value=value,
            segments=self.spans.get(cell, 0), documents=len(self.documents.get(cell, ())),
            municipalities=municipalities, group_total=group_total, in_material=in_material,
            share=round(municipalities / group_total, 4) if group_total else None,
            share_of_material=round(municipalities / in_material, 4) if in_material else None)


def pivot(rows: list[CrosstabRow], measure: str = "municipalities") -> tuple[list[str], list[list]]:
    """A wide table: one row per code, one column per value, cells of `measure`."""
    values: list[str] = []
    table: dict[tuple[str, str], list] = {}
    for row in rows:
        if row.value not in values:
            values.append(row.value)
        table.setdefault((row.code, row.code_name), []).append(getattr(row, measure))
    return ["code", "code_name", *values], [[key, name, *cells]
                                            for (key, name), cells in table.items()]


def write_crosstab(db: Database, path: str | os.PathLike[str], attribute: str,
                   fmt: str | None = None, selection: Selection | None = None, *,
                   rollup: bool = True) -> int:
    """Write the long table (one row per code and value) as CSV or XLSX; returns rows written."""
    rows = crosstab(db, attribute, selection, rollup=rollup)
    columns = [f.name for f in fields(CrosstabRow)]
    columns[columns.index("value")] = attribute
    return write_table(path, columns, (astuple(row) for row in rows), fmt,
                       sheet=f"Kode x {attribute}", project=db)


def _value(value: object) -> str:
    return str(value) if value not in (None, "") else NONE


def _ordered_values(attribute: str, values: set[str]) -> list[str]:
    fixed = {"region": REGIONS, "size_class": SIZE_CLASSES}.get(attribute, ())
    rest = sorted(v for v in values if v not in fixed and v != NONE)
    return list(fixed) + rest + ([NONE] if NONE in values else [])


_MATERIAL = """
SELECT DISTINCT f.kind, f.question, f.role, f.kommune, f.region, f.size_class
FROM segment_facts f WHERE f.kommune IS NOT NULL AND f.segment_id IN (
    SELECT min(id) FROM segments GROUP BY document_id, speaker_id, response_id, case_id)
"""
"""The attribute values of the material. A segment's facts come from its document, speaker,
response and case alone, so one segment of each combination of them gives them all."""
_COLUMNS = {"kind": 0, "question": 1, "role": 2, "kommune": 3, "region": 4, "size_class": 5}


def _group_sizes(db: Database, attribute: str) -> tuple[dict[str, int], dict[str, set[str]]]:
    """(group totals, municipalities of each group found in the material)."""
    material: dict[str, set[str]] = defaultdict(set)
    column = _COLUMNS[attribute]
    for row in kept_material(db, "attribute values", lambda db: db.execute(_MATERIAL).fetchall()):
        value = row[column]
        material[str(value) if value not in (None, "") else NONE].add(row[3])
    if attribute in ("region", "size_class"):
        totals = dict(db.execute(
            f"SELECT {attribute}, count(*) FROM municipalities GROUP BY {attribute}"))
    elif attribute == "kommune":
        totals = dict.fromkeys(material, 1)
    else:
        totals = {value: len(kommuner) for value, kommuner in material.items()}
    return totals, material
