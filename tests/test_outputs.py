"""Hardening of every output: never over the project, never half a file, one line on failure."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kvali.cli import main
from kvali.errors import InputError
from kvali.store import open_db

HUGE = "99999999999999999999"
COMMANDS = {
    "summary md": ["export", "summary", "--format", "md", "-o"],
    "summary xlsx": ["export", "summary", "--format", "xlsx", "-o"],
    "codings csv": ["export", "codings", "--format", "csv", "-o"],
    "codings json": ["export", "codings", "--format", "json", "-o"],
    "crosstab": ["export", "crosstab", "--format", "csv", "-o"],
    "co-occurrence": ["export", "crosstab", "--by", "code", "--format", "xlsx", "-o"],
    "qdpx": ["export", "qdpx", "-o"],
    "qdc": ["export", "qdc", "-o"],
    "codebook export": ["codebook", "export", "-o"],
}


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *args: str) -> tuple[int, str, str]:
    """Run the `kvali` entry point in this process; returns exit code, stdout and stderr."""
    monkeypatch.setattr(sys, "argv", ["kvali", *args])
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def child(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `kvali` in a child process, where interpreter-exit noise would show on stderr."""
    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def fingerprint(project: Path) -> tuple[str, int, int]:
    """The project's bytes and, opened as a project, its documents and codings."""
    digest = hashlib.sha256(project.read_bytes()).hexdigest()
    db = open_db(project, create=False)
    try:
        return (digest, db.execute("SELECT count(*) FROM documents").fetchone()[0],
                db.execute("SELECT count(*) FROM codings").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize("target", ["project", "symlink", "-wal", "-shm", "-journal", ".bak",
                                    "hard link"])
@pytest.mark.parametrize("command", COMMANDS)
def test_an_export_never_overwrites_the_project(project, capsys, monkeypatch, command, target):
    before = fingerprint(project)
    assert before[1] and before[2]
    if target == "project":
        output = project
    elif target == "symlink":
        output = project.with_name("link.out")
        output.symlink_to(project.name)
    elif target == "hard link":
        output = project.with_name("hard.out")
        os.link(project, output)
    else:
        output = project.with_name(project.name + target)
    code, _, err = run(capsys, monkeypatch, "--db", str(project), *COMMANDS[command],
                       str(output))
    assert code != 0
    assert err.count("\n") == 1 and "-o" in err and output.name in err, err
    assert fingerprint(project) == before


@pytest.mark.parametrize("target", ["symlink.csv", "hard.xlsx"])
def test_a_search_export_never_overwrites_the_project(project, capsys, monkeypatch, target):
    before = fingerprint(project)
    output = project.with_name(target)
    if target.startswith("symlink"):
        output.symlink_to(project)
    else:
        os.link(project, output)
    code, _, err = run(capsys, monkeypatch, "--db", str(project), "search", "netværk",
                       "--export", str(output))
    assert code != 0 and err.count("\n") == 1 and "--export" in err and target in err, err
    assert fingerprint(project) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_failed_export_leaves_the_existing_file_and_no_temporary_file(
        project, capsys, monkeypatch, tmp_path, fmt):
    import kvali.export.codings as codings

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / f"codings.{fmt}"
    target.write_bytes(b"the analyst's previous export\n")
    calls = []
    real_row = codings._row

    def failing_row(*args):
        calls.append(1)
        if len(calls) > 1:
            raise InputError("the disk said no")
        return real_row(*args)

    monkeypatch.setattr(codings, "_row", failing_row)
    code, _, err = run(capsys, monkeypatch, "--db", str(project), "export", "codings",
                       "-o", str(target))
    assert code != 0 and err == "kvali: error: the disk said no\n"
    assert len(calls) == 2, "the writer failed mid-way"
    assert target.read_bytes() == b"the analyst's previous export\n"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]


def test_a_failed_qdpx_leaves_the_existing_file(project, capsys, monkeypatch, tmp_path):
    import zipfile

    target = tmp_path / "p.qdpx"
    target.write_bytes(b"old")
    real = zipfile.ZipFile.writestr

    def failing(archive, name, data, *args, **kwargs):
        if name.startswith("sources/"):
            raise InputError("the disk said no")
        return real(archive, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    code, _, _ = run(capsys, monkeypatch, "--db", str(project), "export", "qdpx",
                     "-o", str(target))
    assert code != 0 and target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".qdpx", ".tmp")) \
        == ["p.qdpx"]


def test_an_export_replaces_an_existing_file_and_keeps_the_folder_clean(project, capsys,
                                                                        monkeypatch, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "summary.md"
    target.write_text("old", encoding="utf-8")
    code, out, _ = run(capsys, monkeypatch, "--db", str(project), "export", "summary",
                       "-o", str(target))
    assert code == 0 and out.startswith("wrote")
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert [p.name for p in folder.iterdir()] == ["summary.md"]


@pytest.mark.parametrize("command", ["summary md", "qdpx", "qdc"])
def test_a_missing_folder_is_one_line_and_nothing_else(project, command):
    result = child("--db", str(project), *COMMANDS[command], "nowhere/out.file",
                   cwd=project.parent)
    assert result.returncode == 2
    assert result.stderr == "kvali: error: -o nowhere/out.file: the folder nowhere does not " \
                            "exist\n"


def test_control_characters_in_a_code_name_or_key_are_refused(tmp_path, capsys, monkeypatch):
    path = tmp_path / "codebook.yaml"
    path.write_text('codes:\n  - key: netvaerk\n    name: "Net\\tværk"\n'
                    '  - key: civil\n    name: "Civil\\x07samfund"\n'
                    '  - key: "ny\\n"\n    name: Ny\n', encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "codebook", "check", str(path))
    lines = err.splitlines()
    assert code != 0 and len(lines) == 4
    assert lines[0] == (f"{path}:3 (code netvaerk): the name contains the control character "
                        "U+0009; a name is one line of plain text")
    assert lines[1].startswith(f"{path}:5 (code civil): the name contains the control "
                               "character U+0007")
    assert lines[2].startswith(f"{path}:6 (code 'ny\\n'): a code needs a `key`")


def test_a_huge_code_key_is_echoed_cut(project, capsys, monkeypatch, tmp_path):
    key = "x" * 100_000
    path = tmp_path / "long.yaml"
    path.write_text(f"codes:\n  - key: {key.upper()}\n    name: Lang\n", encoding="utf-8")
    for args in (["codebook", "check", str(path)],
                 ["--db", str(project), "code", "1", key],
                 ["--db", str(project), "search", "netværk", "--code", key],
                 ["--db", str(project), "export", "summary", "-o", str(tmp_path / "s.md"),
                  "--code", key]):
        code, _, err = run(capsys, monkeypatch, *args)
        assert code != 0 and err and max(len(line) for line in err.splitlines()) < 400, args
        assert "x" * 60 + "\u2026" in err.lower(), args


@pytest.mark.parametrize("args", [["search", "netværk", "--limit", HUGE],
                                  ["search", "netværk", "--offset", HUGE],
                                  ["code", HUGE, "netvaerk"],
                                  ["code", "--", f"-{HUGE}", "netvaerk"]])
def test_a_huge_integer_is_one_line(project, capsys, monkeypatch, args):
    code, _, err = run(capsys, monkeypatch, "--db", str(project), *args)
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err, err
    assert HUGE in err
