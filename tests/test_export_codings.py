"""Codings as data (csv, xlsx, json) and the export commands: keys, exact texts, filters, safety."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlite_utils import Database
from test_export_project import CODINGS, build_export_project

from kvali.cli import cli
from kvali.errors import UsageError
from kvali.export.codings import COLUMNS, coding_rows, write_codings
from kvali.selection import Selection
from kvali.store import open_db

DESIGN_KEYS = {"document", "code", "code_path", "start", "end", "text", "status", "origin",
               "coder", "rule", "score", "kommune", "region"}


@pytest.fixture(scope="module")
def project_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_export_project(tmp_path_factory.mktemp("codings"))


@pytest.fixture
def project(project_path: Path) -> Database:
    return open_db(project_path, create=False)


def test_json_has_the_design_keys_and_exact_texts(project: Database, tmp_path: Path) -> None:
    target = tmp_path / "codings.json"
    count = write_codings(project, target)
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert count == len(rows) == len(CODINGS) + 2  # + the long quote and one suggestion
    texts = dict(project.execute("SELECT id, text FROM documents"))
    for row in rows:
        assert DESIGN_KEYS <= set(row) and set(row) == set(COLUMNS)
        assert row["text"] == texts[row["document_id"]][row["start"]:row["end"]]
        assert row["code_path"][-1] == row["code"]
        assert row["reference"] == f"doc:{row['document_id']}:{row['start']}-{row['end']}"
    meeting = next(r for r in rows if r["text"] == "Vi holder netværksmøder med de pårørende")
    assert meeting["code_path"] == ["netvaerk", "netvaerk.moeder"]
    assert (meeting["kommune"], meeting["region"], meeting["size_class"]) == \
        ("Aarhus", "Region Midtjylland", "stor")
    assert (meeting["speaker"], meeting["role"], meeting["turn"]) == ("IP1", "Socialchef", 2)
    assert meeting["memo"] == "Et godt eksempel på et netværksmøde."
    suggestion = next(r for r in rows if r["status"] == "suggested")
    assert (suggestion["origin"], suggestion["rule"], suggestion["score"]) == \
        ("auto", "keyword:netværk", 1.0)
    survey = next(r for r in rows if r["kind"] == "survey")
    assert survey["question"] == "Bemærkninger" and survey["role"] == "Socialchef"
    assert not any(r["status"] == "rejected" for r in rows)


def test_filters(project: Database) -> None:
    def texts(**kwargs: tuple[str, ...]) -> set[str]:
        return {row["text"] for row in coding_rows(project, Selection(**kwargs))}

    network = texts(code=("netvaerk",))
    assert "Vi holder netværksmøder med de pårørende" in network  # a sub-code counts
    assert not any("HYPERLINK" in text for text in network)
    assert texts(kommune=("Århus",)) == texts(kommune=("Aarhus",))
    assert {r["kommune"] for r in coding_rows(project, Selection(region=("Nordjylland",)))} == \
        {"Aalborg", "Morsø"}
    assert {r["coder"] for r in coding_rows(project, Selection(coder=("jonas",)))} == {"jonas"}
    assert {r["status"] for r in coding_rows(project, Selection(status=("manual",)))} == {"manual"}
    assert {r["kind"] for r in coding_rows(project, Selection(kind=("report",)))} == {"report"}
    with pytest.raises(UsageError, match="not a code"):
        list(coding_rows(project, Selection(code=("ukendt",))))


def test_anonymise_drops_municipality_and_speaker(project: Database) -> None:
    rows = list(coding_rows(project, anonymise=True))
    assert all(r["kommune"] is None and r["speaker"] is None and r["case"] is None for r in rows)
    assert {"Region Midtjylland", "Region Nordjylland"} <= {r["region"] for r in rows}


def test_csv_neutralises_formulas(project: Database, tmp_path: Path) -> None:
    target = tmp_path / "codings.csv"
    write_codings(project, target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = {row["text"] for row in rows}
    assert "'=HYPERLINK(\"http://example.invalid\") skrev en kollega" in texts
    assert "'-Intet at tilføje ud over at netværket er vigtigt for os." in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    assert {row["code_path"] for row in rows} >= {"netvaerk > netvaerk.moeder"}


def test_xlsx_cells_are_strings_and_neutralised(project: Database, tmp_path: Path) -> None:
    target = tmp_path / "codings.xlsx"
    write_codings(project, target, selection=Selection(code=("civil",)))
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    text_column = header.index("text")
    cells = [row[text_column] for row in sheet.iter_rows(min_row=2)]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")


def test_cli_export_commands(project_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "c.json"
    result = runner.invoke(cli, ["--db", str(project_path), "export", "codings", "-o", str(out),
                                 "--status", "manual", "--kommune", "Viborg"])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and {r["kommune"] for r in rows} == {"Viborg"}
    for fmt in ("md", "docx", "html", "xlsx"):
        target = tmp_path / f"s.{fmt}"
        result = runner.invoke(cli, ["--db", str(project_path), "export", "summary", "-o",
                                     str(target), "--anonymise"])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    assert "Aarhus" not in (tmp_path / "s.md").read_text(encoding="utf-8")
    qdc = tmp_path / "codebook.qdc"
    result = runner.invoke(cli, ["--db", str(project_path), "export", "qdc", "-o", str(qdc)])
    assert result.exit_code == 0 and "kvali-key: netvaerk.moeder" in qdc.read_text("utf-8")


def test_cli_errors_are_one_line(project_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(project_path), "export", "codings", "-o",
                                      str(tmp_path / "c.txt")])
    assert result.exit_code != 0
    assert isinstance(result.exception, UsageError)
    assert "csv, xlsx, json" in str(result.exception)
