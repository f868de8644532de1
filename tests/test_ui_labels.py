"""Every visible string is Danish: toolbar, placeholders, table headers and cells; SurveyXact
previews and counts show answers, not questions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from openpyxl import Workbook
from streamlit import config
from streamlit.testing.v1 import AppTest
from test_ui_support import no_failures, page_test

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

QUESTION = "Hvordan samarbejder I med de frivillige foreninger?"
ANSWERS = ["Vi mødes med foreningerne hver måned.", "Vi har en fast kontaktperson.",
           "Samarbejdet er svært at få i gang.", "Vi låner lokaler ud til dem."]


def _surveyxact_workbook(path: Path) -> Path:
    """A tiny SurveyXact export: four respondents, one open and one closed question; Labels
    is the first sheet, as it must not be what the preview shows."""
    book = Workbook()
    labels = book.active
    labels.title = "Labels"
    labels.append(["variableName", "value", "label"])
    labels.append(["s_2", "1", "Leder"])
    labels.append(["s_2", "2", "Medarbejder"])
    dataset = book.create_sheet("Dataset")
    dataset.append(["respondent", "kommune", "s_1", "s_2"])
    for number, (place, answer) in enumerate(zip(["Aarhus", "Odense", "Viborg", "Aarhus"],
                                                 ANSWERS, strict=True), start=1):
        dataset.append([str(number), place, answer, "1" if number % 2 else "2"])
    structure = book.create_sheet("Structure")
    structure.append(["variableName", "questionType", "questionText"])
    structure.append(["respondent", "Closed", "Respondent"])
    structure.append(["kommune", "Closed", "Kommune"])
    structure.append(["s_1", "Open", QUESTION])
    structure.append(["s_2", "Closed", "Hvad er din stilling?"])
    book.save(path)
    return path


def test_toolbar_hides_deploy_and_developer_menu(project: Path) -> None:
    config.set_option("client.toolbarMode", "auto")
    try:
        at = AppTest.from_string("from kvali.ui.app import run\nrun()\n", default_timeout=60)
        at.session_state["kvali.coder"] = "mette"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert config.get_option("client.toolbarMode") == "viewer"
    finally:
        config.set_option("client.toolbarMode", "auto")


def test_multiselects_have_danish_placeholders(project: Path) -> None:
    for page, key in (("search", "kvali.search.kommune"), ("analysis", "kvali.analysis.codes")):
        at = page_test(page)
        no_failures(at)
        widget = at.multiselect(key=key)
        assert widget.placeholder == "Vælg …", (page, widget.placeholder)
        assert widget.proto.select_all == 0  # Streamlit's English "Select all" is hidden


def test_crosstab_table_has_danish_headers_and_no_none(project: Path) -> None:
    at = page_test("analysis")
    at.selectbox(key="kvali.analysis.measure").set_value("share_of_material").run()
    no_failures(at)
    frame: pd.DataFrame = at.dataframe[0].value
    assert list(frame.columns[:2]) == ["Nøgle", "Kode"]
    assert "code" not in frame.columns and "code_name" not in frame.columns
    cells = [str(v) for v in frame.to_numpy().ravel()]
    assert "None" not in cells and "nan" not in cells
    assert "–" in cells  # Region Hovedstaden has no municipality in the material


def test_surveyxact_workbook_is_previewed_as_answers_by_question(project: Path,
                                                                  tmp_path: Path) -> None:
    workbook = _surveyxact_workbook(tmp_path / "eksport.xlsx")
    at = page_test("importer")
    at.file_uploader[0].set_value([("eksport.xlsx", workbook.read_bytes(), "application/xlsx")])
    at.run()
    no_failures(at)
    preview: pd.DataFrame = at.dataframe[0].value
    assert list(preview.columns) == ["Spørgsmål", "Svar", "Første svar"]
    assert list(preview["Spørgsmål"]) == [QUESTION]
    assert list(preview["Svar"]) == [4]
    assert ANSWERS[0] in preview["Første svar"][0]
    assert any("4 svar fra 4 respondenter" in m.value for m in at.markdown)


def _charts(at: AppTest) -> list[tuple[dict, list[pd.DataFrame]]]:
    """The Vega-Lite spec and data frames of every chart shown."""
    return [(json.loads(chart.proto.spec),
             [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets])
            for chart in at.get("vega_lite_chart")]


def _y_axes(spec: dict) -> list[dict]:
    layers = spec.get("layer", [spec])
    return [layer["encoding"]["y"].get("axis") or {} for layer in layers
            if "y" in layer.get("encoding", {})]


def test_overview_counts_answers_and_questions_apart(project: Path, tmp_path: Path) -> None:
    workbook = _surveyxact_workbook(tmp_path / "eksport.xlsx")
    db = open_db(project, create=False)
    report = import_paths(db, [workbook], ReadOptions(kind="surveyxact"))
    assert not report.failed, report.failed
    answers = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    questions = db.execute("SELECT count(*) FROM documents WHERE kind = 'survey'").fetchone()[0]
    db.close()
    assert answers > questions
    at = page_test("overview")
    no_failures(at)
    metric = next(m for m in at.metric if m.label == "Survey-svar")
    assert metric.value == f"{answers:,}".replace(",", ".")
    charts = _charts(at)
    material = charts[0][1][0].set_index("Type")["Dokumenter"].to_dict()
    assert "Survey-svar" not in material  # the chart counts documents: one per question
    assert material["Survey-spørgsmål"] == questions
    for spec, _ in charts:  # no axis label is cut off
        assert all(axis.get("labelLimit") == 0 for axis in _y_axes(spec)), spec["encoding"]


def test_import_history_is_danish(project: Path) -> None:
    at = page_test("importer")
    no_failures(at)
    history: pd.DataFrame = at.dataframe[0].value
    assert list(history.columns) == ["Fil", "Type", "Importeret", "Dokumenter", "Segmenter",
                                     "Svar", "Ikke genkendte kommuner"]
    assert set(history["Type"]) <= {"Interview", "Survey-tabel", "SurveyXact-eksport", "Rapport"}
