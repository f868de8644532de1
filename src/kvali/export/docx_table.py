"""Tables in the DOCX report (coverage by region and size class, the list of sources), set as
the national reports set them: a dark header row, light rules between rows, sub-heading rows
in bold, the total row ruled above, numbers right-aligned."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Cm, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.run import Run

from kvali.export.docx_style import HEADER_SHADE, TABLE_TEXT_STYLE
from kvali.tabular import xml_safe

GROUP_SHADE = "E7ECF3"
RULE = "A6A6A6"
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def add_table(document: docx.document.Document, columns: Sequence[str],
              rows: Sequence[tuple[Sequence[str], str]], widths_cm: Sequence[float], *,
              numeric_from: int | None = 1, keep_together: bool = True) -> Table:
    """A table of `columns` and `rows` ((cells, kind): kind "row", "group" or "total").
    Columns from `numeric_from` on are right-aligned; with `keep_together` the table is never
    split over two pages (else its header row repeats on each page)."""
    table = document.add_table(rows=0, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    _borders(table)
    header = table.add_row()
    _repeat_header(header)
    cells = header.cells  # looked up once: each look walks the row
    for index, column in enumerate(columns):
        run = _fill(cells[index], column, widths_cm[index], _right(index, numeric_from))
        run.bold = True
        run.font.color.rgb = WHITE
        _shade(cells[index], HEADER_SHADE)
    made: dict[str, CT_Row] = {}  # the first row of each kind, as made
    for values, kind in rows:
        if kind in made:
            _add_like(table, made[kind], values)
            continue
        row = table.add_row()
        for index, (value, cell) in enumerate(zip(values, row.cells, strict=True)):
            run = _fill(cell, value, widths_cm[index], _right(index, numeric_from))
            run.bold = kind in ("group", "total")
            if kind == "group":
                _shade(cell, GROUP_SHADE)
            if kind == "total":
                _rule_above(cell)
        made[kind] = row._tr
    if keep_together:
        for row in table.rows:
            _cant_split(row)
        for row in table.rows[:-1]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    return table


def _add_like(table: Table, like: CT_Row, values: Sequence[str]) -> None:
    """A row made as `like` was, with other values: a copy of it with each cell's run given
    its text (everything else in a row of one kind is the same; python-docx takes long to put
    each element in its place, lxml copies a row at once)."""
    tr = deepcopy(like)
    for tc, value in zip(tr.iterchildren(qn("w:tc")), values, strict=True):
        tc.find(qn("w:p")).find(qn("w:r")).text = xml_safe(value)
    table._tbl.append(tr)


def _right(index: int, numeric_from: int | None) -> bool:
    return numeric_from is not None and index >= numeric_from


def _fill(cell: _Cell, value: str, width_cm: float, right: bool) -> Run:
    cell.width = Cm(width_cm)
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_TEXT_STYLE
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return paragraph.add_run(xml_safe(value))


def _borders(table: Table) -> None:
    """Rules above and below the table and between rows; no vertical lines."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        visible = side in ("top", "bottom", "insideH")
        edge.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            edge.set(qn("w:sz"), "8" if side != "insideH" else "4")
            edge.set(qn("w:color"), HEADER_SHADE if side != "insideH" else RULE)
        borders.append(edge)
    properties = table._tbl.tblPr
    successors = {qn(f"w:{name}") for name in ("shd", "tblLayout", "tblCellMar", "tblLook",
                                              "tblCaption", "tblDescription")}
    following = [child for child in properties if child.tag in successors]
    if following:
        following[0].addprevious(borders)
    else:
        properties.append(borders)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shading.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shading)


def _rule_above(cell: _Cell) -> None:
    borders = OxmlElement("w:tcBorders")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "8"), ("color", HEADER_SHADE)):
        top.set(qn(f"w:{key}"), value)
    borders.append(top)
    properties = cell._tc.get_or_add_tcPr()
    width = properties.find(qn("w:tcW"))
    if width is not None:
        width.addnext(borders)
    else:
        properties.insert(0, borders)


def _cant_split(row: _Row) -> None:
    """Keep the row on one page (w:cantSplit comes first among the row properties used)."""
    row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def _repeat_header(row: _Row) -> None:
    element = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(element)
