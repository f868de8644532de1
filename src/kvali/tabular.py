"""Write tables to CSV or XLSX safely; every kvali export goes through `write_table`.

Safety, whichever the format:
- a text cell that starts with = + - @, a tab or a carriage return is prefixed with a single
  quote, so a spreadsheet never runs quoted text as a formula (OWASP "CSV injection");
- in XLSX every text cell is stored as a string (never a formula) and characters that XML 1.0
  forbids (most control characters) are removed, since they would make the file unreadable.
Numbers stay numbers and None becomes an empty cell. CSV is UTF-8 with a byte order mark, so
Excel shows æ, ø and å correctly.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from kvali.errors import UsageError

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Cell = str | int | float | bool | None


def neutralise(value: str) -> str:
    """Prefix a quote when a spreadsheet would read the text as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def xml_safe(value: str) -> str:
    """Remove the characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", value)


def table_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format to write: `fmt` when given, else the file suffix (.csv or .xlsx)."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise UsageError(f"{path}: cannot export as {chosen or 'a file without a suffix'!r}; "
                         "use a .csv or .xlsx file")
    return chosen


def _csv_cell(value: Cell) -> Cell:
    return neutralise(value) if isinstance(value, str) else value


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
    return count


def _write_xlsx(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Cell]],
                sheet: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(xml_safe(sheet)[:31] or "Sheet")
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Cell, *, header: bool = False) -> WriteOnlyCell:
        if value is None or isinstance(value, bool | int | float):
            result = WriteOnlyCell(worksheet, value=value)
        else:
            result = WriteOnlyCell(worksheet, value=xml_safe(neutralise(str(value))))
            result.data_type = "s"  # text stays text, even when it looks like a formula
        if header:
            result.font = bold
        return result

    worksheet.append([cell(c, header=True) for c in columns])
    count = 0
    for row in rows:
        worksheet.append([cell(value) for value in row])
        count += 1
    workbook.save(path)
    return count


def write_table(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    fmt: str | None = None,
    *,
    sheet: str = "kvali",
) -> int:
    """Write a header and rows to a CSV or XLSX file (format from `fmt` or the suffix).

    Returns the number of data rows written.
    """
    chosen = table_format(path, fmt)
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name ending in .{chosen}")
    if chosen == "csv":
        return _write_csv(target, columns, rows)
    return _write_xlsx(target, columns, rows, sheet)
