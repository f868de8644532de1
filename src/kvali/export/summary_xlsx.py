"""The theme summary as a workbook: sheet "Citater" (one row per quote) and sheet "Antal".

`kvali.tabular.write_table` writes one sheet; this workbook needs two, so it is written here with
the same safety rules, taken from `kvali.tabular`: text cells are stored as strings (never
formulas) with their text unchanged, stripped only of XML-invalid characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kvali.export.summary import Summary
from kvali.tabular import Cell, append_rows, text_cell

QUOTE_COLUMNS = ("tema", "kode", "kodenavn", "nøglecitat", "forkortet", "citat", "rolle", "sted",
                 "dokument", "position", "reference", "dokument_id", "start", "slut", "status",
                 "koder")


def quote_rows(summary: Summary) -> list[list[Cell]]:
    """One row per quote, under the theme (top-level code) it belongs to; a pseudonymised
    quote's reference names the pseudonyms put in ("doc:3:10-90; pseudonymiseret: [CPR]")."""
    rows: list[list[Cell]] = []
    theme = ""
    for section in summary.sections:
        if section.depth == 0:
            theme = section.name
        for quote in section.quotes:
            record, citation = quote.record, quote.citation
            rows.append([theme, section.key, section.name, "ja" if record.key_quote else "nej",
                         "ja" if quote.cut else "nej", quote.text, citation.role, citation.place,
                         citation.document, citation.position,
                         citation.reference + citation.pseudonym_note,
                         record.document_id, record.start, record.end, record.status,
                         record.coder])
    return rows


def count_rows(summary: Summary) -> tuple[list[str], list[list[Cell]]]:
    """Columns and rows of the counts sheet: one row per code, municipalities per region and
    size class (each column named with its group's total, "Region Sjælland (af 17)")."""
    first = summary.sections[0] if summary.sections else None
    groups = [f"{b.group} (af {b.total})" for b in first.by_region + first.by_size] \
        if first else []
    columns = ["kode", "kodenavn", "niveau", "segmenter", "dokumenter", "kommuner",
               f"andel af {summary.all_municipalities}", *groups]
    rows: list[list[Cell]] = []
    for section in summary.sections:
        fraction = (round(section.municipalities / summary.all_municipalities, 3)
                    if summary.all_municipalities else None)
        rows.append([section.key, section.name, section.depth, section.segments,
                     section.documents, section.municipalities, fraction,
                     *[b.municipalities for b in section.by_region + section.by_size]])
    return columns, rows


def write_xlsx(summary: Summary, path: Path) -> None:
    """Write both sheets to an .xlsx file."""
    workbook = Workbook(write_only=True)
    _sheet(workbook, "Citater", QUOTE_COLUMNS, quote_rows(summary))
    _sheet(workbook, "Antal", *count_rows(summary))
    workbook.save(path)


def _sheet(workbook: Workbook, title: str, columns: Sequence[str],
           rows: list[list[Cell]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Cell, header: bool = False) -> WriteOnlyCell:
        if value is None or isinstance(value, bool | int | float):
            result = WriteOnlyCell(sheet, value=value)
        else:
            result = text_cell(sheet, str(value))
        if header:
            result.font = bold
        return result

    append_rows(sheet, [[cell(column, True) for column in columns],
                        *([cell(value) for value in row] for row in rows)])
