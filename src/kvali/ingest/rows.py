"""Rows of cells from CSV/TSV (any of , ; tab; any encoding) and from XLSX sheets, as strings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from kvali.errors import InputError
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.safety import check_xml_parts, open_zip_safely

DELIMITERS = (",", ";", "\t")
Rows = list[list[str]]


def read_csv_rows(path: Path) -> Rows:
    """All rows of a delimited text file; the delimiter is taken from the first line."""
    text = normalise_text(decode_bytes(path.read_bytes(), str(path)))
    delimiter = sniff_delimiter(text)
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text),
                                                                      delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(f"is not a readable CSV file ({exc})", source=str(path)) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often outside quotes on the first line."""
    first_line = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            break
        elif not quoted:
            first_line.append(char)
    counts = {d: first_line.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def read_xlsx_sheets(path: Path) -> dict[str, Rows]:
    """Every sheet of a workbook as rows of strings, after the zip and XML safety checks."""
    import openpyxl  # a fifth of a second to import: only when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    with open_zip_safely(path) as archive:
        check_xml_parts(archive, str(path))
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise InputError(f"is not a valid .xlsx workbook ({exc})", source=str(path)) from None
    try:
        return {sheet.title: [[cell_text(v) for v in row]
                              for row in sheet.iter_rows(values_only=True)]
                for sheet in workbook.worksheets}
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A cell value as the analyst sees it: 3 not 3.0, dates in ISO form, empty for None."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return normalise_text(str(value)).strip()


def read_table_rows(path: Path) -> Rows:
    """The rows of a CSV/TSV file or of the first sheet of an XLSX workbook."""
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx_sheets(path)
        return next(iter(sheets.values()), [])
    return read_csv_rows(path)


def header_and_records(rows: Rows, source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Unique column names and (line number, cells padded to the header) for non-empty rows."""
    numbered = [(line, row) for line, row in enumerate(rows, start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise InputError("contains no rows", source=source)
    header: list[str] = []
    for index, name in enumerate(numbered[0][1]):
        name = name.strip() or f"kolonne_{index + 1}"
        while name in header:
            name += "_2"
        header.append(name)
    while header and header[-1].startswith("kolonne_"):
        header.pop()
    records = []
    for line, row in numbered[1:]:
        if any(cell.strip() for cell in row[len(header):]):
            raise InputError(f"row {line} has {len(row)} fields but the header has {len(header)}",
                             source=source)
        records.append((line, (row + [""] * len(header))[: len(header)]))
    return header, records
