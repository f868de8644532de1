"""The shared table writer: CSV with formula injection neutralised, XLSX with text kept as typed
strings, XML-safe cells."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from kvali.errors import UsageError
from kvali.tabular import neutralise, write_table, xml_safe

DANGEROUS = ["=1+1", "+45 1234", "-2+3", "@SUM(A1)", "\tindent", "\rreturn",
             '=HYPERLINK("http://evil","klik")', "\uff1d1+1", "\uff0b45", "\uff0d2",
             "\uff20SUM(A1)", "\u22122+3"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_starts_are_prefixed_with_a_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["netværk", "Åbenrå", "", "1+1", " =x", "'quoted"])
def test_ordinary_text_is_unchanged(value):
    assert neutralise(value) == value


def test_xml_safe_removes_control_characters_but_keeps_text():
    assert xml_safe("a\x00b\x07c\x0bd\tnæ\nø\rå\ufffe") == "abcd\tnæ\nø\rå"


def test_csv_round_trip_with_bom_and_neutralised_cells(tmp_path):
    path = tmp_path / "t.csv"
    rows = [[i, value, None] for i, value in enumerate(DANGEROUS)] + [[99, "Æblegrød, ø", 1.5]]
    assert write_table(path, ["id", "text", "x"], rows) == len(rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["id", "text", "x"]
    assert [r[1] for r in read[1:-1]] == ["'" + v for v in DANGEROUS]
    assert read[-1] == ["99", "Æblegrød, ø", "1.5"]


def test_xlsx_cells_are_strings_never_formulas(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [[i, value] for i, value in enumerate(DANGEROUS)] + [[7, "bad\x01char"], [8, None]]
    write_table(path, ["id", "=header"], rows)
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("id", "=header")
    assert [v[1] for v in values[1:len(DANGEROUS) + 1]] == [xml_safe(v) for v in DANGEROUS]
    assert values[-2] == (7, "badchar") and values[-1] == (8, None)
    types = {cell.data_type for row in sheet.iter_rows(min_row=2, min_col=2) for cell in row
             if cell.value is not None}
    assert types == {"s"}
    assert isinstance(values[1][0], int)


def test_format_comes_from_suffix_or_argument(tmp_path):
    write_table(tmp_path / "plain", ["a"], [["x"]], "csv")
    assert (tmp_path / "plain").read_text("utf-8-sig").splitlines() == ["a", "x"]
    with pytest.raises(UsageError, match="use a .csv or .xlsx file"):
        write_table(tmp_path / "t.pdf", ["a"], [])
    with pytest.raises(UsageError):
        write_table(tmp_path, ["a"], [], "csv")


def test_xlsx_formula_text_reads_back_exactly_with_the_quote_prefix_style(tmp_path):
    path = tmp_path / "f.xlsx"
    write_table(path, ["text"], [["=1+1"], ["- et svar"], ["\uff1dSUM(A1)"], ["almindelig"]])
    cells = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [
        ("=1+1", "s"), ("- et svar", "s"), ("\uff1dSUM(A1)", "s"), ("almindelig", "s")]
    assert [c.quotePrefix for c in cells] == [True, True, True, False]


def test_csv_neutralises_the_full_width_equals_sign(tmp_path):
    path = tmp_path / "f.csv"
    write_table(path, ["text"], [["\uff1dHYPERLINK(\"http://evil\")"]])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1] == ["'\uff1dHYPERLINK(\"http://evil\")"]
