"""Importing: one transaction per file, duplicates skipped, failures isolated, cases resolved."""

from __future__ import annotations

import json
from pathlib import Path

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store.stats import project_status

TRANSCRIPT = """---
title: Gruppeinterview om sundhed
kind: interview
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Århus Kommune}
  IP2: {role: Myndighedsleder, kommune: Kbh.}
  IP3: {role: Tilbudsleder, kommune: Vestervig by}
---
I: Hvordan samarbejder I med praktiserende læger?
IP1: Vi holder bl.a. faste møder hver 3. måned. Det fungerer godt.
IP2: Hos os er det sværere. Vi har ca. 1.200 borgere i målgruppen, jf. § 85.
IP3: Enig.
"""

SURVEY = (
    "Kommune;Rolle;Hvordan inddrager I netværket?\n"
    "Kbh.;Socialchef;Vi holder netværksmøder, når borgeren ønsker det.\n"
    "Åbenrå;Konsulent;\n"
    "Høje Taastrup;Direktør;Pårørende inviteres med til opfølgningen.\n"
)


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def test_interview_import_keeps_speakers_roles_and_municipalities(fresh_db, tmp_path):
    report = import_paths(fresh_db, [_write(tmp_path, "a.md", TRANSCRIPT)], ReadOptions())
    assert [f.status for f in report.files] == ["imported"]
    rows = fresh_db.execute(
        "SELECT sp.label, sp.role, c.name, m.region FROM segments s "
        "JOIN speakers sp ON sp.id = s.speaker_id LEFT JOIN cases c ON c.id = s.case_id "
        "LEFT JOIN municipalities m ON m.code = c.municipality_code WHERE sp.label = 'IP2'"
    ).fetchall()
    assert rows and all(r == ("IP2", "Myndighedsleder", "København", "Region Hovedstaden")
                        for r in rows)
    aarhus = fresh_db.execute(
        "SELECT c.name FROM speakers sp JOIN cases c ON c.id = sp.case_id WHERE label = 'IP1'"
    ).fetchone()
    assert aarhus[0] == "Aarhus"


def test_segment_offsets_point_into_the_stored_text(fresh_db, tmp_path):
    import_paths(fresh_db, [_write(tmp_path, "a.md", TRANSCRIPT)], ReadOptions())
    text = fresh_db.execute("SELECT text FROM documents").fetchone()[0]
    segments = fresh_db.execute('SELECT start, "end", text FROM segments ORDER BY seq').fetchall()
    assert len(segments) >= 6
    for start, end, segment_text in segments:
        assert text[start:end] == segment_text
    assert any("bl.a." in s[2] and "3. måned" in s[2] for s in segments)


def test_unmatched_municipality_is_kept_as_written_and_reported(fresh_db, tmp_path):
    report = import_paths(fresh_db, [_write(tmp_path, "a.md", TRANSCRIPT)], ReadOptions())
    assert report.files[0].unmatched_municipalities == {"Vestervig by": 1}
    case = fresh_db.execute(
        "SELECT name, municipality_code FROM cases WHERE name = 'Vestervig by'").fetchone()
    assert case == ("Vestervig by", None)
    assert project_status(fresh_db)["unmatched_cases"] == ["Vestervig by"]


def test_reimporting_an_identical_file_adds_nothing(fresh_db, tmp_path):
    path = _write(tmp_path, "a.md", TRANSCRIPT)
    import_paths(fresh_db, [path], ReadOptions())
    before = project_status(fresh_db)
    copy = _write(tmp_path, "copy.md", TRANSCRIPT)
    report = import_paths(fresh_db, [copy], ReadOptions())
    assert report.files[0].status == "duplicate"
    assert "already imported" in report.files[0].warnings[0]
    assert project_status(fresh_db) == before


def test_a_failing_file_leaves_nothing_and_others_still_import(fresh_db, tmp_path):
    good = _write(tmp_path, "good.md", TRANSCRIPT)
    empty = _write(tmp_path, "empty.txt", "   \n")
    report = import_paths(fresh_db, [empty, good], ReadOptions())
    assert [f.status for f in report.files] == ["failed", "imported"]
    assert "empty.txt" in report.files[0].error
    assert fresh_db.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    assert fresh_db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_error_inside_storing_rolls_back_the_whole_file(fresh_db, tmp_path, monkeypatch):
    import kvali.importer as importer

    def broken(*args, **kwargs):
        raise importer.KvaliError("simulated failure while storing")

    monkeypatch.setattr(importer, "_store_document", broken)
    report = import_paths(fresh_db, [_write(tmp_path, "a.md", TRANSCRIPT)], ReadOptions())
    assert report.files[0].status == "failed"
    for table in ("imports", "documents", "segments", "speakers", "cases"):
        assert fresh_db[table].count == 0, table


def test_survey_answers_become_responses_with_their_respondent(fresh_db, tmp_path):
    path = _write(tmp_path, "svar.csv", SURVEY)
    options = ReadOptions(case_column="Kommune", text_columns=["Hvordan inddrager I netværket?"])
    report = import_paths(fresh_db, [path], options)
    assert report.files[0].status == "imported", report.files[0].error
    status = project_status(fresh_db)
    assert status["responses"] == 2
    assert status["municipalities"] == 2
    document_text = fresh_db.execute("SELECT text FROM documents").fetchone()[0]
    for start, end, case in fresh_db.execute(
            'SELECT r.start, r."end", c.name FROM responses r JOIN respondents p '
            "ON p.id = r.respondent_id JOIN cases c ON c.id = p.case_id"):
        assert case in {"København", "Høje-Taastrup"}
        assert document_text[start:end].strip()
    role = fresh_db.execute("SELECT value FROM respondent_attributes WHERE key = 'Rolle' "
                            "ORDER BY value").fetchall()
    assert [r[0] for r in role] == ["Direktør", "Konsulent", "Socialchef"]


def test_case_and_attribute_options_apply_to_every_document(fresh_db, tmp_path):
    path = _write(tmp_path, "notat.txt", "Et kort notat om økonomi.\n\nEndnu et afsnit.")
    import_paths(fresh_db, [path], ReadOptions(case="Aalborg", attributes={"år": "2024"}))
    row = fresh_db.execute("SELECT c.name, a.value FROM documents d JOIN cases c ON "
                           "c.id = d.case_id JOIN document_attributes a ON a.document_id = d.id "
                           "WHERE a.key = 'år'").fetchone()
    assert row == ("Aalborg", "2024")


def test_summary_is_recorded_with_the_import(fresh_db, tmp_path):
    import_paths(fresh_db, [_write(tmp_path, "a.md", TRANSCRIPT)], ReadOptions())
    summary = json.loads(fresh_db.execute("SELECT summary FROM imports").fetchone()[0])
    assert summary["documents"] == 1 and summary["segments"] > 0
