"""Mending a wrong import: delete documents and switch a document between interview and report
(store, CLI in a child process, and the Dokumenter page)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_text_readers import REPORT
from test_ui_support import build_project, no_failures, page_test, toasts

from kvali.coding.store import add_manual_coding, decide, save_memo
from kvali.errors import UsageError
from kvali.importer import import_paths, store_parsed_source
from kvali.ingest.model import Block, ParsedDocument, ParsedSource, ReadOptions
from kvali.store import open_db
from kvali.store.documents import delete_documents, set_document_kind
from kvali.tagging.run import tag_project

NETWORK = "Gruppeinterview om netværk"
TRANSCRIPT = ("I: Hvordan inddrager I netværket?\n"
              "IP1: Vi holder netværksmøder med de pårørende. Det virker godt.\n"
              "I: Og de frivillige?\n"
              "IP1: De frivillige foreninger hjælper os meget.\n")
K = "kvali.docs."
A = "kvali.docs.admin."


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """The coded project of test_ui_support (two interviews, a survey, suggestions)."""
    return open_db(build_project(tmp_path / "p"), create=False)


def _id(db: Database, name: str) -> int:
    return db.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0]


def _count(db: Database, sql: str, *params: object) -> int:
    return db.execute(sql, params).fetchone()[0]


def _fts(db: Database, word: str) -> list[int]:
    return [r[0] for r in db.execute("SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?",
                                     [f'"{word}"'])]


def _fts_intact(db: Database) -> None:
    db.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")


def _human(db: Database, document_id: int) -> list[tuple]:
    text = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
    return [(*row, text[row[1]:row[2]]) for row in db.execute(
        'SELECT id, start, "end", code_key, status, coder FROM codings WHERE document_id = ? '
        "AND status != 'suggested' ORDER BY id", [document_id])]


def _tagging_state(db: Database) -> None:
    """Tag everything, so every document has its tagging state."""
    tag_project(db)
    assert not tag_project(db).documents


def _code_some(db: Database, document_id: int) -> None:
    """A manual coding, an excerpt, an accepted and a rejected suggestion."""
    segments = db.execute('SELECT id, start, text FROM segments WHERE document_id = ? '
                          "ORDER BY seq", [document_id]).fetchall()
    add_manual_coding(db, segments[1][0], "civil", "mette")
    seg_id, start, text = segments[4]
    at = start + text.index("nære netværk")
    add_manual_coding(db, seg_id, "netvaerk", "mette", span=(at, at + len("nære netværk")))
    suggestions = [r[0] for r in db.execute(
        "SELECT id FROM codings WHERE document_id = ? AND status = 'suggested' ORDER BY id",
        [document_id])]
    decide(db, suggestions[:1], "accepted", "mette")
    decide(db, suggestions[1:2], "rejected", "mette")


def test_delete_removes_everything_of_the_document_and_logs_ids_only(db: Database) -> None:
    document_id = _id(db, NETWORK)
    _code_some(db, document_id)
    save_memo(db, "document", document_id, "Kort interview.", "mette")
    _tagging_state(db)
    assert _fts(db, "måned")
    other_segments = _count(db, "SELECT count(*) FROM segments WHERE document_id != ?",
                            document_id)
    report = delete_documents(db, [document_id], "mette")
    assert report.documents == [document_id] and report.segments == 5 and report.codings >= 4
    for table in ("segments", "codings", "speakers", "document_attributes", "tagged_documents"):
        assert _count(db, f"SELECT count(*) FROM {table} WHERE document_id = ?", document_id) == 0
    assert _count(db, "SELECT count(*) FROM documents WHERE id = ?", document_id) == 0
    assert _count(db, "SELECT count(*) FROM memos") == 0
    assert _count(db, "SELECT count(*) FROM segments") == other_segments
    assert _fts(db, "måned") == []
    _fts_intact(db)
    actor, action, payload = db.execute(
        "SELECT actor, action, payload FROM events ORDER BY id DESC LIMIT 1").fetchone()
    assert (actor, action) == ("mette", "delete_documents")
    assert json.loads(payload) == {"documents": [document_id], "segments": 5,
                                   "codings": report.codings, "imports": report.imports}
    assert "netværk" not in payload and "Gruppeinterview" not in payload


def test_a_deleted_file_can_be_imported_again(tmp_path: Path) -> None:
    db = open_db(build_project(tmp_path))
    path = tmp_path / "files" / "netvaerk.md"
    assert import_paths(db, [path], ReadOptions()).files[0].status == "duplicate"
    report = delete_documents(db, [_id(db, NETWORK)], "mette")
    assert len(report.imports) == 1
    assert _count(db, "SELECT count(*) FROM imports WHERE id = ?", report.imports[0]) == 0
    again = import_paths(db, [path], ReadOptions())
    assert again.files[0].status == "imported"
    assert _fts(db, "måned")


def test_survey_import_and_respondents_go_with_its_last_document(fresh_db: Database,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Kommune;Hvad virker?;Hvad mangler?\nAarhus;Netværksmøder virker.;"
                    "Tid mangler.\nOdense;Frivillige virker.;Penge mangler.\n", encoding="utf-8")
    import_paths(fresh_db, [path], ReadOptions(kind="survey",
                                               text_columns=["Hvad virker?", "Hvad mangler?"]))
    first, second = [r[0] for r in fresh_db.execute("SELECT id FROM documents ORDER BY id")]
    assert delete_documents(fresh_db, [first], "mette").imports == []
    assert _count(fresh_db, "SELECT count(*) FROM respondents") == 2
    assert _count(fresh_db, "SELECT count(*) FROM responses") == 2
    assert delete_documents(fresh_db, [second], "mette").imports == [1]
    for table in ("imports", "respondents", "respondent_attributes", "responses"):
        assert _count(fresh_db, f"SELECT count(*) FROM {table}") == 0


def test_an_unknown_id_deletes_nothing(db: Database) -> None:
    document_id = _id(db, NETWORK)
    before = [_count(db, f"SELECT count(*) FROM {t}") for t in ("documents", "segments",
                                                                 "codings", "events")]
    with pytest.raises(UsageError, match=r"^no document with id 999; nothing was deleted"):
        delete_documents(db, [document_id, 999], "mette")
    assert [_count(db, f"SELECT count(*) FROM {t}") for t in ("documents", "segments", "codings",
                                                               "events")] == before


def test_interview_to_report_keeps_human_codings_at_their_offsets(db: Database) -> None:
    document_id = _id(db, NETWORK)
    other = _id(db, "Interview med mærkelige tegn")
    _code_some(db, document_id)
    _tagging_state(db)
    text = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
    human = _human(db, document_id)
    assert {row[4] for row in human} == {"manual", "accepted", "rejected"}
    others = _count(db, "SELECT count(*) FROM codings WHERE document_id = ?", other)
    change = set_document_kind(db, document_id, "report", "mette")
    assert (change.old, change.new, change.speakers) == ("interview", "report", 0)
    assert change.codings_kept == len(human) and change.suggestions_dropped > 0
    assert db.execute("SELECT kind, text FROM documents WHERE id = ?",
                      [document_id]).fetchone() == ("report", text)
    assert _human(db, document_id) == human
    assert _count(db, "SELECT count(*) FROM codings WHERE document_id = ? AND status = "
                  "'suggested'", document_id) == 0
    assert _count(db, "SELECT count(*) FROM codings WHERE document_id = ?", other) == others
    assert _count(db, "SELECT count(*) FROM speakers WHERE document_id = ?", document_id) == 0
    assert _count(db, "SELECT count(*) FROM tagged_documents WHERE document_id = ?",
                  document_id) == 0
    assert _count(db, "SELECT count(*) FROM tagged_documents WHERE document_id = ?", other) > 0
    for start, end, segment_text, speaker, turn in db.execute(
            'SELECT start, "end", text, speaker_id, turn FROM segments WHERE document_id = ?',
            [document_id]):
        assert text[start:end] == segment_text and speaker is None and turn is None
    assert not db.execute(
        'SELECT c.id FROM codings c LEFT JOIN segments s ON s.id = c.segment_id '
        'WHERE c.document_id = ? AND (s.id IS NULL OR c.start < s.start OR c.start >= s."end")',
        [document_id]).fetchall(), "every coding sits in the segment that holds its start"
    assert set(_fts(db, "måned")) <= {r[0] for r in db.execute(
        "SELECT id FROM segments WHERE document_id = ?", [document_id])} and _fts(db, "måned")
    _fts_intact(db)
    action, payload = db.execute(
        "SELECT action, payload FROM events ORDER BY id DESC LIMIT 1").fetchone()
    assert action == "set_kind" and json.loads(payload)["document"] == document_id
    assert "netværk" not in payload
    again = tag_project(db)  # the rebuilt document is tagged afresh, and only it
    assert again.documents == 1 and sum(again.added.values()) > 0


def test_report_to_interview_finds_the_turns(fresh_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    import_paths(fresh_db, [path], ReadOptions(kind="report"))
    fresh_db.execute("INSERT INTO codes (key, name) VALUES ('netvaerk', 'Netværk')")
    segment_id, start = fresh_db.execute("SELECT id, start FROM segments ORDER BY seq").fetchone()
    assert TRANSCRIPT[start:].startswith("I: Hvordan")
    add_manual_coding(fresh_db, segment_id, "netvaerk", "mette")
    human = _human(fresh_db, 1)
    change = set_document_kind(fresh_db, 1, "interview", "mette")
    assert change.speakers == 2 and _human(fresh_db, 1) == human
    rows = fresh_db.execute("SELECT sp.label, s.turn, s.text FROM segments s JOIN speakers sp "
                            "ON sp.id = s.speaker_id ORDER BY s.seq").fetchall()
    assert rows[0] == ("I", 1, "Hvordan inddrager I netværket?") and rows[-1][:2] == ("IP1", 4)
    linked = fresh_db.execute('SELECT s.start, s."end" FROM codings c JOIN segments s '
                              "ON s.id = c.segment_id").fetchone()
    assert linked == (3, 3 + len("Hvordan inddrager I netværket?")), \
        "a coding that starts on the label moves to the first segment it overlaps"


def test_pdf_pages_survive_a_change_of_kind(fresh_db: Database) -> None:
    text = "IP1: Første side.\n\nI: Anden side.\n\nIP1: Tredje side."
    blocks = [Block(0, 17, page=1), Block(19, 33, page=2), Block(35, len(text), page=3)]
    with fresh_db.atomic():
        store_parsed_source(fresh_db, ParsedSource([ParsedDocument("r", "report", text, blocks)]),
                            path="r.pdf", sha256="x", kind="report")
    set_document_kind(fresh_db, 1, "interview", "mette")
    assert fresh_db.execute("SELECT page, text FROM segments ORDER BY seq").fetchall() == [
        (1, "Første side."), (2, "Anden side."), (3, "Tredje side.")]


def test_surveys_cannot_change_kind_and_nothing_becomes_a_survey(db: Database) -> None:
    survey = _id(db, "survey: Bemærkninger")
    events = _count(db, "SELECT count(*) FROM events")
    with pytest.raises(UsageError, match="only interviews and reports can change kind"):
        set_document_kind(db, survey, "report", "mette")
    with pytest.raises(UsageError, match="can only become interview or report"):
        set_document_kind(db, _id(db, NETWORK), "survey", "mette")
    with pytest.raises(UsageError, match="no document with id 999"):
        set_document_kind(db, 999, "report", "mette")
    assert not set_document_kind(db, _id(db, NETWORK), "interview", "mette").changed
    assert _count(db, "SELECT count(*) FROM events") == events


def _kvali(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()",
                           "--db", str(db), *args], capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_cli_lists_changes_and_deletes_a_wrong_import(tmp_path: Path) -> None:
    (tmp_path / "rapport.txt").write_text(REPORT, encoding="utf-8")
    db = tmp_path / "p.db"
    assert _kvali("import", "rapport.txt", db=db, cwd=tmp_path).returncode == 0
    changed = _kvali("documents", "set-kind", "1", "interview", "--json", db=db, cwd=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["to"] == "interview"
    back = _kvali("documents", "set-kind", "1", "report", db=db, cwd=tmp_path)
    assert back.returncode == 0 and back.stdout.startswith("document 1: interview -> report")
    [row] = json.loads(_kvali("documents", "list", "--json", db=db, cwd=tmp_path).stdout)
    assert (row["id"], row["kind"]) == (1, "report")
    refused = _kvali("documents", "delete", "1", db=db, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "add --yes" in refused.stderr
    deleted = _kvali("documents", "delete", "1", "--yes", db=db, cwd=tmp_path)
    assert deleted.returncode == 0 and "deleted 1 document(s)" in deleted.stdout
    again = _kvali("import", "rapport.txt", db=db, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("imported")


@pytest.mark.parametrize(("args", "message"), [
    (("delete", "999", "--yes"), "kvali: error: no document with id 999; nothing was deleted"),
    (("set-kind", "999", "report"), "kvali: error: no document with id 999"),
    (("set-kind", "1", "survey"), "kvali: Invalid value for 'KIND'"),
])
def test_cli_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    assert _kvali("init", db=tmp_path / "p.db", cwd=tmp_path).returncode == 0
    result = _kvali("documents", *args, db=tmp_path / "p.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_page_deletes_the_open_document_only_after_confirmation(project: Path) -> None:
    db = open_db(project, create=False)
    document_id = _id(db, NETWORK)
    at = page_test("documents")
    at.selectbox(key=K + "document").set_value(document_id).run()
    at.button(key=A + "delete").click().run()
    no_failures(at)
    assert "Slet »Gruppeinterview om netværk« med 5 segmenter" in at.warning[0].value
    at.button(key=A + "cancel").click().run()
    assert not at.warning and _count(db, "SELECT count(*) FROM documents WHERE id = ?",
                                     document_id) == 1
    at.button(key=A + "delete").click().run()
    at.button(key=A + "confirm_delete").click().run()
    no_failures(at)
    assert toasts(at) == ["Dokumentet er slettet med 5 segmenter og 5 kodninger. Filen kan "
                          "importeres igen."]
    assert _count(db, "SELECT count(*) FROM documents WHERE id = ?", document_id) == 0
    assert document_id not in at.selectbox(key=K + "document").options


def test_page_switches_the_open_document_to_a_report(project: Path) -> None:
    db = open_db(project, create=False)
    document_id = _id(db, NETWORK)
    at = page_test("documents")
    at.selectbox(key=K + "document").set_value(document_id).run()
    at.radio(key=f"{A}kind.{document_id}").set_value("report").run()
    at.button(key=A + "set_kind").click().run()
    no_failures(at)
    assert toasts(at) == ["Dokumentet er nu en rapport med 5 segmenter; 0 kodninger er bevaret, "
                          "og 5 ventende forslag er fjernet (de foreslås igen ved næste "
                          "tagging)."]
    assert db.execute("SELECT kind FROM documents WHERE id = ?", [document_id]).fetchone() == (
        "report",)
    assert "Rapport" in at.caption[0].value


def test_the_page_needs_a_coder_name_before_deleting(project: Path) -> None:
    db = open_db(project, create=False)
    at = page_test("documents", coder=None)
    at.button(key=A + "delete").click().run()
    at.button(key=A + "confirm_delete").click().run()
    assert "Skriv dit navn" in at.error[0].value
    assert _count(db, "SELECT count(*) FROM documents") == 3
