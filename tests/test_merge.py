"""Merging analysts' projects (`kvali merge`): documents matched by text, human codings, memos
and key quotes carried with their coder, documents added, conflicts listed, idempotent, one
transaction, dry run, and the same codings through a .qdpx export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlite_utils import Database
from test_ui_support import CODEBOOK, HOSTILE, NETWORK, SURVEY, build_project

from kvali.cli.merge import merge
from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, decide, save_memo, set_key_quote
from kvali.errors import InputError, ProjectError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.merge import merge_project
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx
from kvali.store import open_db
from kvali.tagging.run import tag_project

EXTRA = """---
title: Interview om økonomi
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Økonomichef, kommune: Randers}
---
I: Hvordan går det med pengene?
IP1: Budgettet til de frivillige er skåret ned i år.
"""

OTHER_CODEBOOK = CODEBOOK.replace("name: Civilsamfund", "name: Frivillige") + """\
  - key: oekonomi
    name: Økonomi
    color: "#FF8F00"
"""


def segment_of(db: Database, needle: str) -> tuple[int, int, int, str]:
    """(segment id, document id, start, document text hash) of the segment holding NEEDLE."""
    row = db.execute('SELECT s.id, s.document_id, s.start, d.sha256 FROM segments s '
                     "JOIN documents d ON d.id = s.document_id WHERE s.text LIKE ? "
                     "ORDER BY s.id LIMIT 1", [f"%{needle}%"]).fetchone()
    assert row, needle
    return row


def suggestion(db: Database, needle: str, code: str) -> int:
    segment_id = segment_of(db, needle)[0]
    row = db.execute("SELECT id FROM codings WHERE segment_id = ? AND code_key = ? "
                     "AND status = 'suggested'", [segment_id, code]).fetchone()
    assert row, (needle, code)
    return row[0]


def build_other(folder: Path) -> Path:
    """The same files under other names, imported in another order, plus one extra interview;
    a codebook where 'civil' has another name and 'oekonomi' is new."""
    files = folder / "filer"
    files.mkdir(parents=True)
    (files / "a_svar.csv").write_text(SURVEY, encoding="utf-8")
    (files / "b_tegn.md").write_text(HOSTILE, encoding="utf-8")
    (files / "c_gruppe.md").write_text(NETWORK, encoding="utf-8")
    (files / "d_ekstra.md").write_text(EXTRA, encoding="utf-8")
    path = folder / "other.db"
    db = open_db(path)
    report = import_paths(db, [files / "a_svar.csv"], ReadOptions(kind="survey"))
    report.files += import_paths(db, [files / "b_tegn.md", files / "c_gruppe.md",
                                      files / "d_ekstra.md"], ReadOptions(kind="interview")).files
    assert not report.failed, report.failed
    codebook, problems = parse_codebook(OTHER_CODEBOOK, str(folder / "codebook.yaml"))
    assert codebook is not None and not problems, problems
    sync_codebook(db, codebook)
    tag_project(db)
    db.close()
    return path


def code_target(path: Path) -> None:
    """Mette's work in the target project."""
    db = open_db(path, create=False)
    decide(db, [suggestion(db, "frivillige foreninger", "civil")], "accepted", "mette")
    segment_id = segment_of(db, "netværksmøder")[0]
    coding = add_manual_coding(db, segment_id, "netvaerk.moeder", "mette")
    set_key_quote(db, coding, True, "mette")
    db.close()


def code_other(path: Path) -> None:
    """Anna's work (a manual coding with memo and key quote, a rejected suggestion, memos on a
    document and a code, the extra interview) and Mette's opposite decision."""
    db = open_db(path, create=False)
    segment_id = segment_of(db, "§ 18-midler")[0]
    coding = add_manual_coding(db, segment_id, "paragraf18", "anna", memo="Søger hvert år.")
    set_key_quote(db, coding, True, "anna")
    decide(db, [suggestion(db, "nære netværk", "netvaerk")], "rejected", "anna")
    decide(db, [suggestion(db, "frivillige foreninger", "civil")], "rejected", "mette")
    document_id = segment_of(db, "§ 18-midler")[1]
    save_memo(db, "document", document_id, "Godt gruppeinterview.", "anna")
    save_memo(db, "code", "paragraf18", "Kun § 18-midler.", "anna")
    extra = segment_of(db, "Budgettet")[0]
    add_manual_coding(db, extra, "oekonomi", "anna")
    db.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Pristine coded copies of the target and the other project (tests copy them)."""
    root = tmp_path_factory.mktemp("merge")
    target = build_project(root / "target")
    code_target(target)
    other = build_other(root / "other")
    code_other(other)
    return target, other


@pytest.fixture()
def target(pair: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "target.db"
    shutil.copy(pair[0], copy)
    return copy


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (FTS shadow tables included)."""
    db = Database(path)
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    dump = {name: db.execute(f"SELECT * FROM [{name}]").fetchall() for name in names}
    db.close()
    return dump


def human_codings(db: Database) -> list[tuple]:
    """(document text hash, start, end, code, coder, status, memo, key quote) of human work."""
    return sorted(db.execute(
        'SELECT d.sha256, c.start, c."end", c.code_key, c.coder, c.status, c.memo, c.key_quote '
        "FROM codings c JOIN documents d ON d.id = c.document_id "
        "WHERE c.status != 'suggested'").fetchall())


def run(target: Path, *args: str) -> Result:
    return CliRunner().invoke(merge, [*args, "--db", str(target)])


def test_merge_brings_every_coding_once_with_its_coder(pair: tuple[Path, Path],
                                                        target: Path) -> None:
    other = open_db(pair[1], create=False)
    wanted = set(human_codings(other)) | set(human_codings(open_db(target, create=False)))
    result = run(target, str(pair[1]))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"merged {pair[1]}: documents 3 matched, 1 added; codings 3 "
                               "added, 0 skipped; memos 3 added")
    assert lines[0].endswith("codes 1 added; conflicts 2")
    db = open_db(target, create=False)
    merged = human_codings(db)
    # mette's rejection of the civil suggestion stays out: it conflicts with her acceptance
    conflicting = [c for c in wanted if c[3] == "civil" and c[4] == "mette"
                   and c[5] == "rejected"]
    assert len(conflicting) == 1
    assert sorted(wanted - set(conflicting)) == merged
    assert {c[4] for c in merged} == {"mette", "anna"}
    by_code = {c[3]: c for c in merged if c[4] == "anna"}
    assert by_code["paragraf18"][6:] == ("Søger hvert år.", 1)
    assert by_code["netvaerk"][5] == "rejected"
    assert db.execute("SELECT coder, text FROM memos WHERE target_type = 'code'").fetchall() \
        == [("anna", "Kun § 18-midler.")]
    memo_target = db.execute("SELECT target FROM memos WHERE target_type = 'document' "
                             "AND coder = 'anna'").fetchone()[0]
    assert memo_target == str(segment_of(db, "§ 18-midler")[1])
    assert not db.execute("SELECT 1 FROM codings WHERE segment_id IS NULL").fetchone()
    event = db.execute("SELECT payload FROM events WHERE action = 'merge'").fetchone()[0]
    assert "Søger" not in event and json.loads(event)["conflicts"] == 2


def test_documents_are_matched_by_text_not_by_name_or_id(pair: tuple[Path, Path],
                                                          target: Path) -> None:
    db = open_db(target, create=False)
    before = db.execute("SELECT id, sha256 FROM documents ORDER BY id").fetchall()
    other = open_db(pair[1], create=False)
    assert dict(other.execute("SELECT sha256, id FROM documents")) != \
        dict((sha, i) for i, sha in before)  # the ids differ
    report = merge_project(db, pair[1])
    assert report.documents_matched == 3 and report.documents_to_add == 1
    after = db.execute("SELECT id, sha256 FROM documents ORDER BY id").fetchall()
    assert after[:3] == before and len(after) == 4


def test_added_document_has_the_same_segments_and_its_codings(pair: tuple[Path, Path],
                                                              target: Path) -> None:
    db = open_db(target, create=False)
    report = merge_project(db, pair[1])
    [added] = report.documents_added
    other = open_db(pair[1], create=False)
    other_id = segment_of(other, "Budgettet")[1]
    query = ('SELECT s.seq, s.start, s."end", s.text, s.lemmas, s.turn, sp.label, sp.role, '
             "c.name FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id "
             "LEFT JOIN cases c ON c.id = s.case_id WHERE s.document_id = ? ORDER BY s.seq")
    assert db.execute(query, [added]).fetchall() == other.execute(query, [other_id]).fetchall()
    assert db.execute("SELECT kind, text FROM documents WHERE id = ?", [added]).fetchone() == \
        other.execute("SELECT kind, text FROM documents WHERE id = ?", [other_id]).fetchone()
    assert db.execute("SELECT code_key, coder, status FROM codings WHERE document_id = ?",
                      [added]).fetchall() == [("oekonomi", "anna", "manual")]
    assert db.execute("SELECT name FROM codes WHERE key = 'oekonomi'").fetchone() == ("Økonomi",)
    hits = db.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'budgettet'")
    assert hits.fetchone()[0] == 1


def test_merging_twice_adds_nothing(pair: tuple[Path, Path], target: Path) -> None:
    db = open_db(target, create=False)
    merge_project(db, pair[1])
    before = tables(target)
    report = merge_project(db, pair[1])
    assert (report.documents_to_add, report.codings_to_add, report.memos_added,
            report.key_quotes_added, report.codes_added) == (0, 0, 0, 0, [])
    assert report.codings_skipped == 3 and report.documents_matched == 4
    after = tables(target)
    assert len(after.pop("events")) == len(before.pop("events")) + 1
    assert after == before


def test_conflicts_are_listed_and_the_target_keeps_its_own(pair: tuple[Path, Path],
                                                           target: Path) -> None:
    result = run(target, str(pair[1]), "--json")
    assert result.exit_code == 0, result.output
    conflicts = {c["kind"]: c["line"] for c in json.loads(result.output)["conflicts"]}
    assert conflicts["code"].startswith("code civil: 'Civilsamfund' at the top here, "
                                        "'Frivillige' at the top in ")
    assert "code civil, coder mette: accepted here, rejected in " in conflicts["decision"]
    db = open_db(target, create=False)
    assert db.execute("SELECT name FROM codes WHERE key = 'civil'").fetchone() == \
        ("Civilsamfund",)
    assert db.execute("SELECT status FROM codings WHERE code_key = 'civil' AND coder = "
                      "'mette'").fetchall() == [("accepted",)]
    text = run(target, str(pair[1])).output.splitlines()
    assert text[0].endswith("conflicts 2")
    assert sorted(text[1:]) == sorted(f"  conflict: {line}" for line in conflicts.values())


def test_a_memo_on_a_coding_both_have_is_carried_or_a_conflict(pair: tuple[Path, Path],
                                                                target: Path) -> None:
    db = open_db(target, create=False)
    merge_project(db, pair[1])
    coding = db.execute("SELECT id FROM codings WHERE code_key = 'paragraf18' AND "
                        "coder = 'anna'").fetchone()[0]
    save_memo(db, "coding", coding, "Min egen note.", "anna")
    set_key_quote(db, coding, False, "anna")
    report = merge_project(db, pair[1])
    assert report.key_quotes_added == 1 and report.memos_added == 0
    assert [c.kind for c in report.conflicts].count("memo") == 1
    assert db.execute("SELECT memo, key_quote FROM codings WHERE id = ?",
                      [coding]).fetchone() == ("Min egen note.", 1)


def test_a_failure_mid_merge_leaves_the_target_unchanged(
        pair: tuple[Path, Path], target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tables(target)

    def fail(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kvali.merge.run.log_event", fail)
    with pytest.raises(RuntimeError):
        merge_project(open_db(target, create=False), pair[1])
    assert tables(target) == before


def test_dry_run_writes_nothing(pair: tuple[Path, Path], target: Path) -> None:
    before = tables(target)
    other_before = tables(pair[1])
    result = run(target, str(pair[1]), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"would merge {pair[1]}: documents 3 matched, 1 added; "
                                    "codings 3 added, 0 skipped; memos 3 added")
    assert tables(target) == before
    assert tables(pair[1]) == other_before  # the other project is never written either


def test_qdpx_export_brings_the_same_codings(pair: tuple[Path, Path], target: Path,
                                            tmp_path: Path) -> None:
    archive = tmp_path / "anna.qdpx"
    export_qdpx(open_db(pair[1], create=False), archive)
    through_db = tmp_path / "via-db.db"
    shutil.copy(target, through_db)
    merge_project(open_db(through_db, create=False), pair[1])
    db = open_db(target, create=False)
    report = merge_project(db, archive)
    assert report.documents_matched == 3 and report.documents_to_add == 1

    def positive(path: Path) -> set[tuple]:
        return {c[:5] for c in human_codings(open_db(path, create=False)) if c[5] != "rejected"}

    assert positive(target) == positive(through_db)
    assert db.execute("SELECT memo FROM codings WHERE code_key = 'paragraf18' AND coder = "
                      "'anna'").fetchone() == ("Søger hvert år.",)
    assert merge_project(db, archive).codings_to_add == 0


def test_import_qdpx_and_merge_of_the_same_file_agree(pair: tuple[Path, Path], target: Path,
                                                      tmp_path: Path) -> None:
    """`kvali import-qdpx` and `kvali merge` of one .qdpx leave the documents the project had
    alike: a coding by hand settles the code's pending suggestions it overlaps, a rejection the
    one on its span, and the same coder deciding the other way is listed and skipped."""
    archive = tmp_path / "anna.qdpx"
    export_qdpx(open_db(pair[1], create=False), archive)
    imported = tmp_path / "imported.db"
    shutil.copy(target, imported)
    before = {row[0] for row in Database(target).execute("SELECT sha256 FROM documents")}
    merge_project(open_db(target, create=False), archive)
    report = import_qdpx(open_db(imported, create=False), archive)

    def codings(path: Path) -> set[tuple]:
        return {row for row in Database(path).execute(
            'SELECT d.sha256, c.start, c."end", c.code_key, c.coder, c.status FROM codings c '
            "JOIN documents d ON d.id = c.document_id") if row[0] in before}

    merged, through_import = codings(target), codings(imported)
    assert merged == through_import
    (sha, start, end, *_), = [row for row in merged if row[3:] == ("paragraf18", "anna", "manual")]
    assert not [row for row in merged if row[0] == sha and row[3] == "paragraf18"
                and row[5] == "suggested" and row[1] < end and row[2] > start]
    assert [line for line in report.skipped if "by mette" in line and "accepted here, "
            "rejected in the file" in line]


def test_bad_input_is_one_line(pair: tuple[Path, Path], target: Path, tmp_path: Path) -> None:
    missing = run(target, str(tmp_path / "nothing.db"))
    assert missing.exit_code == 1 and isinstance(missing.exception, InputError)
    assert str(missing.exception).endswith("nothing.db: no such file")
    text = tmp_path / "notes.txt"
    text.write_text("hej", encoding="utf-8")
    unknown = run(target, str(text))
    assert isinstance(unknown.exception, InputError) and "unknown format" in str(
        unknown.exception)
    foreign = tmp_path / "foreign.db"
    Database(foreign)["things"].insert({"a": 1})
    refused = run(target, str(foreign))
    assert isinstance(refused.exception, ProjectError)
    assert str(refused.exception) == (f"{foreign} is not a kvali project (it is another "
                                      "program's SQLite database); choose another project file")
    newer = tmp_path / "newer.db"
    shutil.copy(pair[1], newer)
    Database(newer)["_sqlite_migrations"].insert(
        {"migration_set": "kvali.core", "name": "m999_future", "applied_at": "2030"})
    before = newer.read_bytes()
    future = run(target, str(newer))
    assert isinstance(future.exception, ProjectError) and "newer kvali" in str(future.exception)
    assert str(newer) in str(future.exception) and "\n" not in str(future.exception)
    assert newer.read_bytes() == before


def test_an_empty_project_gets_every_document_with_the_same_segments(
        pair: tuple[Path, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    db = open_db(empty)
    report = merge_project(db, pair[1])
    assert report.documents_to_add == 4 and report.documents_matched == 0
    other = open_db(pair[1], create=False)
    query = ('SELECT d.sha256, d.kind, d.question, s.seq, s.start, s."end", s.lemmas, s.turn, '
             "sp.label, c.name, p.key, p.role FROM segments s JOIN documents d "
             "ON d.id = s.document_id LEFT JOIN speakers sp ON sp.id = s.speaker_id "
             "LEFT JOIN cases c ON c.id = s.case_id LEFT JOIN responses r "
             "ON r.id = s.response_id LEFT JOIN respondents p ON p.id = r.respondent_id")
    assert sorted(db.execute(query).fetchall()) == sorted(other.execute(query).fetchall())
    assert human_codings(db) == human_codings(other)
