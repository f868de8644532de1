"""Auto-coding: Danish inflection and compounds, phrases, patterns, fuzzy, vetoes, scope — and
re-tagging that never overrides a human decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kvali.codebook.edit import merge_codes, split_code, update_code
from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, decide
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.tagging.run import tag_project

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
