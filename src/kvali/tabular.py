"""Write tables to CSV or XLSX safely; every kvali export goes through `write_table`.

Safety, whichever the format:
- in CSV a text cell that starts with = + - @ (or their full-width look-alikes ＝ ＋ － ＠, or
  the minus sign −), a tab or a carriage return is prefixed with a single quote, so a
  spreadsheet never runs quoted text as a formula (OWASP "CSV injection");
- in XLSX every text cell is stored as a string (never a formula) with its text unchanged; a
  cell that looks like a formula gets Excel's quote-prefix style, so editing it keeps it text.
  Characters that XML 1.0 forbids (most control characters) are removed, since they would make
  the file unreadable.
Numbers stay numbers and None becomes an empty cell. CSV is UTF-8 with a byte order mark, so
Excel shows æ, ø and å correctly. Files are written through `kvali.export.output.output_file`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kvali.errors import UsageError
from kvali.export.output import Project, output_file

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

Cell = str | int | float | bool | None


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet could read the text as a formula."""
    return value.startswith(_FORMULA_START)


def neutralise(value: str) -> str:
    """Prefix a quote when a spreadsheet would read the text as a formula (for CSV)."""
    return "'" + value if looks_like_formula(value) else value


def text_cell(worksheet: Any, value: str) -> WriteOnlyCell:
    """A write-only XLSX cell holding `value` as a string, unchanged but for XML-unsafe
    characters; a formula look-alike gets the quote-prefix style."""
    from openpyxl.cell import WriteOnlyCell

    text = xml_safe(value)
    cell = WriteOnlyCell(worksheet, value=text)
    cell.data_type = "s"  # text stays text, even when it looks like a formula
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


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


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    count = 0
    starts = _FORMULA_START
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:  # `neutralise` inline: a table of a national project has ~10M cells
            writer.writerow(["'" + value if isinstance(value, str) and value.startswith(starts)
                             else value for value in row])
            count += 1
    return count


def append_rows(worksheet: Any, rows: Iterable[Sequence[Any]]) -> int:
    """Append rows to a write-only worksheet; returns how many. When a row fails the sheet's
    stream is closed at once, so openpyxl's half-written XML is not reported at exit."""
    count = 0
    try:
        for row in rows:
            worksheet.append(row)
            count += 1
    except BaseException:
        with suppress(Exception):
            worksheet.close()
        raise
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
            result = text_cell(worksheet, str(value))
        if header:
            result.font = bold
        return result

    header = [cell(c, header=True) for c in columns]
    count = append_rows(worksheet, chain([header], ([cell(v) for v in row] for row in rows)))
    workbook.save(path)
    return count - 1


def write_table(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    fmt: str | None = None,
    *,
    sheet: str = "kvali",
    project: Project = None,
    option: str = "-o",
) -> int:
    """Write a header and rows to a CSV or XLSX file (format from `fmt` or the suffix),
    never over the `project` file (`option` names the path in a refusal).

    Returns the number of data rows written.
    """
    chosen = table_format(path, fmt)
    if Path(path).is_dir():
        raise UsageError(f"{path} is a folder; give a file name ending in .{chosen}")
    with output_file(path, project, option=option) as target:
        if chosen == "csv":
            return _write_csv(target, columns, rows)
        return _write_xlsx(target, columns, rows, sheet)
