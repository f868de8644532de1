"""The Personoplysninger page: scan, the findings table with filters, confirm/dismiss, add by
hand (the lead engineer adds it to the navigation)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.findings import list_findings
from kvali.store import open_db
from tests.test_ui_support import no_failures, page_test, toasts

DATA = Path(__file__).parent / "data" / "pii"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "project.db"
    shutil.copy(DATA / "interview.md", tmp_path / "interview.md")
    db = open_db(path)
    assert not import_paths(db, [tmp_path / "interview.md"], ReadOptions(kind="interview")).failed
    db.close()
    monkeypatch.setenv("KVALI_DB", str(path))
    return path


def test_scan_filter_decide_and_add(project: Path) -> None:
    at = page_test("privacy")
    no_failures(at)
    assert at.title[0].value == "Personoplysninger"
    at.button(key="kvali.privacy.scan").click().run()
    no_failures(at)
    assert any("nye fund" in t for t in toasts(at))
    [table] = at.dataframe
    frame = table.value
    assert {"Dokument", "Type", "Tekst", "Hvorfor", "Status"} <= set(frame.columns)
    assert "CPR-nummer" in set(frame["Type"]) and "010203-1234" in set(frame["Tekst"])
    at.selectbox(key="kvali.privacy.type").set_value("cpr").run()
    assert set(at.dataframe[0].value["Type"]) == {"CPR-nummer"}
    first = at.multiselect(key="kvali.privacy.chosen").options[0]
    at.multiselect(key="kvali.privacy.chosen").select(first).run()
    at.button(key="kvali.privacy.dismiss").click().run()
    no_failures(at)
    db = open_db(project)
    assert [r.status for r in list_findings(db, type="cpr")].count("dismissed") == 1
    at.text_input(key="kvali.privacy.add.text").input("Hjemmeplejen").run()
    at.button(key="kvali.privacy.add").click().run()
    no_failures(at)
    assert "Hjemmeplejen" in {r.text for r in list_findings(db, status="confirmed")}


def test_add_by_hand_shows_errors_beside_the_button(project: Path) -> None:
    at = page_test("privacy")
    at.text_input(key="kvali.privacy.add.text").input("findes ikke i teksten").run()
    at.button(key="kvali.privacy.add").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Teksten findes ikke (præcis sådan) i dokumentet."]
