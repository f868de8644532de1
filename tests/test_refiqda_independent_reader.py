"""kvali's QDPX export read by a small independent reader that follows the REFI-QDA standard
(xml.etree and zipfile only, none of kvali's import code): every human coding is found on
exactly its words with its code and coder, and every respondent's closed answers are on their
case."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
from test_refiqda_round_trip import original  # noqa: F401  (the fixture)

from kvali.refiqda.export import export_qdpx
from kvali.store import open_db

Q = "{urn:QDA-XML:project:1.0}"


def read_codings(path: Path, *, utf16: bool) -> Counter:
    """(source name, coded text, code name, user name) of every Coding in the archive."""
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("project.qde"))
        users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
        codes = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}
        found: Counter = Counter()
        for source in root.iter(f"{Q}TextSource"):
            member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(member).decode("utf-8")
            for selection in source.iter(f"{Q}PlainTextSelection"):
                start = int(selection.get("startPosition"))
                end = int(selection.get("endPosition"))
                if utf16:
                    units = text.encode("utf-16-le")
                    piece = units[2 * start:2 * end].decode("utf-16-le")
                else:
                    piece = text[start:end]
                for coding in selection.iter(f"{Q}Coding"):
                    code = codes[coding.find(f"{Q}CodeRef").get("targetGUID")]
                    found[(source.get("name"), piece, code,
                           users[coding.get("creatingUser")])] += 1
    return found


def read_case_values(path: Path) -> dict[str, dict[str, str]]:
    """Case name -> variable name -> value."""
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("project.qde"))
    names = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    cases = {}
    for case in root.iter(f"{Q}Case"):
        values = {}
        for value in case.iter(f"{Q}VariableValue"):
            ref = value.find(f"{Q}VariableRef").get("targetGUID")
            values[names[ref]] = next(child.text for child in value
                                      if child.tag != f"{Q}VariableRef")
        cases[case.get("name")] = values
    return cases


@pytest.mark.parametrize("positions", ["chars", "utf16"])
def test_every_human_coding_is_on_its_words(original: Path, tmp_path: Path,  # noqa: F811
                                            positions: str) -> None:
    db = open_db(original, create=False)
    path = tmp_path / "projekt.qdpx"
    export_qdpx(db, path, positions=positions)
    expected = Counter(db.execute(
        "SELECT d.name, substr(d.text, k.start + 1, k.\"end\" - k.start), c.name, k.coder "
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "JOIN codes c ON c.key = k.code_key WHERE k.status IN ('manual', 'accepted')"))
    assert db.execute("SELECT count(*) FROM documents WHERE text LIKE '%👍%'").fetchone()[0]
    assert read_codings(path, utf16=positions == "utf16") == expected


def test_respondents_are_cases_with_their_closed_answers(original: Path,  # noqa: F811
                                                         tmp_path: Path) -> None:
    db = open_db(original, create=False)
    path = tmp_path / "projekt.qdpx"
    export_qdpx(db, path)
    cases = read_case_values(path)
    for key, attribute, value in db.execute(
            "SELECT p.key, a.key, a.value FROM respondent_attributes a "
            "JOIN respondents p ON p.id = a.respondent_id"):
        assert cases[f"Respondent {key}"][attribute] == value
    speakers = db.execute(
        "SELECT coalesce(s.name, s.label || ' – ' || d.name), s.role, c.name FROM speakers s "
        "JOIN documents d ON d.id = s.document_id JOIN cases c ON c.id = s.case_id "
        "WHERE s.role IS NOT NULL").fetchall()
    assert speakers
    for name, role, municipality in speakers:
        assert cases[name]["role"] == role and cases[name]["municipality"] == municipality
