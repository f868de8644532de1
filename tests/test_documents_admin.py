"""Mending a wrong import: delete documents, switch a document between interview and report, and
re-import a corrected file in a document's place (store, CLI in a child process, and the
Dokumenter page)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_text_readers import REPORT
from test_ui_support import NETWORK as NETWORK_FILE
from test_ui_support import SURVEY, build_project, no_failures, page_test, toasts

from kvali.coding.store import add_manual_coding, decide, save_memo, set_key_quote
from kvali.errors import InputError, UsageError
from kvali.importer import import_paths, store_parsed_source
from kvali.ingest.model import Block, ParsedDocument, ParsedSource, ReadOptions
from kvali.store import open_db, reimport
from kvali.store.documents import delete_documents, set_document_kind
from kvali.store.reimport import place, reimport_document
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



# Re-import: the corrected transcript gains a turn at the top (with a second "nære netværk"),
# and the passage "hver måned" becomes "hver uge"; the other turns stay word for word.
CORRECTED = NETWORK_FILE.replace(
    "I: Hvordan inddrager I netværket?\n",
    "I: Hvordan inddrager I netværket?\nIP2: Det nære netværk er vigtigt, også for os.\n",
).replace("hver måned", "hver uge")
TABLE_COLUMNS = ("id", "document_id", "segment_id", "start", '"end"', "code_key", "coder",
                 "origin", "status", "rule", "score", "matched", "rules_hash", "provenance",
                 "key_quote", "memo", "created_at", "updated_at")


def _rows(db: Database, table: str, columns: str = "*") -> list[tuple]:
    return db.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()


def _snapshot(db: Database) -> dict[str, list[tuple]]:
    """Everything a re-import may touch, row by row."""
    return {table: _rows(db, table) for table in (
        "documents", "imports", "segments", "codings", "memos", "speakers", "events",
        "document_attributes", "tagged_documents")}


def _work_on_network(db: Database) -> dict[str, int]:
    """Human work on the network interview: codings, a memo, a key quote, a rejection."""
    document_id = _id(db, NETWORK)
    _code_some(db, document_id)  # civil on turn 2, "nære netværk", accepted and rejected
    segments = db.execute("SELECT id FROM segments WHERE document_id = ? ORDER BY seq",
                          [document_id]).fetchall()
    funds = add_manual_coding(db, segments[3][0], "paragraf18", "jonas", memo="Om § 18.",
                              provenance={"via": "test"})
    set_key_quote(db, funds, True, "jonas")
    save_memo(db, "document", document_id, "Kort interview.", "mette")
    return {"document": document_id, "funds": funds}


def _network_file(tmp_path: Path, text: str = CORRECTED) -> Path:
    path = tmp_path / "ny" / "netvaerk.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_place_takes_the_occurrence_nearest_the_old_position() -> None:
    assert place("ab", 0, 10, "ab ab ab ab") == 0
    assert place("ab", 9, 10, "xx ab ab ab") == 9
    assert place("ab", 5, 10, "ab ab ab ab") == 6, "5/10 of 11 is 5.5: 6 is nearest"
    assert place("ab", 1, 4, "abab") == 0, "1/4 lies between 0 and 2: a tie goes to the first"
    assert place("ab", 0, 4, "a b") is None


def test_reimport_moves_the_human_work_onto_the_same_quotes(db: Database, tmp_path: Path
                                                            ) -> None:
    ids = _work_on_network(db)
    old_id = ids["document"]
    old_text = db.execute("SELECT text FROM documents WHERE id = ?", [old_id]).fetchone()[0]
    before = {row[0]: row for row in db.execute(
        f"SELECT {', '.join(TABLE_COLUMNS)} FROM codings WHERE document_id = ?", [old_id])}
    quotes = {i: old_text[row[3]:row[4]] for i, row in before.items()}
    human = {i for i, row in before.items() if row[8] != "suggested"}
    lost = {i for i in human if "hver måned" in quotes[i]}
    assert len(lost) == 2 and len(human) == 5
    report = reimport_document(db, old_id, _network_file(tmp_path), None, "mette")
    new_id = report.new_document
    assert not report.unchanged and new_id != old_id
    assert report.kept == 3 and {c.coding for c in report.lost} == lost
    assert report.suggestions_dropped == len(before) - len(human) and report.memos == 1
    assert {(c.code, c.coder, c.quote) for c in report.lost} == {
        ("civil", "mette", "Vi holder netværksmøder med de pårørende hver måned."),
        ("netvaerk", "mette", "Vi holder netværksmøder med de pårørende hver måned.")}
    new_text = db.execute("SELECT text FROM documents WHERE id = ?", [new_id]).fetchone()[0]
    assert new_text.count("nære netværk") == 2
    after = {row[0]: row for row in db.execute(
        f"SELECT {', '.join(TABLE_COLUMNS)} FROM codings WHERE document_id = ?", [new_id])}
    assert set(after) == human - lost, "pending suggestions are not carried"
    for coding_id, row in after.items():
        assert new_text[row[3]:row[4]] == quotes[coding_id]
        kept_columns = [c for n, c in enumerate(row) if TABLE_COLUMNS[n] not in (
            "document_id", "segment_id", "start", '"end"', "matched")]
        old_columns = [c for n, c in enumerate(before[coding_id]) if TABLE_COLUMNS[n] not in (
            "document_id", "segment_id", "start", '"end"', "matched")]
        assert kept_columns == old_columns, "code, coder, status, memo, key quote, provenance"
        segment = db.execute('SELECT document_id, start, "end" FROM segments WHERE id = ?',
                             [row[2]]).fetchone()
        assert segment[0] == new_id and segment[1] <= row[3] < segment[2]
    span = next(i for i in after if quotes[i] == "nære netværk")
    assert after[span][3] > new_text.index("borgeren") - 30, "the later, nearer occurrence"
    funds = after[ids["funds"]]
    assert (funds[6], funds[14], funds[15], json.loads(funds[13])) == (
        "jonas", 1, "Om § 18.", {"via": "test"})
    assert _count(db, "SELECT count(*) FROM documents WHERE id = ?", old_id) == 0
    assert _count(db, "SELECT count(*) FROM codings WHERE id IN (SELECT value FROM json_each(?))",
                  json.dumps(sorted(lost))) == 0
    assert db.execute("SELECT target, text FROM memos WHERE target_type = 'document'"
                      ).fetchall() == [(str(new_id), "Kort interview.")]
    action, payload = db.execute(
        "SELECT action, payload FROM events ORDER BY id DESC LIMIT 1").fetchone()
    assert action == "reimport_document"
    assert json.loads(payload) == report.to_dict() and json.loads(payload)["lost"] == sorted(lost)
    assert "netværk" not in payload and "mette" not in payload and "ny" not in payload
    _fts_intact(db)


def test_the_reimported_document_is_tagged_afresh_without_the_rejected(db: Database,
                                                                       tmp_path: Path) -> None:
    document_id = _id(db, NETWORK)
    _work_on_network(db)
    rejected = db.execute("SELECT code_key, start FROM codings WHERE document_id = ? AND "
                          "status = 'rejected'", [document_id]).fetchone()
    _tagging_state(db)
    new_id = reimport_document(db, document_id, _network_file(tmp_path), None,
                               "mette").new_document
    assert _count(db, "SELECT count(*) FROM codings WHERE document_id = ? AND status = "
                  "'suggested'", new_id) == 0
    again = tag_project(db)
    assert (again.documents, again.new_documents) == (1, 1) and sum(again.added.values()) > 0
    assert not db.execute(
        "SELECT 1 FROM codings c JOIN codings r ON r.segment_id = c.segment_id AND r.code_key = "
        "c.code_key AND r.status = 'rejected' WHERE c.document_id = ? AND c.status = "
        "'suggested'", [new_id]).fetchall(), "a rejected suggestion does not come back"
    assert db.execute("SELECT code_key FROM codings WHERE document_id = ? AND status = "
                      "'rejected'", [new_id]).fetchone()[0] == rejected[0]


def test_reimport_keeps_the_kind_the_analyst_chose(fresh_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    import_paths(fresh_db, [path], ReadOptions(case="Aarhus", attributes={"år": "2024"}))
    assert fresh_db.execute("SELECT kind FROM documents").fetchone() == ("interview",)
    set_document_kind(fresh_db, 1, "report", "mette")
    fixed = _network_file(tmp_path, TRANSCRIPT.replace("meget", "rigtig meget"))
    report = reimport_document(fresh_db, 1, fixed, None, "mette")
    row = fresh_db.execute("SELECT d.kind, c.name FROM documents d JOIN cases c "
                           "ON c.id = d.case_id WHERE d.id = ?", [report.new_document]).fetchone()
    assert row == ("report", "Aarhus"), "kind kept, case and attributes of the first import"
    assert fresh_db.execute("SELECT key, value FROM document_attributes WHERE document_id = ?",
                            [report.new_document]).fetchall() == [("år", "2024")]
    assert _count(fresh_db, "SELECT count(*) FROM speakers") == 0


def test_an_identical_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    document_id = _id(db, NETWORK)
    _work_on_network(db)
    before = _snapshot(db)
    report = reimport_document(db, document_id, tmp_path / "p" / "files" / "netvaerk.md", None,
                               "mette")
    assert report.unchanged and report.new_document is None
    assert _snapshot(db) == before


TWO_QUESTIONS = """Kommune;Hvad virker?;Hvad mangler?
Aarhus;Netværksmøder med de pårørende virker godt for borgerne.;Tid til de frivillige mangler.
Odense;Frivillige foreninger virker godt i lokalområdet.;Penge til § 18 mangler desværre.
Viborg;Samarbejdet med pårørende virker.;Flere frivillige mangler i foreningerne.
"""


@pytest.mark.parametrize(("name", "text", "message"), [
    ("s.csv", SURVEY + "Odense;Vi har brug for flere penge til netværket.\n", "is a survey file"),
    ("s.csv", TWO_QUESTIONS, "holds 2 documents"),
    ("maerkelig.md", None, "already imported as another document"),
])
def test_a_file_that_is_not_the_document_is_refused(db: Database, tmp_path: Path, name: str,
                                                    text: str | None, message: str) -> None:
    document_id = _id(db, NETWORK)
    _work_on_network(db)
    path = tmp_path / "p" / "files" / name
    if text is not None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
    before = _snapshot(db)
    with pytest.raises(UsageError, match=message) as refused:
        reimport_document(db, document_id, path, None, "mette")
    assert refused.value.danish and "\n" not in str(refused.value)
    assert _snapshot(db) == before


def test_a_missing_document_file_or_survey_question_is_refused(db: Database,
                                                                tmp_path: Path) -> None:
    before = _snapshot(db)
    with pytest.raises(UsageError, match="no document with id 999"):
        reimport_document(db, 999, _network_file(tmp_path), None, "mette")
    with pytest.raises(UsageError, match="only interviews and reports can be re-imported"):
        reimport_document(db, _id(db, "survey: Bemærkninger"), _network_file(tmp_path), None,
                          "mette")
    with pytest.raises(InputError, match="cannot be read") as unreadable:
        reimport_document(db, _id(db, NETWORK), tmp_path / "mangler.md", None, "mette")
    assert unreadable.value.danish.startswith("Filen kunne ikke læses")
    assert _snapshot(db) == before


@pytest.mark.parametrize("step", ["_carry", "_relink_codings", "delete_documents", "log_event"])
def test_a_failure_after_the_import_leaves_the_old_document_as_it_was(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    document_id = _id(db, NETWORK)
    _work_on_network(db)
    before = _snapshot(db)
    imported = []
    real_store = reimport.store_parsed_source

    def store(*args, **kwargs):
        imported.append(real_store(*args, **kwargs))
        return imported[-1]

    def broken(*_args, **_kwargs):
        assert imported and _count(db, "SELECT count(*) FROM documents WHERE id > 3") == 1, \
            "the new document is stored when the step fails"
        raise RuntimeError("injected")

    monkeypatch.setattr(reimport, "store_parsed_source", store)
    monkeypatch.setattr(reimport, step, broken)
    with pytest.raises(RuntimeError, match="injected"):
        reimport_document(db, document_id, _network_file(tmp_path), None, "mette")
    assert _snapshot(db) == before
    assert not db.conn.in_transaction
    _fts_intact(db)
    monkeypatch.undo()
    assert reimport_document(db, document_id, _network_file(tmp_path), None, "mette").kept == 3


def test_cli_reimports_a_corrected_file(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    db = tmp_path / "p.db"
    assert _kvali("import", "t.txt", db=db, cwd=tmp_path).returncode == 0
    project = open_db(db, create=False)
    project.execute("INSERT INTO codes (key, name) VALUES ('netvaerk', 'Netværk')")
    for seq in (1, 4):
        segment_id = project.execute("SELECT id FROM segments WHERE seq = ?", [seq]).fetchone()
        add_manual_coding(project, segment_id[0], "netvaerk", "mette")
    project.close()
    (tmp_path / "t2.txt").write_text(TRANSCRIPT.replace("Det virker godt.", "Det virker.")
                                     .replace("meget", "rigtig meget"), encoding="utf-8")
    same = _kvali("documents", "reimport", "1", "t.txt", db=db, cwd=tmp_path)
    assert same.returncode == 0
    assert same.stdout == "document 1: t.txt is the file already imported; nothing changed\n"
    done = _kvali("documents", "reimport", "1", "t2.txt", "--coder", "jonas", db=db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "document 1 re-imported from t2.txt as document 2: 1 codings kept, 1 lost (netvaerk by "
        'mette: "De frivillige foreninger hjælper os meget."); 0 pending suggestions dropped '
        "(`kvali tag` suggests again)\n")
    [row] = json.loads(_kvali("documents", "list", "--json", db=db, cwd=tmp_path).stdout)
    assert row["id"] == 2
    (tmp_path / "t3.txt").write_text(TRANSCRIPT + "I: Tak.\n", encoding="utf-8")
    as_json = _kvali("documents", "reimport", "2", "t3.txt", "--json", db=db, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    result = json.loads(as_json.stdout)
    assert (result["document"], result["new_document"], result["kept"]) == (2, 3, 1)
    assert result["lost"] == [] and result["unchanged"] is False


@pytest.mark.parametrize(("args", "code", "message"), [
    (("999", "t2.txt"), 2, "kvali: error: no document with id 999"),
    (("1", "mangler.txt"), 1, "kvali: error: mangler.txt: cannot be read"),
    (("1", "s.csv"), 2, "kvali: error: s.csv: holds 2 documents"),
    (("1", "mappe"), 1, "kvali: error: mappe: folder is not a SurveyXact export"),
])
def test_cli_reimport_errors_are_one_line_and_change_nothing(
        tmp_path: Path, args: tuple[str, ...], code: int, message: str) -> None:
    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "t2.txt").write_text(TRANSCRIPT + "I: Tak.\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text(TWO_QUESTIONS, encoding="utf-8")
    (tmp_path / "mappe").mkdir()
    (tmp_path / "mappe" / "t.txt").write_text(TRANSCRIPT + "I: Tak.\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert _kvali("import", "t.txt", db=db, cwd=tmp_path).returncode == 0
    before = _snapshot(open_db(db, create=False))
    result = _kvali("documents", "reimport", *args, db=db, cwd=tmp_path)
    assert result.returncode == code
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert _snapshot(open_db(db, create=False)) == before


def _upload_new_version(at, document_id: int, name: str, text: str):
    at.file_uploader(key=f"{A}file.{document_id}").set_value(
        [(name, text.encode("utf-8"), "text/markdown")]).run()
    return at.button(key=A + "reimport").click().run()


def test_page_reimports_the_open_document_and_shows_the_new_one(project: Path) -> None:
    db = open_db(project, create=False)
    document_id = _id(db, NETWORK)
    segment_id = db.execute("SELECT id FROM segments WHERE document_id = ? ORDER BY seq",
                            [document_id]).fetchall()[4][0]
    add_manual_coding(db, segment_id, "netvaerk", "mette")
    at = page_test("documents")
    at.selectbox(key=K + "document").set_value(document_id).run()
    assert at.button(key=A + "reimport").disabled
    _upload_new_version(at, document_id, "netvaerk.md", CORRECTED)
    no_failures(at)
    assert toasts(at) == ["Dokumentet er importeret igen\\: 1 kodninger bevaret, 0 kunne ikke "
                          "placeres."], "(the colon escaped for Markdown, shown as a colon)"
    new_id = _id(db, NETWORK)
    assert new_id != document_id and at.selectbox(key=K + "document").value == new_id
    assert _count(db, "SELECT count(*) FROM codings WHERE document_id = ? AND status = "
                  "'manual' AND coder = 'mette'", new_id) == 1
    assert db.execute("SELECT path FROM imports i JOIN documents d ON d.import_id = i.id "
                      "WHERE d.id = ?", [new_id]).fetchone()[0].endswith("netvaerk.md")


def test_page_shows_a_refused_reimport_next_to_the_control(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    staging = tmp_path / "tmp"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    db = open_db(project, create=False)
    document_id = _id(db, NETWORK)
    before = _snapshot(db)
    at = page_test("documents")
    at.selectbox(key=K + "document").set_value(document_id).run()
    _upload_new_version(at, document_id, "ny.csv", SURVEY + "Odense;Flere penge, tak.\n")
    assert not at.exception and not toasts(at)
    assert [e.value for e in at.error] == ["Filen er ikke en ny udgave af dokumentet (den er en "
                                           "survey-tabel eller af en anden type)."]
    assert at.selectbox(key=K + "document").value == document_id
    assert _snapshot(db) == before
    assert list(staging.iterdir()) == [], "the upload is removed after the attempt"
