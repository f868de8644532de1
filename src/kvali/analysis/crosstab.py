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
from collections import defaultdict
from dataclasses import astuple, dataclass, fields

from sqlite_utils import Database

from kvali.codebook.model import subtrees
from kvali.codebook.sync import stored_codebook
from kvali.errors import UsageError
from kvali.export.records import CodingRecord, coding_records
from kvali.municipalities import REGIONS, SIZE_CLASSES
from kvali.selection import Selection, shown_codes
from kvali.tabular import write_table

ATTRIBUTES = ("region", "size_class", "kommune", "role", "kind", "question")
TOTAL = "I alt"
NONE = "(ingen)"


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
    if attribute not in ATTRIBUTES:
        raise UsageError(f"--by: {attribute!r} is not one of {', '.join(ATTRIBUTES)}")
    selection = selection or Selection()
    records = coding_records(db, selection)
    codes = shown_codes(db, selection, stored_codebook(db).codes)
    subtree = subtrees((c.key, c.parent_key) for c in codes) if rollup else \
        {c.key: [c.key] for c in codes}
    by_code: dict[str, list[CodingRecord]] = defaultdict(list)
    for record in records:
        by_code[record.code].append(record)
    totals, material = _group_sizes(db, attribute)
    values = _ordered_values(attribute, {_value(r, attribute) for r in records} | set(totals))
    all_total = db.execute("SELECT count(*) FROM municipalities").fetchone()[0]
    all_material = len({k for kommuner in material.values() for k in kommuner})
    depth: dict[str, int] = {}
    rows: list[CrosstabRow] = []
    for code in codes:
        depth[code.key] = depth[code.parent_key] + 1 if code.parent_key in depth else 0
        coded = [r for key in subtree[code.key] for r in by_code.get(key, [])]
        groups: dict[str, list[CodingRecord]] = defaultdict(list)
        for record in coded:
            groups[_value(record, attribute)].append(record)
        for value in values:
            rows.append(_row(code.key, code.name, depth[code.key], value, groups.get(value, []),
                             totals.get(value, 0), len(material.get(value, ()))))
        rows.append(_row(code.key, code.name, depth[code.key], TOTAL, coded, all_total,
                         all_material))
    return rows


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


def _row(code: str, name: str, depth: int, value: str, records: list[CodingRecord],
         group_total: int, in_material: int) -> CrosstabRow:
    municipalities = len({r.kommune for r in records if r.kommune})
    return CrosstabRow(
        code=code, code_name=name, depth=depth, value=value,
        segments=len({(r.document_id, r.start, r.end) for r in records}),
        documents=len({r.document_id for r in records}), municipalities=municipalities,
        group_total=group_total, in_material=in_material,
        share=round(municipalities / group_total, 4) if group_total else None,
        share_of_material=round(municipalities / in_material, 4) if in_material else None)


def _value(record: CodingRecord, attribute: str) -> str:
    value = getattr(record, attribute)
    return str(value) if value not in (None, "") else NONE


def _ordered_values(attribute: str, values: set[str]) -> list[str]:
    fixed = {"region": REGIONS, "size_class": SIZE_CLASSES}.get(attribute, ())
    rest = sorted(v for v in values if v not in fixed and v != NONE)
    return list(fixed) + rest + ([NONE] if NONE in values else [])


_MATERIAL = """
SELECT DISTINCT f.kind, f.question, f.role, f.kommune, f.region, f.size_class
FROM segment_facts f WHERE f.kommune IS NOT NULL
"""
_COLUMNS = {"kind": 0, "question": 1, "role": 2, "kommune": 3, "region": 4, "size_class": 5}


def _group_sizes(db: Database, attribute: str) -> tuple[dict[str, int], dict[str, set[str]]]:
    """(group totals, municipalities of each group found in the material)."""
    material: dict[str, set[str]] = defaultdict(set)
    column = _COLUMNS[attribute]
    for row in db.execute(_MATERIAL):
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
