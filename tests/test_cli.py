"""The command line end to end in a child process: exit codes, one-line errors, JSON contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPT = """---
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Kbh.}
---
I: Hvordan bruger I det nære netværk?
IP1: Vi holder netværksmøder, bl.a. med de pårørende. Det virker.
"""
CODEBOOK = """codes:
  - key: netvaerk
    name: Netværk
    rules: {keywords: [netværk]}
"""


def kvali(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the `kvali` entry point in a child process, as a user would."""
    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()",
                           "--db", str(db), *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "i.md").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return tmp_path


def test_import_status_tag_code_report(workdir):
    db = workdir / "p.db"
    assert kvali("import", "i.md", db=db, cwd=workdir).returncode == 0
    again = kvali("import", "i.md", db=db, cwd=workdir)
    assert again.returncode == 0 and "already imported" in again.stdout
    status = json.loads(kvali("status", "--json", db=db, cwd=workdir).stdout)
    assert (status["documents"], status["municipalities"]) == (1, 1)
    assert status["segments"] == 3 and status["responses"] == 0
    assert kvali("codebook", "load", "codebook.yaml", db=db, cwd=workdir).returncode == 0
    tagged = json.loads(kvali("tag", "--json", db=db, cwd=workdir).stdout)
    assert tagged["added"] == {"netvaerk": 1}, "the informant's turn; not the interviewer's"
    coded = kvali("code", "3", "netvaerk", "--coder", "mette", db=db, cwd=workdir)
    assert coded.returncode == 0, coded.stderr
    report = json.loads(kvali("codebook", "report", "--json", db=db, cwd=workdir).stdout)
    assert report[0]["missed"] == 1 and report[0]["pending"] == 1


def test_segment_json_contract(workdir):
    result = kvali("segment", "i.md", "--json", "--tokens", db=workdir / "x.db", cwd=workdir)
    payload = json.loads(result.stdout)
    assert payload["pipeline"].startswith("kvali-rules")
    for segment in payload["segments"]:
        assert payload["text"][segment["start"]:segment["end"]] == segment["text"]
        for token in segment["tokens"]:
            assert payload["text"][token["start"]:token["end"]] == token["text"]
    assert payload["segments"][1] == {**payload["segments"][1], "speaker": "IP1",
                                      "text": "Vi holder netværksmøder, bl.a. med de pårørende."}


def test_user_errors_are_one_line_without_traceback(workdir):
    bad = workdir / "bad.yaml"
    bad.write_text("codes:\n  - key: a\n    name: A\n    color: red\n", encoding="utf-8")
    checked = kvali("codebook", "check", "bad.yaml", db=workdir / "x.db", cwd=workdir)
    assert checked.returncode == 1
    assert "bad.yaml:4 (code a): color 'red'" in checked.stderr
    (workdir / "empty.txt").write_bytes(b"")
    failed = kvali("import", "empty.txt", "i.md", db=workdir / "p.db", cwd=workdir)
    assert failed.returncode == 1
    assert failed.stderr.strip() == f"kvali: error: {Path('empty.txt')}: file is empty"
    assert "Traceback" not in failed.stderr
    unknown = kvali("code", "999", "netvaerk", db=workdir / "p.db", cwd=workdir)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_tag_without_a_codebook_is_one_line(workdir):
    db = workdir / "p.db"
    assert kvali("import", "i.md", db=db, cwd=workdir).returncode == 0
    tagged = kvali("tag", db=db, cwd=workdir)
    assert tagged.returncode != 0
    assert tagged.stderr.strip().splitlines() == [
        "kvali: error: no codebook is loaded; load one with `kvali codebook load codebook.yaml`"]


def test_tag_tags_a_file_imported_after_the_last_run(workdir):
    db = workdir / "p.db"
    assert kvali("import", "i.md", db=db, cwd=workdir).returncode == 0
    assert kvali("codebook", "load", "codebook.yaml", db=db, cwd=workdir).returncode == 0
    assert json.loads(kvali("tag", "--json", db=db, cwd=workdir).stdout)["added"] == {
        "netvaerk": 1}
    (workdir / "j.md").write_text("IP1: Netværket hjælper os.\nIP1: Det er godt.\n",
                                  encoding="utf-8")
    assert kvali("import", "j.md", db=db, cwd=workdir).returncode == 0
    tagged = json.loads(kvali("tag", "--json", db=db, cwd=workdir).stdout)
    assert tagged["added"] == {"netvaerk": 1} and tagged["new_documents"] == 1
    assert tagged["documents"] == 1 and tagged["segments"] == 2
    again = kvali("tag", db=db, cwd=workdir)
    assert again.returncode == 0 and again.stdout.startswith("nothing to tag")
