"""Codebook exchange: `kvali codebook import|export` with .qdc and CSV (Taguette's columns),
round trips, one-line problems that change nothing, the app's upload, and an independent
REFI-QDA reader of the export."""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from streamlit.testing.v1 import AppTest
from test_ui_support import no_failures, page_test, toasts

from kvali.cli import cli
from kvali.codebook.load import KEY, load_codebook
from kvali.codebook.model import Codebook
from kvali.store import open_db

FIELDS = ("key", "name", "description", "inclusion", "exclusion", "example", "color",
          "parent_key", "position")
K = "kvali.codebook."
QDC_NS = "urn:QDA-XML:codebook:1.0"
TREE = """\
name: Udveksling
version: "1"
codes:
  - key: netvaerk
    name: Borgerens nære netværk
    description: |-
      Familie, venner og naboer.
      Også "pårørende" & <andre>.
    inclusion: Når netværket nævnes.
    example: Min søster hjælper.
    color: "#2E7D32"
    rules:
      keywords: [netværk]
    children:
      - key: netvaerk.moeder
        name: Møder med pårørende
        color: "#81C784"
      - key: netvaerk.formel
        name: =SUM(A1)
        description: -begynder med minus
        color: "#A5D6A7"
  - key: civil
    name: Civilsamfund
    exclusion: Ikke kommunale tilbud.
    color: "#1565C0"
"""


def invoke(*args: str) -> Result:
    """Run `kvali` in this process."""
    return CliRunner().invoke(cli, list(args))


def project_with_codebook(folder: Path, text: str = TREE) -> tuple[Path, Path]:
    """A project in FOLDER with TEXT loaded as its codebook.yaml; (project, codebook.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "codebook.yaml"
    book.write_text(text, encoding="utf-8")
    project = folder / "p.db"
    result = invoke("--db", str(project), "codebook", "load", str(book))
    assert result.exit_code == 0, result.output
    return project, book


def fields(codebook: Codebook) -> list[tuple[object, ...]]:
    """The exchanged fields of every code, in codebook order."""
    return [tuple(getattr(code, field) for field in FIELDS) for code in codebook.codes]


def stored(project: Path) -> list[tuple[object, ...]]:
    """The codes table as rows, for comparing a project before and after."""
    db = open_db(project, create=False)
    try:
        return list(db.execute("SELECT key, * FROM codes ORDER BY key").fetchall())
    finally:
        db.close()


def import_into(folder: Path, source: Path) -> tuple[Result, Path]:
    """`kvali codebook import SOURCE` into a new project in FOLDER; (result, codebook.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "codebook.yaml"
    return invoke("--db", str(folder / "p.db"), "codebook", "import", str(source),
                  "-o", str(target)), target


@pytest.mark.parametrize("suffix", [".qdc", ".csv"])
def test_a_round_trip_keeps_keys_names_colours_notes_and_the_tree(tmp_path: Path,
                                                                    suffix: str) -> None:
    project, book = project_with_codebook(tmp_path / "a")
    exported = tmp_path / f"kodebog{suffix}"
    assert invoke("--db", str(project), "codebook", "export", "-o", str(exported)).exit_code == 0
    result, target = import_into(tmp_path / "b", exported)
    assert result.exit_code == 0, result.output
    assert f"loaded {exported} as {target}" in result.output
    assert fields(load_codebook(target)) == fields(load_codebook(book))
    assert target.read_text(encoding="utf-8").startswith("# Skrevet af kvali.")
    again = tmp_path / f"igen{suffix}"
    assert invoke("--db", str(tmp_path / "b" / "p.db"), "codebook", "export",
                  "-o", str(again)).exit_code == 0
    assert again.read_bytes() == exported.read_bytes()
    assert [row[0] for row in stored(tmp_path / "b" / "p.db")] == [
        row[0] for row in stored(project)]


def test_the_csv_export_has_taguettes_columns_first(tmp_path: Path) -> None:
    project, _ = project_with_codebook(tmp_path)
    target = tmp_path / "kodebog.csv"
    invoke("--db", str(project), "codebook", "export", "-o", str(target))
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "tag,description,key,parent,color"
    assert lines[-1] == "Civilsamfund,Eksklusion: Ikke kommunale tilbud.,civil,,#1565C0"
    assert "'=SUM(A1),'-begynder med minus,netvaerk.formel,netvaerk,#A5D6A7" in lines


def test_export_qdc_is_an_alias_of_codebook_export(tmp_path: Path) -> None:
    project, _ = project_with_codebook(tmp_path)
    one, two = tmp_path / "een.qdc", tmp_path / "to.out"
    assert invoke("--db", str(project), "codebook", "export", "-o", str(one)).exit_code == 0
    assert invoke("--db", str(project), "export", "qdc", "-o", str(two)).exit_code == 0
    assert one.read_bytes() == two.read_bytes()


def test_a_taguette_csv_gets_unique_keys_from_the_danish_names(tmp_path: Path) -> None:
    source = tmp_path / "taguette.csv"
    source.write_text("tag,description,number of highlights\n"
                      "Borgerens nære netværk,Familie og venner,3\n"
                      "Pårørende,,0\n"
                      "Ældre på plejehjem,\"To\nlinjer\",1\n"
                      "\n"
                      "Nære-netværk,,0\n"
                      "Borgerens  nære netværk!,,0\n", encoding="utf-8")
    result, target = import_into(tmp_path / "p", source)
    assert result.exit_code == 0, result.output
    codebook = load_codebook(target)
    assert [(c.key, c.name) for c in codebook.codes] == [
        ("borgerens_naere_netvaerk", "Borgerens nære netværk"),
        ("paaroerende", "Pårørende"),
        ("aeldre_paa_plejehjem", "Ældre på plejehjem"),
        ("naere_netvaerk", "Nære-netværk"),
        ("borgerens_naere_netvaerk_2", "Borgerens  nære netværk!"),
    ]
    assert all(KEY.match(code.key) and code.parent_key is None for code in codebook.codes)
    assert codebook.codes[2].description == "To\nlinjer"
    assert {code.color for code in codebook.codes} == {"#888888"}
    assert [row[0] for row in stored(tmp_path / "p" / "p.db")] == sorted(
        code.key for code in codebook.codes)


def test_a_semicolon_csv_with_parents_by_name_keeps_the_tree(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_text("Tag;Parent;Color\nTema;;#abc\nUndertema;Tema;\n", encoding="utf-8-sig")
    result, target = import_into(tmp_path / "p", source)
    assert result.exit_code == 0, result.output
    codes = load_codebook(target).codes
    assert [(c.key, c.parent_key, c.color) for c in codes] == [
        ("tema", None, "#AABBCC"), ("tema.undertema", "tema", "#888888")]


BAD = {
    "no tag column": ("name,description\nTema,\n", 1, "no `tag` column (columns: name, "
                      "description)"),
    "duplicate name": ("tag,description\nTema,\"to\nlinjer\"\ntema,\n", 4,
                       "tag 'tema' is already on line 2"),
    "missing parent": ("tag,key,parent\nTema,tema,\nUnder,under,findes_ikke\n", 3,
                       "(code under): parent 'findes_ikke' is not a key or tag in the file"),
    "duplicate key": ("tag,key\nA,a\nB,a\n", 3, "(code a): key 'a' is already used on line 2"),
    "bad colour": ("tag,color\nA,blå\n", 2, "color 'blå' is not #RRGGBB"),
    "cycle": ("tag,key,parent\nA,a,b\nB,b,a\n", 2, "(code a): the parents form a cycle"),
}


def digest(*paths: Path) -> list[str]:
    """The SHA-256 of each file (or "absent")."""
    return [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent"
            for p in paths]


@pytest.mark.parametrize("case", BAD)
def test_a_bad_csv_is_one_line_with_its_line_and_changes_nothing(tmp_path: Path,
                                                                 case: str) -> None:
    project, book = project_with_codebook(tmp_path)
    text, line, message = BAD[case]
    source = tmp_path / "forkert.csv"
    source.write_text(text, encoding="utf-8")
    files = [book, project, project.with_name("p.db-wal")]
    before, codes = digest(*files), stored(project)
    result = invoke("--db", str(project), "codebook", "import", str(source), "-o", str(book))
    assert result.exit_code != 0
    separator = " " if message.startswith("(") else ": "
    assert result.stderr.splitlines() == [f"{source}:{line}{separator}{message}"]
    assert str(result.exception) == f"{source}: 1 problem(s) found; nothing loaded"
    assert digest(*files) == before and stored(project) == codes
    assert not list(tmp_path.glob(".*.new"))


def test_a_qdc_that_is_not_a_codebook_is_one_line(tmp_path: Path) -> None:
    project, book = project_with_codebook(tmp_path)
    source = tmp_path / "forkert.qdc"
    source.write_text("<Project xmlns='urn:QDA-XML:project:1.0'/>", encoding="utf-8")
    before = digest(book)
    result = invoke("--db", str(project), "codebook", "import", str(source), "-o", str(book))
    assert result.exit_code != 0
    assert result.stderr.splitlines()[0] == f"{source}:0: the project has no <CodeBook>"
    assert digest(book) == before


def read_refi_codebook(path: Path) -> list[tuple[str, str | None, str, str]]:
    """An independent reader of the REFI-QDA Codebook standard: (name, parent name, colour,
    description) of every `<Code>`, checking guid and isCodable on the way."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{QDC_NS}}}CodeBook"
    codes = root.find(f"{{{QDC_NS}}}Codes")
    assert codes is not None
    found: list[tuple[str, str | None, str, str]] = []

    def walk(element: ET.Element, parent: str | None) -> None:
        for code in element.findall(f"{{{QDC_NS}}}Code"):
            uuid.UUID(code.attrib["guid"])
            assert code.attrib["isCodable"] in ("true", "false")
            assert re.fullmatch(r"#[0-9A-F]{6}", code.attrib["color"])
            description = code.find(f"{{{QDC_NS}}}Description")
            found.append((code.attrib["name"], parent, code.attrib["color"],
                          description.text or "" if description is not None else ""))
            walk(code, code.attrib["name"])

    walk(codes, None)
    return found


def test_an_independent_reader_finds_every_code_with_its_parent(tmp_path: Path) -> None:
    project, book = project_with_codebook(tmp_path)
    target = tmp_path / "kodebog.qdc"
    invoke("--db", str(project), "codebook", "export", "-o", str(target))
    codebook = load_codebook(book)
    names = {code.key: code.name for code in codebook.codes}
    read = read_refi_codebook(target)
    assert [(name, parent, color) for name, parent, color, _ in read] == [
        (code.name, names.get(code.parent_key or ""), code.color) for code in codebook.codes]
    assert read[0][3].startswith("Familie, venner og naboer.\nOgså \"pårørende\" & <andre>.")


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """Upload a file on the Kodebog page and press the load button."""
    at.file_uploader[0].set_value([(name, data, "application/octet-stream")]).run()
    return at.button(key=K + "load_upload").click().run()


@pytest.mark.parametrize("suffix", [".qdc", ".csv"])
def test_the_app_loads_an_uploaded_qdc_or_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              suffix: str) -> None:
    source_project, book = project_with_codebook(tmp_path / "kilde")
    exported = tmp_path / f"kodebog{suffix}"
    invoke("--db", str(source_project), "codebook", "export", "-o", str(exported))
    folder = tmp_path / "app"
    folder.mkdir()
    project = folder / "p.db"
    open_db(project).close()
    monkeypatch.setenv("KVALI_DB", str(project))
    at = upload(page_test("codebook"), f"Min kodebog{suffix}", exported.read_bytes())
    no_failures(at)
    assert toasts(at)[0].startswith(f"Min kodebog{suffix} er indlæst som projektets kodebog "
                                    "med 4 nye")
    written = load_codebook(folder / "codebook.yaml")
    assert fields(written) == fields(load_codebook(book))
    assert written.name == "Min kodebog"


def test_the_app_lists_the_problems_of_an_uploaded_csv(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p.db"
    open_db(project).close()
    monkeypatch.setenv("KVALI_DB", str(project))
    at = upload(page_test("codebook"), "forkert.csv", BAD["missing parent"][0].encode())
    (error,) = at.error
    assert error.value.startswith("forkert.csv er ikke indlæst: 1 problem(er)")
    assert "Linje 3 (kode under)\\: parent 'findes\\_ikke' is not a key or tag" in error.value
    assert not (tmp_path / "codebook.yaml").exists() and stored(project) == []
