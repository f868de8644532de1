"""The app without the command line: a start screen creates or opens a project, the Kodebog page
loads a codebook (upload or default) and runs the tagger, and the coder survives a reload."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_support import APP, CODEBOOK, NETWORK, no_failures, page_test, toasts

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.ui.pages.codebook_load import default_codebook

S = "kvali.start."
REPO = Path(__file__).resolve().parents[1]
K = "kvali.codebook."
BAD = """\
name: Med fejl
codes:
  - key: netvaerk
    name: Netværk
    color: "#2E7D32"
  - key: civil
    name: Civilsamfund
    color: blå
"""


def _app(monkeypatch: pytest.MonkeyPatch, db: Path) -> AppTest:
    monkeypatch.setenv("KVALI_DB", str(db))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def _empty_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: bool) -> Path:
    """An empty project (with one interview when DOCUMENTS) that KVALI_DB points to."""
    path = tmp_path / "tom.db"
    db = open_db(path)
    if documents:
        (tmp_path / "netvaerk.md").write_text(NETWORK, encoding="utf-8")
        assert not import_paths(db, [tmp_path / "netvaerk.md"],
                                ReadOptions(kind="interview")).failed
    db.close()
    monkeypatch.setenv("KVALI_DB", str(path))
    return path


def _codes(path: Path) -> list[str]:
    db = open_db(path, create=False)
    return [row[0] for row in db.execute("SELECT key FROM codes WHERE active = 1 ORDER BY key")]


def _upload(at: AppTest, name: str, text: str) -> AppTest:
    at.file_uploader[0].set_value([(name, text.encode("utf-8"), "application/x-yaml")]).run()
    return at.button(key=K + "load_upload").click().run()


def test_start_screen_on_a_missing_project_creates_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    at = _app(monkeypatch, tmp_path / "findes-ikke.db")
    no_failures(at)
    assert at.title[0].value == "Kom i gang med kvali"
    assert at.text_input(key=S + "folder").value == str(tmp_path)
    folder = tmp_path / "projekter"
    folder.mkdir()
    at.text_input(key=S + "name").input("opfoelgning")
    at.text_input(key=S + "folder").input(str(folder))
    at.button(key=S + "create").click().run()
    no_failures(at)
    assert (folder / "opfoelgning.db").is_file()
    assert not (tmp_path / "findes-ikke.db").exists()
    assert at.session_state["kvali.project"] == str(folder / "opfoelgning.db")
    assert at.title[0].value == "Overblik"
    assert "Projektet er tomt" in at.info[0].value
    assert toasts(at) == ["Projektet opfoelgning.db er oprettet."]
    assert "opfoelgning.db" in at.sidebar.caption[-1].value


def test_a_name_that_is_taken_or_empty_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, tmp_path / "findes-ikke.db")
    at.text_input(key=S + "folder").input(str(tmp_path))
    at.button(key=S + "create").click().run()
    assert at.error[0].value.startswith("Skriv et navn til projektet")
    (tmp_path / "gammel.db").write_bytes(b"")
    at.text_input(key=S + "name").input("gammel")
    at.button(key=S + "create").click().run()
    assert not at.exception
    assert "findes allerede" in at.error[0].value
    assert at.title[0].value == "Kom i gang med kvali"


def test_opening_a_file_that_is_not_a_kvali_project_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "andet.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE noget (a)")
    at = _app(monkeypatch, tmp_path / "findes-ikke.db")
    at.text_input(key=S + "path").input(str(other))
    at.button(key=S + "open").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["andet.db er ikke et kvali-projekt."]
    assert at.title[0].value == "Kom i gang med kvali"
    assert at.session_state["kvali.project"] == str(tmp_path / "findes-ikke.db")


def test_a_project_file_of_another_program_shows_the_start_screen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "andet.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE noget (a)")
    at = _app(monkeypatch, other)
    no_failures(at)
    assert at.title[0].value == "Kom i gang med kvali"
    assert at.warning[0].value.startswith("andet.db kan ikke åbnes: filen kan ikke læses som")


def test_the_sidebar_switches_to_another_project(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "andet" / "andet.db"
    other.parent.mkdir()
    open_db(other).close()
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert at.sidebar.caption[-1].value == "Projekt: project.db"
    at.sidebar.button(key="kvali.switch_project").click().run()
    no_failures(at)
    assert at.title[0].value == "Kom i gang med kvali"
    at.text_input(key=S + "path").input(str(other))
    at.button(key=S + "open").click().run()
    no_failures(at)
    assert at.title[0].value == "Overblik"
    assert at.session_state["kvali.project"] == str(other)
    assert "Projektet er tomt" in at.info[0].value


def test_an_upload_with_a_problem_names_its_line_and_loads_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _empty_project(tmp_path, monkeypatch, documents=False)
    at = page_test("codebook")
    no_failures(at)
    assert "ingen koder" in at.info[0].value
    _upload(at, "min-kodebog.yaml", BAD)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("min-kodebog.yaml er ikke indlæst: 1 problem(er)")
    assert "Linje 8 (kode civil)" in error.value
    assert _codes(path) == []
    assert not (tmp_path / "codebook.yaml").exists()


def test_a_valid_upload_loads_the_codes_and_the_tagger_suggests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _empty_project(tmp_path, monkeypatch, documents=True)
    at = _upload(page_test("codebook"), "codebook.yaml", CODEBOOK)
    no_failures(at)
    assert _codes(path) == ["civil", "netvaerk", "netvaerk.moeder", "paragraf18"]
    assert (tmp_path / "codebook.yaml").read_text(encoding="utf-8") == CODEBOOK
    assert toasts(at)[0].startswith("codebook.yaml er indlæst som projektets kodebog med 4 nye")
    assert at.text_input(key="kvali.codebook_path").value == str(tmp_path / "codebook.yaml")
    db = open_db(path, create=False)
    assert db.execute("SELECT count(*) FROM codings").fetchone()[0] == 0
    at.button(key=K + "autocode").click().run()
    no_failures(at)
    suggested = db.execute("SELECT count(*) FROM codings WHERE status = 'suggested'").fetchone()[0]
    assert suggested >= 3
    assert toasts(at) == [f"Automatisk kodning i 1 dokument(er) gav {suggested} nye forslag, "
                          "0 fjernet."]
    at.button(key=K + "autocode").click().run()
    assert toasts(at)[0].startswith("Alt er allerede kodet automatisk")


def test_replacing_the_codebook_deactivates_the_codes_it_drops(project: Path) -> None:
    at = page_test("codebook")
    smaller = CODEBOOK[:CODEBOOK.index("  - key: civil")]
    _upload(at, "ny.yaml", smaller)
    no_failures(at)
    assert _codes(project) == ["netvaerk", "netvaerk.moeder"]
    assert (project.parent / "codebook.yaml").read_text(encoding="utf-8") == smaller
    assert "2 deaktiverede koder" in toasts(at)[0]


def test_the_default_codebook_ships_with_the_package_and_is_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _empty_project(tmp_path, monkeypatch, documents=False)
    at = page_test("codebook").button(key=K + "load_default").click().run()
    no_failures(at)
    assert len(_codes(path)) > 10
    assert (tmp_path / "codebook.yaml").read_bytes() == default_codebook().read_bytes()
    assert default_codebook().read_bytes() == (REPO / "codebook.yaml").read_bytes()


def test_the_coder_name_is_kept_in_the_url(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["koder"] = "Mette"
    at.run()
    no_failures(at)
    assert at.session_state["kvali.coder"] == "Mette"
    assert at.sidebar.text_input(key="kvali.coder").value == "Mette"
    at.sidebar.text_input(key="kvali.coder").input("Jens").run()
    assert at.query_params["koder"] == "Jens"
    reloaded = AppTest.from_file(str(APP), default_timeout=60)
    reloaded.query_params.update(at.query_params)
    assert reloaded.run().session_state["kvali.coder"] == "Jens"
