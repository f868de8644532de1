"""Agreement between coders in a project: units, documents compared, the JSON report, the
disagreements, settling one as the consensus coding, and the `kvali agreement` command (through
its click object; the lead engineer registers it)."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from sqlite_utils import Database
from test_ui_support import build_project

from kvali.agreement.consensus import CONSENSUS_CODER, settle
from kvali.agreement.material import consensus_decisions
from kvali.agreement.measures import Continuum, unitizing
from kvali.agreement.report import agreement_report
from kvali.cli.agreement import agreement
from kvali.coding.store import add_manual_coding
from kvali.errors import UsageError
from kvali.selection import Selection
from kvali.store import open_db

CODINGS = [  # (coder, segment, code, span); document 1's segments are 1–5, document 2's 6–9
    ("mette", 2, "netvaerk", (39, 91)), ("jens", 2, "netvaerk", (39, 60)),
    ("mette", 5, "netvaerk", (198, 240)), ("jens", 5, "netvaerk", (198, 240)),
    ("mette", 3, "civil", (97, 139)), ("jens", 4, "civil", (145, 192)),
    ("mette", 9, "civil", None),
]


def coded(path: Path) -> Path:
    db = open_db(path)
    for coder, segment, code, span in CODINGS:
        add_manual_coding(db, segment, code, coder, span=span)
    db.close()
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return coded(build_project(tmp_path))


@pytest.fixture
def db(project: Path) -> Database:
    return open_db(project)


def report(db: Database, *coders: str, **options) -> dict:
    selection = options.pop("selection", Selection())
    return agreement_report(db, coders or ("mette", "jens"), selection, **options).to_dict()


def by_code(data: dict) -> dict[str, dict]:
    return {row["code"]: row for row in data["codes"]}


def test_segment_units_match_scikit_learn_and_krippendorff(db: Database) -> None:
    data = report(db)
    assert data["coders"] == ["mette", "jens"] and data["unit"] == "segment"
    assert (data["documents"], data["document_ids"]) == (1, [1])
    assert data["left_out_document_ids"] == [2, 3]
    vectors = {"netvaerk": ([0, 1, 0, 0, 1], [0, 1, 0, 0, 1]),
               "civil": ([0, 0, 1, 0, 0], [0, 0, 0, 1, 0])}
    codes = by_code(data)
    assert list(codes) == ["netvaerk", "civil"]
    for code, (mette, jens) in vectors.items():
        row = codes[code]
        assert row["units"] == 5 and row["fleiss"] is None
        assert row["percent"] == pytest.approx(100 * np.mean(np.equal(mette, jens)))
        if code == "civil":
            assert row["kappa"] == pytest.approx(cohen_kappa_score(mette, jens), abs=1e-12)
            assert row["alpha"] == pytest.approx(krippendorff.alpha(
                np.array([mette, jens]), level_of_measurement="nominal"), abs=1e-12)
    assert codes["netvaerk"]["kappa"] == codes["netvaerk"]["alpha"] == 1.0
    both = [sum((v[i] for v in vectors.values()), []) for i in (0, 1)]
    assert data["overall"]["units"] == 5
    assert data["overall"]["kappa"] == pytest.approx(cohen_kappa_score(*both), abs=1e-12)
    assert data["overall"]["alpha"] == pytest.approx(krippendorff.alpha(
        np.array(both), level_of_measurement="nominal"), abs=1e-12)
    assert data["disagreements"] == [
        {"document": 1, "start": 97, "end": 139, "code": "civil",
         "coders": {"mette": True, "jens": False}},
        {"document": 1, "start": 145, "end": 192, "code": "civil",
         "coders": {"mette": False, "jens": True}}]


def test_char_units_and_alpha_u_over_the_segments_text(db: Database) -> None:
    data = report(db, unit="char")
    netvaerk = by_code(data)["netvaerk"]
    length = 30 + 52 + 42 + 47 + 42  # document 1's five segments, without labels
    assert netvaerk["units"] == length == data["overall"]["units"]
    assert netvaerk["percent"] == pytest.approx(100 * (length - 31) / length)
    sections = (((30, 82), (171, 213)), ((30, 51), (171, 213)))
    expected = unitizing([Continuum(length, sections)]).alpha
    assert netvaerk["alpha_u"] == pytest.approx(expected, abs=1e-12)
    assert report(db)["codes"][0]["alpha_u"] == netvaerk["alpha_u"]  # αu is always on characters
    assert [(d["code"], d["start"], d["end"]) for d in data["disagreements"]] == [
        ("netvaerk", 60, 91), ("civil", 97, 139), ("civil", 145, 192)]
    mette = np.zeros(length)
    jens = np.zeros(length)
    mette[30:82] = mette[171:213] = jens[30:51] = jens[171:213] = 1
    assert netvaerk["kappa"] == pytest.approx(cohen_kappa_score(mette, jens), abs=1e-12)


def test_done_documents_count_and_all_documents_leaves_unseen_values_missing(
        db: Database) -> None:
    db.execute("INSERT INTO coder_documents (coder, document_id, done_at) "
               "VALUES ('jens', 2, '2024-05-01')")
    db.conn.commit()
    data = report(db)
    assert data["document_ids"] == [1, 2] and data["left_out_document_ids"] == [3]
    assert by_code(data)["civil"]["units"] == 9
    db.execute("DELETE FROM coder_documents")
    db.conn.commit()
    every = report(db, all_documents=True)
    assert every["document_ids"] == [1, 2, 3] and every["left_out_document_ids"] == []
    assert by_code(every)["civil"]["units"] == 5  # jens never saw document 2, nobody saw 3
    assert by_code(every)["civil"]["kappa"] == by_code(report(db))["civil"]["kappa"]


def test_three_coders_get_fleiss_and_no_cohen(db: Database) -> None:
    add_manual_coding(db, 2, "netvaerk", "anna")
    add_manual_coding(db, 3, "civil", "anna")
    data = report(db, "mette", "jens", "anna")
    overall = data["overall"]
    assert overall["kappa"] is None and overall["fleiss"] is not None
    civil = by_code(data)["civil"]
    matrix = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 1, 0, 0]])
    assert civil["alpha"] == pytest.approx(
        krippendorff.alpha(matrix, level_of_measurement="nominal"), abs=1e-12)
    assert data["disagreements"][0]["coders"] == {"mette": True, "jens": False, "anna": True}


def test_selection_limits_segments_and_codes(db: Database) -> None:
    data = report(db, selection=Selection(kommune=("Aarhus",)))  # IP1's turns: segments 2, 4
    assert {row["code"]: row["units"] for row in data["codes"]} == {"netvaerk": 2, "civil": 2}
    only = report(db, selection=Selection(code=("civil",)))
    assert [row["code"] for row in only["codes"]] == ["civil"]
    with pytest.raises(UsageError):
        report(db, "mette", "mette")
    with pytest.raises(UsageError):
        report(db, "mette", "nobody")


def test_settle_keeps_one_version_as_consensus(db: Database) -> None:
    [coding] = settle(db, 1, 97, 139, "civil", "mette", "lead", compared=("mette", "jens"))
    row = db.execute('SELECT coder, start, "end", status, provenance FROM codings WHERE id = ?',
                     [coding]).fetchone()
    assert row[:4] == (CONSENSUS_CODER, 97, 139, "manual")
    assert json.loads(row[4])["consensus_of"] == ["jens", "mette"]
    actor, payload = db.execute("SELECT actor, payload FROM events WHERE action = 'consensus'"
                                ).fetchone()
    assert actor == "lead" and "frivillige" not in payload
    assert json.loads(payload)["codings"] == [coding]
    assert settle(db, 1, 97, 139, "civil", "jens", "lead", compared=("mette", "jens")) == []
    assert not db.execute("SELECT 1 FROM codings WHERE coder = ?", [CONSENSUS_CODER]).fetchone()
    assert consensus_decisions(db) == {(1, 97, 139, "civil"): "jens"}


def run(project: Path, *args: str):
    return CliRunner().invoke(agreement, list(args), obj={"db_path": str(project)})


def test_command_json_text_and_settle(project: Path) -> None:
    result = run(project, "--coders", "mette", "jens", "--unit", "char", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"coders", "unit", "documents", "overall", "codes", "disagreements"}
    assert set(data["overall"]) == {"units", "percent", "kappa", "fleiss", "alpha", "alpha_u"}
    assert data["unit"] == "char" and data["codes"][0]["code"] == "netvaerk"
    text = run(project, "--coders", "mette", "--coders", "jens", "--codes", "civil")
    assert text.exit_code == 0 and "civil" in text.output and "netvaerk" not in text.output
    assert "left out" in text.output
    settled = run(project, "--coders", "mette", "jens", "--settle", "1", "97", "139", "civil",
                  "mette")
    assert settled.output == "kept mette's version: 1 consensus coding(s)\n"
    for args in (("--coders", "mette"), ("--coders", "mette", "jens", "--coder", "x")):
        assert isinstance(run(project, *args).exception, UsageError)
