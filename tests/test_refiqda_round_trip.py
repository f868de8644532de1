"""kvali → QDPX → kvali keeps everything kvali has, field by field; the kvali part travels in
`kvali/project.json`, which leaves the standard part valid and readable by other tools."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from sqlite_utils import Database
from test_export_project import build_export_project, code_phrase

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import decide
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.merge.run import merge_project
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.extras import MEMBER
from kvali.refiqda.load import import_qdpx
from kvali.store import open_db
from kvali.tagging.run import tag_project

NS = {"q": "urn:QDA-XML:project:1.0"}

RULED_CODEBOOK = """\
name: Rundtur
version: "2026.3"
codes:
  - key: netvaerk
    name: Borgerens nære netværk
    description: Familie, venner og andre tæt på borgeren.
    inclusion: Når netværket inddrages i sagen.
    exclusion: Professionelle netværk.
    example: Vi holder netværksmøder.
    color: "#2E7D32"
    rules:
      keywords: [netværk, pårørende]
      phrases: [nære netværk]
    children:
      - key: netvaerk.moeder
        name: Netværksmøder og rådslagning
        color: "#66BB6A"
        rules:
          keywords: [netværksmøde, familierådslagning]
      - key: netvaerk.overgange
        name: Netværket i overgange
        color: "#1B5E20"
  - key: civil
    name: Samarbejde med civilsamfundet
    description: Frivillige og foreninger.
    color: "#6A1B9A"
    rules:
      keywords: [frivillig, forening]
"""


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export test project with a ruled codebook, fresh suggestions, one accepted and one
    rejected by a coder."""
    folder = tmp_path_factory.mktemp("round")
    path = build_export_project(folder)
    db = open_db(path, create=False)
    emoji = folder / "files" / "emoji.md"
    emoji.write_text("I: Hvordan går det? 😀\n\nIP1 (Viborg): Det går 👍🏽 godt med de frivillige "
                     "i foreningen.\n", encoding="utf-8")
    assert not import_paths(db, [emoji], ReadOptions(kind="interview")).failed
    code_phrase(db, "emoji", "godt med de frivillige", "civil", "mette")
    codebook, problems = parse_codebook(RULED_CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems, problems
    sync_codebook(db, codebook)
    tag_project(db)
    pending = [row[0] for row in db.execute(
        "SELECT id FROM codings WHERE status = 'suggested' AND origin = 'auto' ORDER BY id")]
    assert len(pending) >= 4, "the ruled codebook should suggest several codings"
    decide(db, [pending[0]], "accepted", "jonas")
    decide(db, [pending[1]], "rejected", "jonas")
    db.close()
    return path


@pytest.fixture(scope="module", params=["standard", "utf16-split"])
def archive(request: pytest.FixtureRequest, original: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard export, and the one for NVivo-like readers (UTF-16 positions, one coding
    per selection): both come back whole."""
    target = tmp_path_factory.mktemp("qdpx") / "rundtur.qdpx"
    nvivo = request.param == "utf16-split"
    export_qdpx(open_db(original, create=False), target,
                positions="utf16" if nvivo else "chars", one_coding_per_selection=nvivo)
    return target


@pytest.fixture(scope="module")
def imported(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = open_db(tmp_path_factory.mktemp("after") / "after.db")
    report = import_qdpx(db, archive)
    assert report.skipped == [] and report.missing == []
    return db


def _documents(db: Database) -> set[tuple]:
    attributes = {}
    for document_id, key, value in db.execute(
            "SELECT document_id, key, value FROM document_attributes WHERE key != 'refi_guid'"):
        attributes.setdefault(document_id, []).append((key, value))
    return {(row[1], row[2], row[3], row[4], row[5], row[6],
             tuple(sorted(attributes.get(row[0], []))))
            for row in db.execute(
                "SELECT d.id, d.sha256, d.name, d.kind, d.question, d.question_text, c.name "
                "FROM documents d LEFT JOIN cases c ON c.id = d.case_id")}


FIELDS = {
    "speakers": "SELECT d.sha256, s.label, s.name, s.role, c.name, s.is_interviewer "
                "FROM speakers s JOIN documents d ON d.id = s.document_id "
                "LEFT JOIN cases c ON c.id = s.case_id",
    "segments": 'SELECT d.sha256, s.seq, s.start, s."end", s.text, s.lemmas, sp.label, '
                "p.key, c.name, s.turn, s.time, s.page FROM segments s "
                "JOIN documents d ON d.id = s.document_id "
                "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
                "LEFT JOIN responses r ON r.id = s.response_id "
                "LEFT JOIN respondents p ON p.id = r.respondent_id "
                "LEFT JOIN cases c ON c.id = s.case_id",
    "respondents": "SELECT p.key, c.name, p.role FROM respondents p "
                   "LEFT JOIN cases c ON c.id = p.case_id",
    "respondent answers": "SELECT p.key, a.key, a.value FROM respondent_attributes a "
                          "JOIN respondents p ON p.id = a.respondent_id",
    "responses": 'SELECT d.sha256, p.key, r.start, r."end" FROM responses r '
                 "JOIN documents d ON d.id = r.document_id "
                 "JOIN respondents p ON p.id = r.respondent_id",
    "codes": "SELECT key, name, description, inclusion, exclusion, example, color, parent_key, "
             "position, rules, rules_hash, active FROM codes",
    "codings": 'SELECT d.sha256, k.start, k."end", k.code_key, k.coder, k.origin, k.status, '
               "k.rule, k.score, k.matched, k.rules_hash, k.codebook_version, k.provenance, "
               "k.key_quote, k.memo, k.created_at FROM codings k "
               "JOIN documents d ON d.id = k.document_id",
    "memos": "SELECT m.target_type, coalesce(d.sha256, m.target), m.coder, m.text FROM memos m "
             "LEFT JOIN documents d ON m.target_type = 'document' AND d.id = m.target "
             "WHERE m.target_type != 'coding'",
    "cases": "SELECT name, municipality_code FROM cases",
    "codebook version": "SELECT value FROM settings WHERE key = 'codebook_version'",
}


@pytest.mark.parametrize("name", list(FIELDS))
def test_every_field_comes_back_equal(name: str, original: Path, imported: Database) -> None:
    before = open_db(original, create=False)
    expected = Counter(tuple(row) for row in before.execute(FIELDS[name]))
    assert expected, f"the test project has no {name}"
    assert Counter(tuple(row) for row in imported.execute(FIELDS[name])) == expected


def test_documents_come_back_equal(original: Path, imported: Database) -> None:
    assert _documents(imported) == _documents(open_db(original, create=False))


def test_the_project_covers_every_status_and_structure(original: Path) -> None:
    db = open_db(original, create=False)
    statuses = {row[0] for row in db.execute("SELECT DISTINCT status FROM codings")}
    assert statuses == {"manual", "accepted", "rejected", "suggested"}
    assert db.execute("SELECT count(*) FROM codings WHERE key_quote = 1").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM speakers WHERE role IS NOT NULL").fetchone()[0]
    assert db.execute("SELECT count(*) FROM speakers WHERE case_id IS NOT NULL").fetchone()[0]
    assert db.execute("SELECT count(*) FROM respondent_attributes").fetchone()[0]
    assert db.execute("SELECT count(*) FROM documents WHERE question_text IS NOT NULL"
                      ).fetchone()[0]
    assert db.execute("SELECT count(*) FROM codes WHERE json_array_length(rules, '$.keywords')"
                      ).fetchone()[0] == 3


def test_standard_part_still_validates_and_holds_people_as_cases(archive: Path,
                                                                   shared: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared / "data/refi-qda/Project.xsd")))
    with zipfile.ZipFile(archive) as opened:
        root = etree.fromstring(opened.read("project.qde"))
        extras = json.loads(opened.read(MEMBER))
    assert schema.validate(root), schema.error_log
    statuses = Counter(facts["status"] for facts in extras["codings"].values())
    assert set(statuses) == {"manual", "accepted"}  # the Coding elements: human codings only
    assert {c["facts"]["status"] for c in extras["extra_codings"]} == {"suggested", "rejected"}
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    cases = {c.get("name"): c for c in root.iterfind(".//q:Case", NS)}
    respondent = next(c for name, c in cases.items() if name.startswith("Respondent"))
    answered = {variables[v.find("q:VariableRef", NS).get("targetGUID")]
                for v in respondent.iterfind("q:VariableValue", NS)}
    assert "Rolle" in answered or "role" in answered
    assert respondent.findall("q:SelectionRef", NS)  # the respondent's answers
    speaker = next(c for c in cases.values() if c.get("guid") in extras["person_cases"]
                   and not c.get("name").startswith("Respondent"))
    assert speaker.findall("q:SelectionRef", NS)  # the speaker's turns


def test_another_tool_without_the_kvali_member_reads_codings_as_manual(
        archive: Path, tmp_path: Path) -> None:
    """Drop kvali/project.json (as another tool's re-export would): the standard part alone
    still imports, human codings as manual, no suggestions."""
    plain = tmp_path / "plain.qdpx"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(plain, "w") as target:
        for info in source.infolist():
            if info.filename != MEMBER:
                target.writestr(info, source.read(info))
    db = open_db(tmp_path / "plain.db")
    report = import_qdpx(db, plain)
    assert report.documents == 5
    assert {row[0] for row in db.execute("SELECT DISTINCT status FROM codings")} == {"manual"}


def test_a_damaged_kvali_member_is_ignored_with_a_note(archive: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.qdpx"
    shutil.copy(archive, damaged)
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, b'{"format": "kvali-qdpx-extras", "version": 1, "sources": 5}'
                            if info.filename == MEMBER else data)
    db = open_db(tmp_path / "damaged.db")
    report = import_qdpx(db, damaged)
    assert any("kvali/project.json is damaged" in line for line in report.skipped)
    assert report.documents == 5


def test_a_changed_text_falls_back_to_the_standard_reading(archive: Path,
                                                           tmp_path: Path) -> None:
    """When a source's text is not the text the kvali member describes, its structure and
    extra codings are not used for it (the positions would be wrong)."""
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(edited, "w") as target:
        first = True
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("sources/") and first:
                data = b"Indledning. " + data
                first = False
            target.writestr(info, data)
    db = open_db(tmp_path / "edited.db")
    report = import_qdpx(db, edited)
    assert report.documents == 5
    for text, start, end in db.execute(
            'SELECT d.text, c.start, c."end" FROM codings c JOIN documents d '
            "ON d.id = c.document_id"):
        assert 0 <= start < end <= len(text)


def test_merge_of_the_archive_keeps_structure_and_decisions(archive: Path, original: Path,
                                                            tmp_path: Path) -> None:
    """`kvali merge FILE.qdpx` reads the same kvali member: segments, speakers and answers as
    exported, and the human decisions (manual, accepted, rejected) with their provenance."""
    db = open_db(tmp_path / "merged.db")
    merge_project(db, archive)
    before = open_db(original, create=False)
    for name in ("segments", "speakers", "respondents", "respondent answers", "responses"):
        assert Counter(map(tuple, db.execute(FIELDS[name]))) == \
            Counter(map(tuple, before.execute(FIELDS[name]))), name
    decided = FIELDS["codings"] + " WHERE k.status != 'suggested'"
    assert Counter(map(tuple, db.execute(decided))) == Counter(map(tuple, before.execute(decided)))
