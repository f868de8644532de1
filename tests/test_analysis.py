"""Crosstabs (code × attribute), co-occurrence, their exports, and the Analyse og eksport page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest
from test_export_project import build_export_project

from kvali.analysis.cooccurrence import cooccurrence, write_cooccurrence
from kvali.analysis.crosstab import NONE, TOTAL, CrosstabRow, crosstab, pivot, write_crosstab
from kvali.cli import cli
from kvali.errors import UsageError
from kvali.selection import Selection
from kvali.store import open_db


@pytest.fixture(scope="module")
def project_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_export_project(tmp_path_factory.mktemp("analysis"))


@pytest.fixture
def project(project_path: Path) -> Database:
    return open_db(project_path, create=False)


def cells(rows: list[CrosstabRow], code: str) -> dict[str, CrosstabRow]:
    return {row.value: row for row in rows if row.code == code}


def test_region_crosstab_counts_municipalities_and_shares(project: Database) -> None:
    rows = cells(crosstab(project, "region"), "netvaerk")
    mid = rows["Region Midtjylland"]
    assert (mid.municipalities, mid.group_total, mid.in_material) == (2, 19, 2)
    assert mid.share == round(2 / 19, 4) and mid.share_of_material == 1.0
    assert rows["Region Hovedstaden"].municipalities == 1  # Gentofte, via a sub-code
    assert rows["Region Sjælland"].municipalities == 0
    assert rows[NONE].segments == 2 and rows[NONE].municipalities == 0  # the report
    total = rows[TOTAL]
    assert (total.municipalities, total.group_total) == (4, 98)
    assert total.documents == 4
    assert list(rows)[:5] == ["Region Hovedstaden", "Region Sjælland", "Region Syddanmark",
                              "Region Midtjylland", "Region Nordjylland"]


def test_rollup_can_be_turned_off(project: Database) -> None:
    rolled = cells(crosstab(project, "region"), "netvaerk")[TOTAL]
    alone = cells(crosstab(project, "region", rollup=False), "netvaerk")[TOTAL]
    assert alone.municipalities == 3 and rolled.municipalities == 4  # Gentofte only via moeder
    assert alone.segments < rolled.segments


def test_role_kind_and_question_groups_come_from_the_material(project: Database) -> None:
    roles = cells(crosstab(project, "role"), "netvaerk")
    assert (roles["Socialchef"].municipalities, roles["Socialchef"].group_total) == (2, 2)
    assert roles["Myndighedsleder"].share == 1.0
    kinds = cells(crosstab(project, "kind"), "netvaerk")
    assert (kinds["interview"].municipalities, kinds["interview"].group_total) == (3, 4)
    assert (kinds["survey"].municipalities, kinds["survey"].group_total) == (2, 3)
    assert kinds["report"].share is None
    questions = cells(crosstab(project, "question"), "civil")
    assert questions["Bemærkninger"].municipalities == 1
    sizes = cells(crosstab(project, "size_class"), "civil")
    assert {v: r.municipalities for v, r in sizes.items() if v != TOTAL} == \
        {"lille": 1, "mellemstor": 1, "stor": 1, NONE: 0}
    kommuner = cells(crosstab(project, "kommune"), "civil")
    assert kommuner["Morsø"].share == 1.0 and kommuner["Aarhus"].municipalities == 0


def test_crosstab_follows_filters(project: Database) -> None:
    rows = cells(crosstab(project, "region", Selection(coder=("jonas",))), "netvaerk")
    assert rows[TOTAL].municipalities == 2  # Aarhus and Aalborg
    with pytest.raises(UsageError, match="--by"):
        crosstab(project, "colour")


def test_pivot_and_exports(project: Database, tmp_path: Path) -> None:
    columns, table = pivot(crosstab(project, "size_class"), "municipalities")
    assert columns[:2] == ["code", "code_name"] and TOTAL in columns
    netvaerk = next(row for row in table if row[0] == "netvaerk")
    assert netvaerk[columns.index(TOTAL)] == 4
    count = write_crosstab(project, tmp_path / "x.csv", "region")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count and "region" in rows[0]
    write_crosstab(project, tmp_path / "x.xlsx", "role")
    assert load_workbook(tmp_path / "x.xlsx").active.max_row == \
        len(crosstab(project, "role")) + 1


def test_cooccurrence_within_a_segment_is_symmetric(project: Database) -> None:
    themes = cooccurrence(project, level="themes")
    assert themes.codes == ["netvaerk", "civil"]
    assert themes.matrix["netvaerk"]["civil"] == themes.matrix["civil"]["netvaerk"] == 1
    assert themes.matrix["civil"]["civil"] == 3
    codes = cooccurrence(project)
    assert codes.matrix["civil"]["netvaerk.moeder"] == 1
    for a in codes.codes:
        for b in codes.codes:
            assert codes.matrix[a][b] == codes.matrix[b][a]


def test_cooccurrence_window_reaches_neighbouring_segments(project: Database,
                                                           tmp_path: Path) -> None:
    near = cooccurrence(project, window=1, level="themes")
    assert near.matrix["civil"]["netvaerk"] == 3  # two in the interview, one in the survey
    assert near.matrix["netvaerk"]["civil"] >= 1
    assert near.matrix["civil"]["civil"] == 3  # the diagonal stays "segments with the code"
    assert write_cooccurrence(near, tmp_path / "co.csv") == 2
    with pytest.raises(UsageError):
        cooccurrence(project, window=-1)


def test_cli_crosstab(project_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(project_path), "export", "crosstab", "-o",
                                 str(tmp_path / "x.xlsx"), "--by", "kind"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(project_path), "export", "crosstab", "-o",
                                 str(tmp_path / "co.csv"), "--by", "code", "--window", "1",
                                 "--level", "themes"])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "co.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "code,code_name,netvaerk,civil"


def test_analysis_page(project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVALI_DB", str(project_path))
    script = """
from kvali.ui.state import init_session, sidebar
from kvali.ui.pages.analysis import analysis_page
init_session()
sidebar()
analysis_page()
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Analyse og eksport"
    frame = at.dataframe[0].value
    assert list(frame["Nøgle"])[:2] == ["netvaerk", "netvaerk.moeder"]
    at.selectbox(key="kvali.analysis.attribute").set_value("role").run()
    at.multiselect(key="kvali.analysis.regions").set_value(["Region Nordjylland"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Socialchef" in at.dataframe[0].value.columns
    at.radio(key="kvali.analysis.view").set_value("cooccurrence").run()
    at.slider(key="kvali.analysis.window").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="kvali.analysis.view").set_value("export").run()
    labels = {button.label for button in at.get("download_button")}
    assert {"DOCX", "MD", "HTML", "XLSX", "CSV", "JSON", "QDPX"} <= labels
