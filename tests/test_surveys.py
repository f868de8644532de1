"""Survey tables and SurveyXact exports: answers become responses, closed answers attributes."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from kvali.errors import UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import read_source
from kvali.store.stats import project_status

ROWS = [
    ["Respondent", "Kommune", "Rolle", "Hvad virker?", "Antal"],
    ["1", "Kbh.", "Socialchef", "Netværksmøder med de pårørende virker godt.", "4"],
    ["2", "Åbenrå", "Konsulent", "", "2"],
    ["3", "Høje Taastrup", "Direktør", "Frivillige fra foreningerne; \"Bydelsmødre\".", "5"],
]


def _csv(path: Path, delimiter: str, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(ROWS)
    return path


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "cp1252"),
                                                     ("\t", "utf-16")])
def test_survey_csv_dialects_detect_text_and_case_columns(tmp_path, delimiter, encoding):
    source = read_source(_csv(tmp_path / "s.csv", delimiter, encoding), ReadOptions())
    [document] = source.documents
    assert document.question == "Hvad virker?" and document.kind == "survey"
    answers = [(b.respondent, document.text[b.start:b.end]) for b in document.blocks]
    assert answers == [("1", ROWS[1][3]), ("3", ROWS[3][3])]
    assert source.respondents["3"].case == "Høje Taastrup"
    assert source.respondents["3"].attributes == {"Rolle": "Direktør", "Antal": "5"}


def test_xlsx_survey_table(tmp_path):
    workbook = openpyxl.Workbook()
    for row in ROWS:
        workbook.active.append([int(c) if c.isdigit() else c for c in row])
    workbook.save(tmp_path / "s.xlsx")
    source = read_source(tmp_path / "s.xlsx", ReadOptions(text_columns=["Hvad virker?"]))
    assert source.respondents["1"].attributes["Antal"] == "4"
    assert len(source.documents[0].blocks) == 2


def test_unknown_columns_are_named_in_the_error(tmp_path):
    path = _csv(tmp_path / "s.csv", ";", "utf-8")
    with pytest.raises(UsageError, match="--text-col 'Svar': no such column"):
        read_source(path, ReadOptions(text_columns=["Svar"]))
    with pytest.raises(UsageError, match="--case-col 'By': no such column"):
        read_source(path, ReadOptions(case_column="By"))


def test_ragged_rows_are_reported_with_their_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Kommune;Svar\nOdense;Et langt svar om netværket her;ekstra\n",
                    encoding="utf-8")
    with pytest.raises(Exception, match="row 2 has 3 fields"):
        read_source(path, ReadOptions())


def _surveyxact_folder(folder: Path, delimiter: str, encoding: str) -> Path:
    folder.mkdir()
    structure = [
        ["questionName", "variableName", "questionType", "subType", "questionText",
         "choiceValue", "choiceText"],
        ["kommune", "kommune", "Closed", "Single", "Kommune", "", ""],
        ["s_1", "s_1", "Closed", "Single", "Samarbejder I med frivillige?", "", ""],
        ["s_2", "s_2", "Open", "String", "Andet, skriv her", "", ""],
        ["s_3", "s_3", "Open", "String", "Bemærkninger", "", ""],
    ]
    labels = [["kommune", "1", "Aabenraa"], ["kommune", "2", "Aarhus"],
              ["s_1", "1", "I høj grad"], ["s_1", "2", "Slet ikke"]]
    dataset = [["kommune", "s_1", "s_2", "s_3", "email"],
               ["1", "1", "Vi bruger § 18-midler.", "", "a@b.dk"],
               ["2", "2", "", "Spørgeskemaet var langt.\nMen fint.", "c@d.dk"]]
    for name, rows in (("structure", structure), ("labels", labels), ("dataset", dataset)):
        with (folder / f"{name}.csv").open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return folder


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "cp1252"), (";", "cp1252"),
                                                     ("\t", "utf-16")])
def test_surveyxact_folder_variants(tmp_path, delimiter, encoding):
    folder = _surveyxact_folder(tmp_path / "export", delimiter, encoding)
    source = read_source(folder, ReadOptions())
    by_question = {d.question: d for d in source.documents}
    assert set(by_question) == {"s_2", "s_3"}
    assert by_question["s_3"].question_text == "Bemærkninger"
    assert by_question["s_3"].text == "Spørgeskemaet var langt.\nMen fint."
    respondent = source.respondents[by_question["s_3"].blocks[0].respondent]
    assert respondent.case == "Aarhus" and respondent.attributes == {"s_1": "Slet ikke"}
    assert any("email" in w for w in source.warnings)
    assert all("@" not in str(r.attributes) for r in source.respondents.values())


def test_surveyxact_xlsx_with_three_sheets(tmp_path):
    folder = _surveyxact_folder(tmp_path / "export", ",", "utf-8")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in ("Dataset", "Structure", "Labels"):
        sheet = workbook.create_sheet(name)
        with (folder / f"{name.lower()}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    workbook.save(tmp_path / "eksport.xlsx")
    source = read_source(tmp_path / "eksport.xlsx", ReadOptions())
    assert sorted(d.question for d in source.documents) == ["s_2", "s_3"]


def test_real_surveyxact_export_imports(fresh_db, shared):
    report = import_paths(fresh_db, [shared / "data" / "surveyxact"], ReadOptions())
    assert [f.status for f in report.files] == ["imported"], report.files[0].error
    status = project_status(fresh_db)
    dataset = list(csv.reader((shared / "data/surveyxact/dataset.csv").open(encoding="cp1252")))
    header = dataset[0]
    open_vars = {"a_p", "a_fp", "id", "orgnr", "s_1", "s_3", "s_5", "s_7"}
    expected = sum(1 for row in dataset[1:] for name, value in zip(header, row, strict=False)
                   if name in open_vars and value.strip() not in ("", "-", "."))
    assert status["responses"] == expected
    assert status["respondents"] == len(dataset) - 1
    texts = [r[0] for r in fresh_db.execute("SELECT DISTINCT question_text FROM documents")]
    assert "Andre forhold, kommenter:" in texts


def test_corrupt_and_password_protected_xlsx_fail_with_one_line(fresh_db, tmp_path):
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (tmp_path / "locked.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504)
    report = import_paths(fresh_db, [tmp_path / "junk.xlsx", tmp_path / "locked.xlsx"],
                          ReadOptions())
    errors = [outcome.error for outcome in report.files]
    assert "junk.xlsx: is not a valid .xlsx" in errors[0]
    assert "locked.xlsx: is password-protected or encrypted" in errors[1]
    assert fresh_db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
