"""`kvali pii`: scan, list, confirm, dismiss and add, through the click group (the lead engineer
registers it in kvali.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kvali.cli.pii import pii
from kvali.errors import UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

DATA = Path(__file__).parent / "data" / "pii"


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    db = open_db(path)
    assert not import_paths(db, [DATA / "interview.md"], ReadOptions(kind="interview")).failed
    db.close()
    return path


def run(db_path: Path, *args: str) -> Result:
    return CliRunner().invoke(pii, [*args, "--db", str(db_path)])


def test_scan_list_confirm_dismiss(db_path: Path) -> None:
    scanned = run(db_path, "scan", "--json")
    assert scanned.exit_code == 0, scanned.output
    data = json.loads(scanned.output)
    assert data["added"] >= 40 and len(data["findings"]) == data["added"]
    cpr = [f for f in data["findings"] if f["type"] == "cpr"]
    assert cpr[0]["text"] == "010203-1234" and cpr[0]["reason"].startswith("cpr:")
    text = run(db_path, "scan")
    assert text.exit_code == 0 and "0 new" in text.output and "'010203-1234'" in text.output
    ids = [str(f["id"]) for f in cpr]
    assert run(db_path, "confirm", *ids[:3], "--coder", "mette").output == (
        "confirmed 3 finding(s)\n")
    assert run(db_path, "dismiss", ids[3]).exit_code == 0
    listed = json.loads(run(db_path, "list", "--type", "cpr", "--json").output)
    assert [f["status"] for f in listed] == ["confirmed"] * 3 + ["dismissed", "found"]
    assert len(json.loads(run(db_path, "list", "--status", "dismissed", "--json").output)) == 1


def test_add_by_hand(db_path: Path) -> None:
    added = run(db_path, "add", "1", "0", "2", "name", "--coder", "mette")
    assert added.exit_code == 0 and added.output.startswith("added finding ")
    [row] = json.loads(run(db_path, "list", "--status", "confirmed", "--json").output)
    assert (row["origin"], row["start"], row["end"]) == ("manual", 0, 2)


@pytest.mark.parametrize("args", [("add", "1", "5", "2", "name"), ("add", "7", "0", "2", "name"),
                                  ("confirm", "999")])
def test_bad_input_is_one_line_without_personal_data(db_path: Path, args) -> None:
    run(db_path, "scan")
    result = run(db_path, *args)
    assert result.exit_code != 0 and isinstance(result.exception, UsageError)
    message = str(result.exception)
    assert "\n" not in message and "Lone" not in message


def test_click_refuses_unknown_type_and_huge_ids(db_path: Path) -> None:
    assert run(db_path, "add", "1", "0", "2", "person").exit_code == 2
    assert run(db_path, "confirm", str(2**70)).exit_code == 2
