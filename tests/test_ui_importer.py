"""Importér: uploads are staged, survey tables previewed with column choices, and imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_support import SURVEY, no_failures, page_test, toasts

from kvali.errors import UsageError
from kvali.store import open_db
from kvali.ui.uploads import parse_attributes, safe_name, stage_uploads

K = "kvali.import."
TRANSCRIPT = """---
title: Nyt interview
speakers:
  IP1: {role: Socialchef, kommune: Kbh.}
  IP2: {role: Leder, kommune: Atlantis}
---
IP1: Vi bruger frivillige foreninger i stigende grad.
IP2: Netværket er det vigtigste.
"""
TABLE = """Kommune;Løbenummer;Kommentar;Antal
Aarhus;1;Vi savner et bedre samarbejde med de frivillige foreninger i lokalområdet.;3
Odense;2;Pårørende bliver inddraget for sent i forløbet omkring borgeren.;5
Gotham;3;Der mangler tid til at opbygge netværket omkring de unge borgere.;2
"""


def _upload(at, *files: tuple[str, str]) -> None:
    at.file_uploader[0].set_value([(name, text.encode("utf-8"), "text/plain")
                                   for name, text in files])
    at.run()


def test_upload_preview_choose_columns_and_import(project: Path) -> None:
    at = page_test("importer")
    no_failures(at)
    _upload(at, ("nyt.md", TRANSCRIPT), ("kommentarer.csv", TABLE))
    no_failures(at)
    assert at.selectbox(key=K + "case_col.kommentarer.csv").value == "Kommune"
    assert at.multiselect(key=K + "text_cols.kommentarer.csv").value == ["Kommentar"]
    assert list(at.dataframe[0].value.columns) == ["Kommune", "Løbenummer", "Kommentar", "Antal"]
    at.button(key=K + "run").click().run()
    no_failures(at)
    assert toasts(at) == ["2 fil(er) importeret."]
    db = open_db(project, create=False)
    names = {row[0] for row in db.execute("SELECT name FROM documents")}
    assert {"Nyt interview", "kommentarer: Kommentar"} <= names
    assert db.execute("SELECT count(*) FROM responses r JOIN documents d ON d.id = r.document_id "
                      "WHERE d.name = 'kommentarer: Kommentar'").fetchone()[0] == 3
    summary = at.dataframe[0].value
    assert list(summary["Status"]) == ["importeret", "importeret"]
    assert "Atlantis" in at.warning[0].value and "Gotham" in at.warning[0].value
    new = db.execute("SELECT count(*) FROM codings c JOIN documents d ON d.id = c.document_id "
                     "WHERE d.name = 'Nyt interview' AND c.status = 'suggested'").fetchone()[0]
    assert new >= 2
    assert not at.file_uploader(key=K + "files.1").value  # a new, empty uploader


def test_chosen_text_columns_are_honoured(project: Path) -> None:
    at = page_test("importer")
    _upload(at, ("tabel.csv", TABLE))
    at.multiselect(key=K + "text_cols.tabel.csv").set_value(["Kommentar", "Løbenummer"])
    at.checkbox(key=K + "tag").uncheck()
    at.button(key=K + "run").click().run()
    no_failures(at)
    db = open_db(project, create=False)
    names = sorted(row[0] for row in db.execute("SELECT name FROM documents "
                                                "WHERE name LIKE 'tabel:%'"))
    assert names == ["tabel: Kommentar", "tabel: Løbenummer"]


def test_duplicates_and_failures_are_reported(project: Path) -> None:
    at = page_test("importer")
    _upload(at, ("survey.csv", SURVEY), ("tom.csv", "Kommune;Tal\nAarhus;1\n"))
    at.button(key=K + "run").click().run()
    assert not at.exception
    summary = at.dataframe[0].value.set_index("Fil")
    assert summary.loc["survey.csv", "Status"] == "sprunget over"
    assert "already imported" in summary.loc["survey.csv", "Besked"]
    assert summary.loc["tom.csv", "Status"] == "fejlede"
    assert any("tom.csv" in e.value for e in at.error)
    assert toasts(at) == ["0 fil(er) importeret, 1 fejlede."]


def test_attributes_and_case_apply_to_every_document(project: Path) -> None:
    at = page_test("importer")
    _upload(at, ("nyt.md", TRANSCRIPT))
    at.selectbox(key=K + "kind").set_value("interview")
    at.text_area(key=K + "attributes").input("bølge=2026\nprojekt = netværk")
    at.button(key=K + "run").click().run()
    no_failures(at)
    db = open_db(project, create=False)
    assert dict(db.execute("SELECT a.key, a.value FROM document_attributes a JOIN documents d "
                           "ON d.id = a.document_id WHERE d.name = 'Nyt interview' AND a.key IN "
                           "('bølge', 'projekt')").fetchall()) == {"bølge": "2026",
                                                                   "projekt": "netværk"}
    at.text_area(key=K + "attributes").input("uden lighedstegn").run()
    assert "NØGLE=værdi" in at.error[0].value


def test_staging_keeps_names_groups_surveyxact_and_refuses_paths(tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd", 0) == "passwd"
    assert safe_name("C:\\data\\interview.md", 1) == "interview.md"
    assert safe_name("..", 2) == "fil_2"
    assert safe_name(".hidden", 3) == "fil_3"
    staged = stage_uploads([("a.md", b"x"), ("a.yaml", b"title: A"), ("Dataset.csv", b"1"),
                            ("structure.csv", b"2"), ("labels.csv", b"3")], tmp_path)
    assert staged == [tmp_path / "filer" / "a.md", tmp_path / "surveyxact"]
    assert (tmp_path / "filer" / "a.yaml").read_text() == "title: A"
    assert sorted(p.name for p in (tmp_path / "surveyxact").iterdir()) == [
        "dataset.csv", "labels.csv", "structure.csv"]
    with pytest.raises(UsageError):
        stage_uploads([("dataset.csv", b"1")], tmp_path / "other")
    assert parse_attributes("a=1\n\n b = to ") == {"a": "1", "b": "to"}


ROLES = """Kommune;Respondentens rolle;Stilling i øvrigt;Kommentar
Aarhus;Socialchef;Chef;Vi savner et bedre samarbejde med de frivillige foreninger i lokalområdet.
Odense;Afdelingsleder;Leder;Pårørende bliver inddraget for sent i forløbet omkring borgeren.
Viborg;Socialchef;Chef;Der mangler tid til at opbygge netværket omkring de unge borgere.
"""


def test_the_role_column_is_proposed_and_can_be_changed(project: Path) -> None:
    at = page_test("importer")
    _upload(at, ("roller.csv", ROLES))
    no_failures(at)
    role = at.selectbox(key=K + "role_col.roller.csv")
    assert role.value == "Respondentens rolle"
    role.set_value("Stilling i øvrigt")
    at.button(key=K + "run").click().run()
    no_failures(at)
    db = open_db(project, create=False)
    roles = {row[0] for row in db.execute(
        "SELECT DISTINCT f.role FROM segment_facts f WHERE f.document LIKE 'roller:%'")}
    assert roles == {"Chef", "Leder"}


def test_uploads_are_removed_after_every_run_even_a_failing_import(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The uploads (CPR numbers and all) never outlive the run that staged them."""
    import tempfile

    from kvali.ui.pages import importer

    staging = tmp_path / "tmp"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    at = page_test("importer")
    assert list(staging.iterdir()) == [], "no folder without uploads"
    _upload(at, ("nyt.md", TRANSCRIPT), ("kommentarer.csv", TABLE))
    at.run()
    assert list(staging.iterdir()) == [], "nothing left between runs"

    def broken(*_args, **_kwargs):
        raise RuntimeError("the import broke")

    monkeypatch.setattr(importer, "import_paths", broken)
    at.button(key=K + "run").click().run()
    assert at.exception
    assert list(staging.iterdir()) == [], "nothing left after a failing import"
