"""One selection model and one segment view: role, filters, code subtrees and citations agree
across search, exports, crosstabs, the document list and the suggestion queue."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from kvali.analysis.crosstab import crosstab
from kvali.cli import cli
from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding
from kvali.errors import SelectionError
from kvali.export.citations import cite
from kvali.export.codings import coding_rows
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.search import search
from kvali.selection import (
    FIELDS,
    Selection,
    compile_selection,
    project_coders,
    selection_choices,
)
from kvali.store import open_db
from kvali.ui.render import error_text
from kvali.views.documents import list_documents

SURVEY = """Kommune;Respondentens rolle;Bemærkninger
Aarhus;Socialchef;Vi samarbejder med frivillige foreninger om borgerens netværk hver uge.
Odense;Afdelingsleder;Frivillige i lokalsamfundet hjælper med netværket omkring borgeren.
Aalborg;Socialchef;Civilsamfundet er en vigtig partner i vores arbejde med netværk og familie.
"""
TITLES = """Kommune;Titel;Kommentar
Viborg;Tilbudsleder;Vi mangler frivillige til at støtte borgernes netværk i hverdagen.
"""
CODEBOOK = """name: Test
version: "1"
codes:
  - key: netvaerk
    name: Netværk
    children:
      - key: netvaerk.frivillige
        name: Frivillige
  - key: civil
    name: Civilsamfund
  - key: sundhed
    name: Sundhed
"""


@pytest.fixture
def db(tmp_path: Path) -> Database:
    (tmp_path / "survey.csv").write_text(SURVEY, encoding="utf-8")
    (tmp_path / "titles.csv").write_text(TITLES, encoding="utf-8")
    project = open_db(tmp_path / "p.db")
    report = import_paths(project, [tmp_path / "survey.csv"], ReadOptions(kind="survey"))
    report.files += import_paths(project, [tmp_path / "titles.csv"],
                                 ReadOptions(kind="survey", role_column="Titel")).files
    assert not report.failed, [f.error for f in report.failed]
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems
    sync_codebook(project, codebook)
    for segment_id, text in project.execute("SELECT id, text FROM segments"):
        add_manual_coding(project, segment_id, "netvaerk.frivillige", "mette")
        if "Civilsamfundet" in text:
            add_manual_coding(project, segment_id, "civil", "mette")
    return project


def test_a_respondents_role_column_is_found_by_its_header(db: Database) -> None:
    roles = [row[0] for row in db.execute("SELECT role FROM respondents")]
    assert sorted(roles) == ["Afdelingsleder", "Socialchef", "Socialchef",
                                      "Tilbudsleder"]
    questions = [row[0] for row in db.execute("SELECT question FROM documents ORDER BY id")]
    assert questions == ["Bemærkninger", "Kommentar"]  # the role column is not a question


def test_search_export_and_citation_give_the_same_role(db: Database) -> None:
    hits = search(db, "netværk", limit=None).hits
    by_segment = {hit.segment_id: hit.role for hit in hits}
    rows = list(coding_rows(db, Selection(code=("netvaerk.frivillige",))))
    citations = cite(db, [row["coding_id"] for row in rows])
    assert len(rows) == 4
    for row in rows:
        assert row["role"] in {"Socialchef", "Afdelingsleder", "Tilbudsleder"}
        assert citations[row["coding_id"]].role == row["role"]
        if row["segment_id"] in by_segment:
            assert by_segment[row["segment_id"]] == row["role"]


def test_role_filter_means_the_same_in_search_exports_and_documents(db: Database) -> None:
    chefs = Selection(role=("socialchef",))
    assert {hit.kommune for hit in search(db, "netværk", chefs, limit=None).hits} == \
        {"Aarhus", "Aalborg"}
    assert {row["kommune"] for row in coding_rows(db, chefs)} == {"Aarhus", "Aalborg"}
    assert [r.name for r in list_documents(db, Selection(role=("Tilbudsleder",)))] == \
        ["titles: Kommentar"]


def test_a_code_filter_keeps_only_that_code_and_its_subtree_in_a_crosstab(db: Database) -> None:
    rows = crosstab(db, "region", Selection(code=("netvaerk",)))
    assert {row.code for row in rows} == {"netvaerk", "netvaerk.frivillige"}
    rows = crosstab(db, "region", Selection(code=("netvaerk.frivillige",)))
    assert {row.code for row in rows} == {"netvaerk", "netvaerk.frivillige"}  # theme shown too
    assert {row.code for row in crosstab(db, "region")} == \
        {"netvaerk", "netvaerk.frivillige", "civil", "sundhed"}


def test_crosstab_command_with_codes_has_only_those_rows(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "p.db"), "export", "crosstab",
                                      "-o", str(target), "--codes", "civil"])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert {row["code"] for row in csv.DictReader(handle)} == {"civil"}


def test_search_export_cites_with_the_summary_reference(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "hits.csv"
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "p.db"), "search", "netværk",
                                      "--export", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = dict(db.execute("SELECT id, text FROM documents"))
    ids = {name: i for i, name in db.execute("SELECT id, name FROM documents")}
    for row in rows:
        reference = re.search(r"\[doc:(\d+):(\d+)-(\d+)\]$", row["citation"])
        assert reference, row["citation"]
        document, start, end = (int(part) for part in reference.groups())
        assert texts[document][start:end] == row["text"]
        assert ids[row["document"]] == document
        assert "tegn " not in row["citation"]
        segment = int(row["segment_id"])
        assert row["citation"] == cite(db, [segment], target="segment")[segment].text()


def test_search_and_export_offer_the_same_selection_options() -> None:
    def options(*path: str) -> set[str]:
        command = cli
        for name in path:
            command = command.get_command(click.Context(command), name)
        return {opt for param in command.params for opt in param.opts}

    wanted = {"--" + name.replace("_", "-") for name in FIELDS}
    for path in (("search",), ("export", "summary"), ("export", "codings"),
                 ("export", "crosstab")):
        assert wanted <= options(*path), path


def test_the_coders_offered_are_every_coder_once_in_order(db: Database) -> None:
    segment_ids = [row[0] for row in db.execute("SELECT id FROM segments ORDER BY id")]
    for coder in ("Åse", "bo", "anna", "bo"):
        add_manual_coding(db, segment_ids[0], "sundhed", coder)
    expected = [row[0] for row in db.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]
    assert project_coders(db) == expected == ["anna", "bo", "mette", "Åse"]
    assert selection_choices(db)["coder"] == expected
    db.execute("DELETE FROM codings")
    assert project_coders(db) == []


def test_the_status_help_gives_each_commands_own_default() -> None:
    """A summary counts what the analyst decided; search and the other exports what the app
    shows (kvali.export.summary.summary_selection against Selection.statuses)."""
    def status_help(*path: str) -> str:
        command = cli
        for name in path:
            command = command.get_command(click.Context(command), name)
        return next(param.help for param in command.params if "--status" in param.opts)

    assert "(default: accepted and manual)" in status_help("export", "summary")
    for path in (("search",), ("export", "codings"), ("export", "crosstab")):
        assert "(default: every status but rejected)" in status_help(*path), path


def test_selection_errors_name_the_field_and_speak_danish_in_the_app(db: Database) -> None:
    with pytest.raises(SelectionError) as caught:
        compile_selection(db, Selection(kommune=("Atlantis",)), "segments")
    error = caught.value
    assert str(error).startswith("--kommune 'Atlantis':")
    assert error.field == "kommune"
    assert error_text(error) == \
        "Kommuner: »Atlantis« er hverken en af de 98 kommuner eller en case i projektet"
    assert "--" not in error_text(error)


@pytest.mark.parametrize("selection", [
    Selection(kommune=("Aarhus",)), Selection(region=("Midtjylland",)),
    Selection(size=("stor",)), Selection(kind=("survey",)), Selection(role=("chef",)),
    Selection(code=("civil",)), Selection(not_code=("civil",)), Selection(coder=("mette",)),
    Selection(question=("Bemærkninger",)), Selection(status=("manual",)),
])
def test_every_field_narrows_segments_and_codings_alike(db: Database,
                                                        selection: Selection) -> None:
    """A segment is in a selection exactly when its codings are (codes aside)."""
    segments = compile_selection(db, selection, "segments")
    kept = {row[0] for row in db.execute(
        f"SELECT f.segment_id FROM segment_facts f{segments.clause('WHERE')}", segments.params)}
    assert kept
    codings = compile_selection(db, selection, "codings")
    coded = {row[0] for row in db.execute(
        f"SELECT f.segment_id FROM coding_facts f{codings.clause('WHERE')}", codings.params)}
    if not selection.code:
        assert coded == kept


def test_the_app_renders_library_errors_in_danish(db: Database) -> None:
    from kvali.errors import UsageError
    from kvali.store.db import ProjectBusyError

    with pytest.raises(UsageError) as caught:
        add_manual_coding(db, 1, "findes_ikke", "mette")
    assert "kvali codebook load" in str(caught.value)  # the CLI names its command
    assert error_text(caught.value) == "Koden »findes_ikke« findes ikke i projektets kodebog."
    with pytest.raises(UsageError) as caught:
        add_manual_coding(db, 1, "civil", " ")
    assert str(caught.value).startswith("--coder")
    assert "--" not in error_text(caught.value)
    assert error_text(ProjectBusyError()).startswith("Projektet er optaget")
