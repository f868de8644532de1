"""Auto-coding: Danish inflection and compounds, phrases, patterns, fuzzy, vetoes, scope — and
re-tagging that never overrides a human decision."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlite_utils import Database

import kvali.tagging.run as run_module
from kvali.codebook.edit import merge_codes, split_code, update_code
from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, decide
from kvali.errors import UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.selection import Selection
from kvali.store.db import configure
from kvali.store.schema_coding import coding
from kvali.store.schema_core import core
from kvali.store.schema_search import search
from kvali.tagging.run import tag_project
from kvali.views.suggestions import count_suggestions

TRANSCRIPT = """---
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aarhus}
  IP2: {role: Sundhedsplejerske, kommune: Odense}
---
I: Hvordan inddrager I netværket?
IP1: Vi holder netværksmøder med de pårørende.
IP2: Civilsamfundsaktørerne er vigtige for os.
IP1: Vi søger § 18-midler hvert år.
IP2: Det nære netværk betyder alt. Nært netværk er noget andet end Facebook.
IP1: Vi har brug for et bedre netværg i kommunen.
IP2: Netværket på sociale medier fylder meget.
IP1: De frivillige foreninger hjælper.
"""

CODEBOOK = """\
name: Test
version: "1"
codes:
  - key: netvaerk
    name: Netværk
    color: "#2E7D32"
    rules:
      keywords: [netværk]
      fuzzy: 85
      exclude: [sociale medier]
  - key: naere
    name: Det nære netværk
    rules:
      phrases: [nære netværk]
  - key: civil
    name: Civilsamfund
    rules:
      keywords: [civilsamfund, forening]
  - key: paragraf18
    name: Paragraf 18
    rules:
      patterns: ['§\\s*18\\b']
  - key: raad
    name: Råd
    rules:
      keywords: [{word: frivillig, compound: false}]
      scope: {roles: [Socialchef]}
"""


@pytest.fixture
def project(fresh_db, tmp_path: Path):
    (tmp_path / "i.md").write_text(TRANSCRIPT, encoding="utf-8")
    import_paths(fresh_db, [tmp_path / "i.md"], ReadOptions())
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    sync_codebook(fresh_db, load_codebook(tmp_path / "codebook.yaml"))
    return fresh_db, tmp_path / "codebook.yaml"


def _suggested(db, code: str, status: str = "suggested") -> dict[str, dict]:
    rows = db.execute(
        "SELECT s.text, c.rule, c.matched, c.score FROM codings c JOIN segments s "
        "ON s.id = c.segment_id WHERE c.code_key = ? AND c.status = ?", [code, status])
    return {text: {"rule": rule, "matched": json.loads(matched), "score": score}
            for text, rule, matched, score in rows}


def _doc_text(db) -> str:
    return db.execute("SELECT text FROM documents").fetchone()[0]


def test_keywords_match_inflections_and_compounds_with_offsets(project):
    db, _ = project
    tag_project(db)
    hits = _suggested(db, "netvaerk")
    assert "Hvordan inddrager I netværket?" not in hits, "the interviewer is not coded"
    assert "Netværket på sociale medier fylder meget." not in hits, "vetoed"
    assert hits["Vi holder netværksmøder med de pårørende."]["rule"] == "compound:netværk"
    text = _doc_text(db)
    for found in hits.values():
        assert all("netv" in text[s:e].lower() for s, e in found["matched"])
    assert "Civilsamfundsaktørerne er vigtige for os." in _suggested(db, "civil")


def test_phrases_patterns_fuzzy_vetoes_and_scope(project):
    db, _ = project
    tag_project(db)
    naere = _suggested(db, "naere")
    assert "Det nære netværk betyder alt." in naere
    assert "Nært netværk er noget andet end Facebook." in naere
    assert "Vi søger § 18-midler hvert år." in _suggested(db, "paragraf18")
    fuzzy = _suggested(db, "netvaerk")["Vi har brug for et bedre netværg i kommunen."]
    assert fuzzy["rule"] == "fuzzy:netværk" and fuzzy["score"] < 0.9
    assert "Netværket på sociale medier fylder meget." not in _suggested(db, "netvaerk")
    assert list(_suggested(db, "raad")) == ["De frivillige foreninger hjælper."]


def test_retagging_never_changes_human_decisions(project):
    db, path = project
    tag_project(db)
    ids = dict(db.execute("SELECT s.text, c.id FROM codings c JOIN segments s ON "
                          "s.id = c.segment_id WHERE c.code_key = 'netvaerk'").fetchall())
    decide(db, [ids["Det nære netværk betyder alt."]], "accepted", "mette")
    decide(db, [ids["Vi holder netværksmøder med de pårørende."]], "rejected", "mette")
    segment = db.execute("SELECT id FROM segments WHERE text LIKE 'De frivillige%'").fetchone()[0]
    add_manual_coding(db, segment, "netvaerk", "mette")
    before = db.execute("SELECT id, status, coder FROM codings WHERE status != 'suggested' "
                        "ORDER BY id").fetchall()
    report = tag_project(db, force=True)
    assert report.added.get("netvaerk", 0) == 0
    after = db.execute("SELECT id, status, coder FROM codings WHERE status != 'suggested' "
                       "ORDER BY id").fetchall()
    assert after == before
    rejected = "Vi holder netværksmøder med de pårørende."
    assert rejected not in _suggested(db, "netvaerk")
    update_code(path, db, "netvaerk", {"keywords": ["netværk", "pårørende"]}, "mette")
    tag_project(db)
    assert rejected in _suggested(db, "netvaerk"), "a changed rule may suggest it again"
    assert rejected in _suggested(db, "netvaerk", "rejected"), "the old decision stays"


def test_only_codes_whose_rules_changed_are_retagged(project):
    db, path = project
    first = tag_project(db)
    assert sorted(first.codes) == ["civil", "naere", "netvaerk", "paragraf18", "raad"]
    assert tag_project(db).codes == []
    update_code(path, db, "civil", {"name": "Civilsamfundet"}, "mette")
    assert tag_project(db).codes == [], "a new name is not a new rule"
    update_code(path, db, "civil", {"keywords": ["civilsamfund"]}, "mette")
    report = tag_project(db)
    assert report.codes == ["civil"] and report.removed == {"civil": 1}


def test_merge_moves_codings_and_split_moves_chosen_codings(project):
    db, path = project
    tag_project(db)
    segment = db.execute("SELECT id FROM segments WHERE text LIKE 'De frivillige%'").fetchone()[0]
    add_manual_coding(db, segment, "naere", "mette")
    moved = merge_codes(db, path, "naere", "netvaerk", "mette")
    assert moved == 1, "suggestions identical to ones already on the target are not doubled"
    assert db.execute("SELECT code_key FROM codings WHERE segment_id = ? AND origin = 'manual'",
                      [segment]).fetchone()[0] == "netvaerk"
    assert db.execute("SELECT count(*) FROM codes WHERE key = 'naere'").fetchone()[0] == 0
    assert "nære netværk" in path.read_text(encoding="utf-8")
    chosen = db.execute("SELECT id FROM codings WHERE code_key = 'netvaerk' LIMIT 2").fetchall()
    split_code(db, path, "netvaerk", "netvaerk.online", "Netværk online",
               [row[0] for row in chosen], "mette")
    assert db.execute("SELECT count(*) FROM codings WHERE code_key = 'netvaerk.online'"
                      ).fetchone()[0] == 2
    assert load_codebook(path).by_key()["netvaerk.online"].name == "Netværk online"


SECOND = """---
speakers:
  IP1: {role: Socialchef, kommune: Vejle}
---
IP1: Netværket omkring familien er stærkt.
IP1: Vi samarbejder med en forening.
"""


def _pairs(db) -> list[tuple[int, str]]:
    return db.execute("SELECT segment_id, code_key FROM codings WHERE status = 'suggested' "
                      "ORDER BY segment_id, code_key").fetchall()


def test_a_new_document_is_tagged_and_the_tagged_ones_are_left_alone(project):
    db, path = project
    first = tag_project(db)
    assert (first.documents, first.new_documents) == (1, 1)
    before = db.execute("SELECT * FROM codings ORDER BY id").fetchall()
    (path.parent / "j.md").write_text(SECOND, encoding="utf-8")
    import_paths(db, [path.parent / "j.md"], ReadOptions())
    report = tag_project(db)
    assert (report.documents, report.new_documents) == (1, 1)
    assert report.added == {"netvaerk": 1, "civil": 1} and not report.removed
    assert report.segments == 2
    second = db.execute("SELECT id FROM documents WHERE name = 'j'").fetchone()[0]
    assert db.execute("SELECT count(*) FROM codings WHERE document_id = ?",
                      [second]).fetchone()[0] == 2
    assert db.execute(f"SELECT * FROM codings WHERE id <= {before[-1][0]} ORDER BY id"
                      ).fetchall() == before, "the first document's codings are untouched"
    again = tag_project(db)
    assert again.codes == [] and again.documents == 0


def test_tagging_without_a_codebook_says_how_to_load_one(fresh_db, tmp_path):
    (tmp_path / "i.md").write_text(TRANSCRIPT, encoding="utf-8")
    import_paths(fresh_db, [tmp_path / "i.md"], ReadOptions())
    with pytest.raises(UsageError, match=r"no codebook is loaded; load one with "
                                         r"`kvali codebook load codebook.yaml`"):
        tag_project(fresh_db)


def test_each_batch_commits_on_its_own_and_a_stopped_run_resumes(project, monkeypatch):
    db, _ = project
    calls = []
    store = run_module._store

    def failing_store(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("stopped")
        store(*args, **kwargs)

    monkeypatch.setattr(run_module, "_store", failing_store)
    with pytest.raises(RuntimeError):
        tag_project(db, batch_size=3)
    committed = _pairs(db)
    assert committed, "the first batch's suggestions are committed"
    assert db.execute("SELECT count(*) FROM tagged_documents").fetchone()[0] == 0
    monkeypatch.setattr(run_module, "_store", store)
    resumed = tag_project(db, batch_size=3)
    assert resumed.new_documents == 1 and sum(resumed.kept.values()) == len(committed)
    pairs = _pairs(db)
    assert len(pairs) == len(set(pairs)), "no duplicates"
    assert set(committed) < set(pairs)
    report = tag_project(db, force=True)
    assert not report.added and not report.removed, "the resumed run finished the work"


SURVEY = [
    ["Respondent", "Kommune", "Respondentens rolle", "Hvad virker?"],
    ["1", "Aarhus", "Socialchef", "Netværksmøder med de frivillige virker godt."],
    ["2", "Odense", "Konsulent", "De frivillige gør en forskel."],
    ["3", "Vejle", "socialchef", "Frivillige og pårørende."],
]


def test_a_role_scope_applies_to_survey_respondents(fresh_db, tmp_path):
    with (tmp_path / "s.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(SURVEY)
    import_paths(fresh_db, [tmp_path / "s.csv"], ReadOptions())
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    sync_codebook(fresh_db, load_codebook(tmp_path / "codebook.yaml"))
    tag_project(fresh_db)
    assert sorted(_suggested(fresh_db, "raad")) == [
        "Frivillige og pårørende.", "Netværksmøder med de frivillige virker godt."]


def test_coding_by_hand_takes_the_identical_suggestion_out_of_the_queue(project):
    db, _ = project
    tag_project(db)
    queued = count_suggestions(db, Selection())
    first, second = db.execute(
        'SELECT id, start, "end" FROM segments WHERE text LIKE \'Det nære%\' '
        "OR text LIKE 'Nært netværk%' ORDER BY seq").fetchall()
    pending = db.execute("SELECT count(*) FROM codings WHERE code_key = 'netvaerk' AND "
                         "segment_id IN (?, ?)", [first[0], second[0]]).fetchone()[0]
    assert pending == 2
    # a span from the end of one sentence into the next: both segments are coded
    coding = add_manual_coding(db, first[0], "netvaerk", "mette",
                               span=(first[2] - 8, second[1] + 4))
    assert count_suggestions(db, Selection()) == queued - 2
    payload = json.loads(db.execute("SELECT payload FROM events WHERE action = 'code'"
                                    ).fetchone()[0])
    assert payload["coding"] == coding and len(payload["superseded"]) == 2
    for report in (tag_project(db, force=True), tag_project(db, ["netvaerk"])):
        assert not report.added.get("netvaerk")
    assert count_suggestions(db, Selection()) == queued - 2
    counted = db.execute("SELECT segment_id, count(*) FROM codings WHERE code_key = 'netvaerk' "
                         "AND status != 'rejected' GROUP BY segment_id HAVING count(*) > 1")
    assert counted.fetchall() == [], "the code counts once per segment"


def test_stored_lemmas_are_used_so_ved_is_vide(fresh_db, tmp_path):
    (tmp_path / "v.md").write_text("IP1: Jeg ved ikke, hvad vi gør.\nIP1: Vi mødes ved søen.\n",
                                   encoding="utf-8")
    import_paths(fresh_db, [tmp_path / "v.md"], ReadOptions())
    (tmp_path / "codebook.yaml").write_text(
        "codes:\n  - key: viden\n    name: Viden\n    rules: {keywords: [vide]}\n",
        encoding="utf-8")
    sync_codebook(fresh_db, load_codebook(tmp_path / "codebook.yaml"))
    report = tag_project(fresh_db)
    assert list(_suggested(fresh_db, "viden")) == ["Jeg ved ikke, hvad vi gør."]
    assert report.unaligned == 0


def test_a_forgotten_code_runs_again_everywhere(project):
    db, _ = project
    tag_project(db)
    db.execute("DELETE FROM tagged_codes WHERE code_key = 'civil'")  # as a merge does
    assert tag_project(db).codes == ["civil"]


def test_upgrade_counts_documents_imported_before_the_last_tag_as_tagged(tmp_path):
    db = Database(memory=True)
    configure(db)
    core.apply(db)
    coding.apply(db, stop_before="m005_tagged_documents")
    search.apply(db)
    for name, text in (("a", TRANSCRIPT), ("b", SECOND)):
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
        import_paths(db, [tmp_path / f"{name}.md"], ReadOptions())
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    sync_codebook(db, load_codebook(tmp_path / "codebook.yaml"))
    db.execute("UPDATE imports SET imported_at = CASE WHEN path LIKE '%a.md' "
               "THEN '2026-01-01T10:00:00+00:00' ELSE '2026-01-03T10:00:00+00:00' END")
    db.execute("INSERT INTO tagged_codes SELECT key, rules_hash, '2026-01-02T10:00:00+00:00' "
               "FROM codes")
    coding.apply(db)
    report = tag_project(db)
    assert (report.documents, report.new_documents) == (1, 1)
    assert db.execute("SELECT DISTINCT d.name FROM codings c JOIN documents d "
                      "ON d.id = c.document_id").fetchall() == [("b",)]
