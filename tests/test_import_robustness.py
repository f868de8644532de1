"""Hardening: one bad file is one line and never stops a batch; long blocks; project files that
are not kvali projects are left alone."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions

GOOD = "I: Hej med dig.\nIP: Godt at se dig igen.\n"


def kvali(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a subprocess (as users do); KVALI_DEBUG unset."""
    env = {k: v for k, v in os.environ.items() if k not in ("KVALI_DEBUG", "KVALI_DB")}
    return subprocess.run([sys.executable, "-c", "from kvali.cli import main; main()", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def _truncated_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Et afsnit om borgerens netværk.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def _bad_deflate_xlsx() -> bytes:
    """A workbook whose sheet's deflate stream is damaged (the zip directory is intact)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "svar"])
    for i in range(5):
        sheet.append([i, f"Et langt svar om borgerens netværk nummer {i} og lidt mere tekst"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 5, start + 40):
        data[k] ^= 0x5A
    return bytes(data)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Two good files around a FIFO, a truncated docx, a bad-deflate xlsx, a front matter with
    a list where a value belongs and a non-UTF-8 sidecar."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "b_fifo.txt")
    (folder / "c_truncated.docx").write_bytes(_truncated_docx())
    (folder / "d_deflate.xlsx").write_bytes(_bad_deflate_xlsx())
    (folder / "e_front.md").write_text("---\nspeakers:\n  IP: {name: [Anna, Bo]}\n---\n"
                                       "IP: Hej der.\n", encoding="utf-8")
    (folder / "f_sidecar.md").write_text("I: Hej med dig.\nIP: Hej.\n", encoding="utf-8")
    (folder / "f_sidecar.yaml").write_bytes("title: Møde i Århus\n".encode("latin-1"))
    (folder / "z_good.md").write_text("Sidste gode fil. Den skal også importeres.\n",
                                      encoding="utf-8")
    return folder


BAD = {"b_fifo.txt": "not a regular file", "c_truncated.docx": "not a valid .docx",
       "d_deflate.xlsx": "damaged compressed data", "e_front.md": "name must be a single value",
       "f_sidecar.yaml": "not UTF-8"}


def test_bad_files_fail_alone_and_the_others_import(batch: Path, fresh_db) -> None:
    report = import_paths(fresh_db, [batch], ReadOptions())
    status = {Path(f.path).name: f.status for f in report.files}
    assert status["a_good.txt"] == status["z_good.md"] == "imported"
    errors = [f.error or "" for f in report.failed]
    assert len(errors) == len(BAD)
    for name, reason in BAD.items():
        assert any(name in e and reason in e for e in errors), (name, errors)
    assert fresh_db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_cli_prints_each_file_and_fails(batch: Path, tmp_path: Path) -> None:
    result = kvali("--db", str(tmp_path / "p.db"), "import", str(batch), cwd=tmp_path)
    assert result.returncode == 1
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("kvali: error:")]
    assert len(errors) == len(BAD)
    for name in BAD:
        assert sum(name in line for line in errors) == 1
    assert "[1/7] imported" in result.stdout and "[7/7] imported" in result.stdout


def test_a_long_single_block_imports_with_exact_offsets(tmp_path: Path, fresh_db) -> None:
    line = "Borgeren fortalte om sit netværk og om kommunens tilbud gennem mange år. "
    path = tmp_path / "lang.txt"
    path.write_text("\n".join(line * 3 for _ in range(5500)), encoding="utf-8")
    assert path.stat().st_size > 1_200_000
    report = import_paths(fresh_db, [path], ReadOptions(kind="report"))
    assert not report.failed, report.failed[0].error
    text = fresh_db.execute("SELECT text FROM documents").fetchone()[0]
    rows = fresh_db.execute('SELECT start, "end", text FROM segments ORDER BY seq').fetchall()
    assert len(rows) >= 5500 * 3
    assert all(text[start:end] == segment for start, end, segment in rows)


def _other_app_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["other-app", "empty"])
def test_status_refuses_a_file_that_is_no_project(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "places.sqlite"
    if kind == "other-app":
        _other_app_db(path)
    else:
        path.write_bytes(b"")
    before = path.read_bytes()
    result = kvali("--db", str(path), "status", cwd=tmp_path)
    assert result.returncode != 0
    assert "is not a kvali project" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]


def test_import_never_adds_kvali_tables_to_another_database(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    _other_app_db(path)
    (tmp_path / "i.md").write_text(GOOD, encoding="utf-8")
    before = path.read_bytes()
    result = kvali("--db", str(path), "import", "i.md", cwd=tmp_path)
    assert result.returncode != 0 and "is not a kvali project" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("nul.txt", b"\0" * 500, "contains only NUL bytes"),
    ("u32.txt", "Hej med dig, det er en tekst.".encode("utf-32-le"), "looks like UTF-32"),
    ("header.csv", b"id;svar\n", "has a header row but no answers"),
])
def test_no_text_is_said_as_what_it_is(tmp_path: Path, fresh_db, name: str, data: bytes,
                                       reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    [outcome] = import_paths(fresh_db, [path], ReadOptions()).files
    assert outcome.status == "failed" and outcome.error.startswith(f"{path}: {reason}")


def test_malformed_sheet_xml_is_one_line(tmp_path: Path, fresh_db) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "svar"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            broken = b"<worksheet><sheetData><row><c r='A1'><v>0</v></row></sheetData>"
            target.writestr(info.filename, broken if info.filename.endswith("sheet1.xml")
                            else source.read(info.filename))
    [outcome] = import_paths(fresh_db, [path], ReadOptions()).files
    assert outcome.error.startswith(f"{path}: cannot be read: malformed XML")


def test_an_empty_folder_is_said(tmp_path: Path) -> None:
    (tmp_path / "tom" / "under").mkdir(parents=True)
    result = kvali("--db", str(tmp_path / "p.db"), "import", "tom", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("kvali: error: tom: no files to import in this folder")


def test_the_same_file_imported_twice_at_once_is_a_duplicate(tmp_path: Path, monkeypatch
                                                            ) -> None:
    """The other import commits between this one's duplicate check and its write."""
    from kvali import importer
    from kvali.store import open_db

    path = tmp_path / "i.md"
    path.write_text(GOOD, encoding="utf-8")
    db, other = open_db(tmp_path / "p.db"), open_db(tmp_path / "p.db")
    read = importer._read_and_segment

    def read_while_another_imports(*args):
        monkeypatch.setattr(importer, "_read_and_segment", read)
        assert importer.import_one(other, path, ReadOptions()).status == "imported"
        return read(*args)

    monkeypatch.setattr(importer, "_read_and_segment", read_while_another_imports)
    outcome = importer.import_one(db, path, ReadOptions())
    assert outcome.status == "duplicate" and "already imported" in outcome.warnings[0]
