"""No personal data leaves a project exported with --pseudonymise.

A project with known personal data (a transcript and a survey holding names, CPR numbers, a
phone number, an e-mail address and an address; every mention confirmed by inserting
`pii_findings` rows) is exported in every format of every export, search hits, QDPX and QDC,
through the CLI and the app's download functions. Every output is unpacked (docx, xlsx and
qdpx are zip archives) and no personal string may occur in any byte, as written, case-folded,
HTML/XML-escaped or as a JSON escape. Without --pseudonymise the same strings do occur, so the
test can fail. The `events` table holds none of them afterwards either.

`build_project` is shared with tests/test_pseudonymise.py.
"""

from __future__ import annotations

import html
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from kvali.cli import cli
from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, save_memo, set_key_quote
from kvali.export.downloads import codings_bytes, qdpx_bytes, summary_bytes
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.selection import Selection
from kvali.store import open_db

TRANSCRIPT = """---
title: Samtale om Hans Jensen
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialrådgiver, kommune: Aarhus}
---
I: Hvordan går det med borgeren?
IP1: Hans Jensen har cpr-nummer 010203-1234 og bor på Lindevej 7 i Aarhus.
IP1: Vi ringer til ham på 20 30 40 50, og hans netværk er svagt.
IP1: Hans søster Birgitte Kjærgaard skriver fra birgitte.k@example.dk om netværket.
"""

SURVEY = """Kommune;Bemærkninger
Odense;Birgitte Kjærgaard fra netværket ringer ofte, cpr 020304-5678.
Viborg;Netværket omkring Hans Jensen er stærkt, han bor på Lindevej 7.
"""

CODEBOOK = """\
name: Privat
version: "1"
codes:
  - key: netvaerk
    name: Netværk
    description: Borgerens netværk.
    example: Som Hans Jensen sagde om netværket.
    color: "#2E7D32"
    rules:
      keywords: [netværk]
"""

PEOPLE = {"Hans Jensen": "hans jensen", "Birgitte Kjærgaard": "birgitte kjærgaard"}
OTHER = {"010203-1234": "cpr", "020304-5678": "cpr", "Lindevej 7": "address",
         "20 30 40 50": "phone", "birgitte.k@example.dk": "email"}
PERSONAL = [*PEOPLE, "Jensen", "Kjærgaard", *OTHER]
"""The strings that must never leave a pseudonymised project."""


def build_project(folder: Path) -> Path:
    """Import the transcript and the survey, load the codebook, code every answer and turn by
    hand (with memos naming a person), and confirm every mention of personal data."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "samtale.md").write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "survey.csv").write_text(SURVEY, encoding="utf-8")
    path = folder / "project.db"
    db = open_db(path)
    import_paths(db, [folder / "samtale.md"], ReadOptions(kind="interview"))
    import_paths(db, [folder / "survey.csv"], ReadOptions(kind="survey"))
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems, problems
    sync_codebook(db, codebook)
    for (segment_id,) in db.execute("SELECT id FROM segments ORDER BY id").fetchall():
        coding = add_manual_coding(db, segment_id, "netvaerk", "analytiker",
                                   memo="Spørg Hans Jensen igen")
        set_key_quote(db, coding, True, "analytiker")
    save_memo(db, "code", "netvaerk", "Birgitte Kjærgaard nævnes ofte.", "analytiker")
    document = db.execute("SELECT min(id) FROM documents").fetchone()[0]
    save_memo(db, "document", document, "Ring 20 30 40 50.", "analytiker")
    confirm_all(db)
    db.close()
    return path


def confirm_all(db: Database) -> None:
    """A confirmed finding for every mention of a personal string, and "Hans" alone as the
    same person as "Hans Jensen"."""
    rows = []
    for document_id, text in db.execute("SELECT id, text FROM documents").fetchall():
        mentions = [(s, "name", e) for s, e in PEOPLE.items()] + \
            [(s, kind, s) for s, kind in OTHER.items()] + [("Hans søster", "name", "hans jensen")]
        for surface, kind, entity in mentions:
            surface = surface.split(" søster")[0]
            start = text.find(surface)
            while start >= 0:
                rows.append({"document_id": document_id, "start": start,
                             "end": start + len(surface), "type": kind, "reason": "test",
                             "status": "confirmed", "origin": "manual", "entity": entity})
                start = text.find(surface, start + 1)
    with db.atomic():
        db["pii_findings"].insert_all(rows, ignore=True)


def forms(value: str) -> set[str]:
    """The ways a string can stand in an output file."""
    variants = {value, value.casefold(), value.upper(), html.escape(value),
                json.dumps(value)[1:-1], unicodedata.normalize("NFD", value)}
    variants.add("".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in value))
    variants.add("".join(c if ord(c) < 128 else f"&#x{ord(c):x};" for c in value))
    variants.add("".join(c if ord(c) < 128 else f"&#x{ord(c):X};" for c in value))
    return variants


def unpacked(data: bytes) -> list[bytes]:
    """The bytes of a file, and of every member when it is a zip archive (docx, xlsx, qdpx)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [data] + [archive.read(name) for name in archive.namelist()]


def leaks(data: bytes) -> set[str]:
    """The personal strings found anywhere in `data` (in any of their forms)."""
    found = set()
    for part in unpacked(data):
        decoded = part.decode("utf-8", errors="ignore")
        for value in PERSONAL:
            if any(form in decoded or form.casefold() in decoded.casefold()
                   for form in forms(value)):
                found.add(value)
    return found


COMMANDS = [
    *[["export", "summary", "--quotes", "50", "-o", f"summary.{fmt}"]
      for fmt in ("md", "docx", "html", "xlsx")],
    *[["export", "codings", "-o", f"codings.{fmt}"] for fmt in ("csv", "xlsx", "json")],
    *[["export", "crosstab", "--by", by, "-o", f"crosstab-{by}.{fmt}"]
      for by in ("region", "size_class", "kommune", "role", "kind", "question", "code")
      for fmt in ("csv", "xlsx")],
    ["export", "qdpx", "-o", "project.qdpx"],
    ["export", "qdpx", "--status", "manual", "-o", "manual.qdpx"],
    ["export", "qdc", "-o", "codebook.qdc"],
    *[["search", query, "--export", f"hits-{number}.{fmt}"]
      for number, query in enumerate(["netværk", "Hans", "cpr OR ringer"])
      for fmt in ("csv", "xlsx")],
]
TEXT_OUTPUTS = ("summary", "codings", "project.qdpx", "codebook.qdc", "hits-0", "hits-1")
"""Outputs that carry document text or memos, and so show personal data when not
pseudonymised."""


def export_everything(project: Path, folder: Path, pseudonymise: bool) -> dict[str, bytes]:
    """Every export as written, keyed by file name, plus search --json output and the app's
    downloads."""
    folder.mkdir()
    flag = ["--pseudonymise"] if pseudonymise else []
    runner = CliRunner()
    outputs: dict[str, bytes] = {}
    for command in COMMANDS:
        *args, target = command
        result = runner.invoke(cli, ["--db", str(project), *args, str(folder / target), *flag])
        assert result.exit_code == 0, (command, result.output, result.exception)
        outputs[target] = (folder / target).read_bytes()
        outputs[target + ".stdout"] = result.output.encode("utf-8")
    result = runner.invoke(cli, ["--db", str(project), "search", "netværk", "--json", *flag])
    assert result.exit_code == 0, result.output
    outputs["search.json"] = result.output.encode("utf-8")
    everything = Selection(status=("manual", "accepted", "suggested"))
    for fmt in ("md", "docx", "html", "xlsx"):
        outputs[f"download-summary.{fmt}"] = summary_bytes(project, fmt, everything,
                                                           pseudonymise=pseudonymise)
    for fmt in ("csv", "xlsx", "json"):
        outputs[f"download-codings.{fmt}"] = codings_bytes(project, fmt, everything,
                                                           pseudonymise=pseudonymise)
    outputs["download.qdpx"] = qdpx_bytes(project, pseudonymise=pseudonymise)
    return outputs


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("private"))


def test_pseudonymised_exports_hold_no_personal_data(project: Path, tmp_path: Path) -> None:
    outputs = export_everything(project, tmp_path / "out", pseudonymise=True)
    found = {name: leaks(data) for name, data in outputs.items()}
    assert not {name: values for name, values in found.items() if values}
    assert b"[Person 1]" in outputs["summary.html"] and b"[CPR]" in outputs["codings.json"]


def test_exports_without_pseudonymise_show_the_personal_data(project: Path,
                                                              tmp_path: Path) -> None:
    outputs = export_everything(project, tmp_path / "out", pseudonymise=False)
    for name, data in outputs.items():
        if name.startswith((*TEXT_OUTPUTS, "download")) and not name.endswith(".stdout"):
            assert leaks(data), name
    everything = set().union(*(leaks(data) for data in outputs.values()))
    assert everything == set(PERSONAL)


def test_events_hold_no_personal_data(project: Path, tmp_path: Path) -> None:
    export_everything(project, tmp_path / "out", pseudonymise=True)
    db = open_db(project, create=False)
    try:
        rows = db.execute("SELECT * FROM events").fetchall()
    finally:
        db.close()
    assert rows
    assert not leaks(json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8"))
