"""REFI-QDA projects: export validated against Project.xsd, the NVivo sample, position
conventions, unsafe archives, and the kvali → QDPX → kvali round trip."""

from __future__ import annotations

import json
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlite_utils import Database
from test_export_project import build_export_project

from kvali.cli import cli
from kvali.coding.store import save_memo
from kvali.errors import InputError, UnsafeInputError
from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx
from kvali.refiqda.positions import Convention, PositionMap, choose_convention
from kvali.store import open_db

NS = {"q": "urn:QDA-XML:project:1.0"}
NVIVO = "data/refi-qda/nvivo12-win-sample.qdpx"


@pytest.fixture(scope="module")
def source_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_export_project(tmp_path_factory.mktemp("refi"))
    db = open_db(path, create=False)
    save_memo(db, "code", "civil", "Kontroltegn\x07 og \x0bfjernes i XML.", "jonas")
    db.close()
    return path


@pytest.fixture(scope="module")
def exported(source_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("qdpx") / "project.qdpx"
    export_qdpx(open_db(source_path, create=False), target)
    return target


def project_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def test_export_validates_against_the_schema(exported: Path, shared: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(shared / "data/refi-qda/Project.xsd")))
    root = project_xml(exported)
    assert schema.validate(root), schema.error_log
    assert root.get("origin").startswith("kvali")


def test_export_contents(exported: Path, source_path: Path) -> None:
    db = open_db(source_path, create=False)
    root = project_xml(exported)
    with zipfile.ZipFile(exported) as archive:
        names = set(archive.namelist())
        sources = root.findall(".//q:Sources/q:TextSource", NS)
        assert len(sources) == db.execute("SELECT count(*) FROM documents").fetchone()[0]
        texts = {}
        for source in sources:
            path = source.get("plainTextPath")
            assert path == f"internal://{source.get('guid')}.txt"
            member = f"sources/{source.get('guid')}.txt"
            assert member in names
            texts[source.get("guid")] = archive.read(member).decode("utf-8")
    human = db.execute("SELECT count(*) FROM codings WHERE status IN ('accepted', 'manual')"
                       ).fetchone()[0]
    assert len(root.findall(".//q:Coding", NS)) == human
    stored = {text for (text,) in db.execute(
        "SELECT substr(d.text, c.start + 1, c.\"end\" - c.start) FROM codings c "
        "JOIN documents d ON d.id = c.document_id WHERE c.status = 'manual'")}
    for source in sources:
        for selection in source.findall("q:PlainTextSelection", NS):
            if selection.find("q:Coding", NS) is None:
                continue
            text = texts[source.get("guid")]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] in stored
    users = {u.get("name") for u in root.findall(".//q:User", NS)}
    assert users == {"mette", "jonas"}
    codes = {c.get("name"): c for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    assert codes["Netværksmøder og rådslagning"].get("color") == "#66BB6A"
    assert codes["Borgerens nære netværk"].find("q:Code", NS) is not None  # hierarchy
    aarhus = next(c for c in root.findall(".//q:Case", NS) if c.get("name") == "Aarhus")
    variables = {v.get("guid"): v.get("name") for v in root.findall(".//q:Variable", NS)}
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in aarhus.findall("q:VariableValue", NS)}
    assert values == {"region": "Region Midtjylland", "size_class": "stor",
                      "kommunekode": "751"}
    assert aarhus.findall("q:SelectionRef", NS)  # Aarhus speaks in a group interview
    notes = [n.find("q:PlainTextContent", NS).text for n in root.findall(".//q:Note", NS)]
    assert "Kontroltegn og fjernes i XML." in notes
    assert len(notes) == 5  # project, document, two code memos, one coding memo


def test_round_trip_keeps_codes_codings_memos_and_cases(exported: Path, source_path: Path,
                                                        tmp_path: Path) -> None:
    before = open_db(source_path, create=False)
    after = open_db(tmp_path / "fresh.db")
    report = import_qdpx(after, exported)
    assert report.skipped == []

    def codes(db: Database) -> set[tuple]:
        return set(db.execute("SELECT key, name, color, parent_key, description FROM codes"))

    def codings(db: Database) -> Counter:
        return Counter(db.execute(
            'SELECT d.sha256, c.start, c."end", c.code_key, c.coder, c.memo FROM codings c '
            "JOIN documents d ON d.id = c.document_id WHERE c.status IN ('accepted', 'manual')"))

    def memos(db: Database) -> set[tuple]:
        return set(db.execute(
            "SELECT m.target_type, coalesce(d.sha256, m.target), m.coder, m.text FROM memos m "
            "LEFT JOIN documents d ON m.target_type = 'document' AND d.id = m.target"))

    def segment_cases(db: Database) -> set[tuple]:
        return set(db.execute(
            "SELECT d.sha256, s.start, s.\"end\", c.name FROM segments s JOIN documents d "
            "ON d.id = s.document_id JOIN cases c ON c.id = s.case_id"))

    assert codes(after) == codes(before)
    assert codings(after) == codings(before)
    assert sum(codings(after).values()) == 13
    assert report.codings == before.execute("SELECT count(*) FROM codings").fetchone()[0]
    assert memos(after) == {(t, target, coder, text.replace("\x07", "").replace("\x0b", ""))
                            for t, target, coder, text in memos(before)}
    assert set(after.execute("SELECT name FROM cases")) == set(before.execute(
        "SELECT name FROM cases"))
    assert segment_cases(after) == segment_cases(before)
    kinds = dict(after.execute("SELECT name, kind FROM documents"))
    assert kinds["survey: Bemærkninger"] == "survey" and kinds["Notat om netværk"] == "report"
    with pytest.raises(InputError, match="already been imported"):
        import_qdpx(after, exported)


def test_nvivo_sample_import(shared: Path, tmp_path: Path) -> None:
    db = open_db(tmp_path / "nvivo.db")
    report = import_qdpx(db, shared / NVIVO)
    assert (report.documents, report.codes, report.codings) == (2, 152, 330)
    assert report.conventions["videos_10_selected"] == "UTF-16 units"
    assert dict(db.execute("SELECT coder, count(*) FROM codings GROUP BY coder")) == \
        {"Gergo": 303, "test_user": 27}
    assert db.execute("SELECT count(*) FROM codes WHERE parent_key IS NULL").fetchone()[0] == \
        len(etree.parse(zipfile.ZipFile(shared / NVIVO).open("project.qde")).findall(
            "q:CodeBook/q:Codes/q:Code", NS))
    assert db.execute("SELECT count(*) FROM codings WHERE segment_id IS NULL").fetchone()[0] == 0
    _positions_land_on_the_same_text(db, shared / NVIVO)


def _positions_land_on_the_same_text(db: Database, path: Path) -> None:
    """Each NVivo selection, cut from the raw file in UTF-16 units, equals the stored coding."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        raw = {name.split("/")[-1][:-4]: archive.read(name).decode("utf-8-sig")
               for name in archive.namelist() if name.endswith(".txt")}
    stored = Counter()
    for text, start, end, guid in db.execute(
            'SELECT d.text, c.start, c."end", a.value FROM codings c JOIN documents d '
            "ON d.id = c.document_id JOIN document_attributes a ON a.document_id = d.id "
            "AND a.key = 'refi_guid'"):
        stored[(guid, text[start:end])] += 1
    expected = Counter()
    for source in root.findall(".//q:TextSource", NS):
        units = raw[source.get("guid")].encode("utf-16-le")
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            piece = units[2 * start:2 * end].decode("utf-16-le").replace("\r\n", "\n")
            expected[(source.get("guid"), unicodedata.normalize("NFC", piece))] += len(
                selection.findall("q:Coding", NS))
    assert stored == expected


def make_qdpx(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def project_with(source: str, selections: list[tuple[int, int]], *,
                 codebook_ns: str | None = None) -> str:
    code_ns = f' xmlns="{codebook_ns}"' if codebook_ns else ""
    chosen = "".join(
        f'<PlainTextSelection guid="00000000-0000-0000-0000-0000000001{i:02d}" '
        f'startPosition="{s}" endPosition="{e}"><Coding guid="00000000-0000-0000-0000-'
        f'0000000002{i:02d}" creatingUser="00000000-0000-0000-0000-000000000009">'
        f'<CodeRef targetGUID="00000000-0000-0000-0000-000000000003"/></Coding>'
        f"</PlainTextSelection>" for i, (s, e) in enumerate(selections))
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="Test">'
        '<Users><User guid="00000000-0000-0000-0000-000000000009" name="Ane"/></Users>'
        f'<CodeBook{code_ns}><Codes><Code guid="00000000-0000-0000-0000-000000000003" '
        'name="Tillid" isCodable="true" color="#abc"/></Codes></CodeBook>'
        '<Sources><TextSource guid="00000000-0000-0000-0000-000000000004" name="Kilde" '
        f'plainTextPath="internal://{source}">{chosen}</TextSource></Sources></Project>')


TEXT = "Første linje 😀 med tillid.\r\nAnden linje om tillid 🙂 igen.\r\nTredje."


def test_utf16_and_crlf_conventions_are_detected(tmp_path: Path) -> None:
    words = ["tillid", "Anden", "Tredje"]
    for convention in (Convention(), Convention(utf16=True), Convention(crlf_as_one=True),
                       Convention(utf16=True, crlf_as_one=True)):
        spans = []
        for word in words:
            start = TEXT.index(word)
            spans.append((_units(TEXT[:start], convention),
                          _units(TEXT[:start + len(word)], convention)))
        assert choose_convention(TEXT, spans) == convention
        positions = PositionMap(TEXT, convention)
        assert [positions.text[slice(*positions.span(*s))] for s in spans] == words


def _units(text: str, convention: Convention) -> int:
    if convention.crlf_as_one:
        text = text.replace("\r\n", "\n")
    return len(text.encode("utf-16-le")) // 2 if convention.utf16 else len(text)


def test_position_map_normalises_like_every_import() -> None:
    raw = "\ufeffe\u0301n\r\nto\x07\u2028tre"
    positions = PositionMap(raw, Convention())
    assert positions.text == "én\nto\ntre"
    assert positions.span(0, 3) == (0, 2)  # "e\u0301n" -> "én" (the BOM is not counted)
    assert positions.span(5, 7) == (3, 5)  # "to", after "\r\n" became "\n"
    assert positions.span(9, 12) == (6, 9)  # "tre", after the control character went
    assert positions.span(0, 99) is None


def test_other_tools_layouts_and_codebook_namespace(tmp_path: Path) -> None:
    start = TEXT.index("Anden")
    units = len(TEXT[:start].replace("\r\n", "\n"))  # code points, CRLF as one
    path = make_qdpx(tmp_path / "other.qdpx", {
        "Project.qde": project_with("Kilde.txt", [(units, units + 5)],
                                    codebook_ns="urn:QDA-XML:codebook:1.0"),
        "Sources/Kilde.txt": TEXT})
    db = open_db(tmp_path / "other.db")
    report = import_qdpx(db, path)
    assert (report.documents, report.codes, report.codings) == (1, 1, 1)
    text, start, end, key, coder = db.execute(
        'SELECT d.text, c.start, c."end", c.code_key, c.coder FROM codings c '
        "JOIN documents d ON d.id = c.document_id").fetchone()
    assert text[start:end] == "Anden" and (key, coder) == ("tillid", "Ane")
    assert db.execute("SELECT color FROM codes").fetchone()[0] == "#AABBCC"


def test_unsafe_archives_are_refused(tmp_path: Path) -> None:
    slip = make_qdpx(tmp_path / "slip.qdpx", {"project.qde": project_with("a.txt", []),
                                              "../../evil.txt": "x"})
    with pytest.raises(UnsafeInputError, match="outside the archive"):
        import_qdpx(open_db(tmp_path / "a.db"), slip)
    entities = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Project name="&b;"/>')
    bomb = make_qdpx(tmp_path / "laughs.qdpx", {"project.qde": entities})
    with pytest.raises(UnsafeInputError, match="DTD"):
        import_qdpx(open_db(tmp_path / "b.db"), bomb)
    zipbomb = make_qdpx(tmp_path / "bomb.qdpx", {"project.qde": project_with("a.txt", []),
                                                 "sources/a.txt": b"\0" * (30 * 1024 * 1024)})
    with pytest.raises(UnsafeInputError, match="zip bomb"):
        import_qdpx(open_db(tmp_path / "c.db"), zipbomb)
    (tmp_path / "plain.qdpx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip"):
        import_qdpx(open_db(tmp_path / "d.db"), tmp_path / "plain.qdpx")
    empty = make_qdpx(tmp_path / "empty.qdpx", {"readme.txt": "hej"})
    with pytest.raises(InputError, match="no project.qde"):
        import_qdpx(open_db(tmp_path / "e.db"), empty)


def test_cli_round_trip(source_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "p.qdpx"
    result = runner.invoke(cli, ["--db", str(source_path), "export", "qdpx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(tmp_path / "new.db"), "import-qdpx", str(target),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["codings"] == 15 and data["documents"] == 4 and data["memos"] == 5  # 13 human


@pytest.mark.parametrize("duplicate", ["source", "code"])
def test_duplicate_guids_are_refused(tmp_path: Path, duplicate: str) -> None:
    """A second source (or a code) with the first source's GUID would take its codings."""
    xml = project_with("a.txt", [(0, 6)])
    source_guid = "00000000-0000-0000-0000-000000000004"
    if duplicate == "source":
        xml = xml.replace("</Sources>", f'<TextSource guid="{source_guid}" name="Anden" '
                          'plainTextPath="internal://b.txt"/></Sources>')
    else:
        xml = xml.replace('Code guid="00000000-0000-0000-0000-000000000003"',
                          f'Code guid="{source_guid}"')
    path = make_qdpx(tmp_path / "dup.qdpx", {"project.qde": xml, "sources/a.txt": TEXT,
                                             "sources/b.txt": "Anden kilde."})
    db = open_db(tmp_path / "p.db")
    with pytest.raises(InputError, match=f"GUID {source_guid} is used by both"):
        import_qdpx(db, path)
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_damaged_qdpx_members_are_one_line(tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "t.qdpx", {"project.qde": project_with("a.txt", [(0, 6)]),
                                           "sources/a.txt": TEXT * 50})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("sources/a.txt")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 2, start + 30):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged archive"):
        import_qdpx(open_db(tmp_path / "p.db"), path)
    latin = make_qdpx(tmp_path / "l.qdpx", {"project.qde": project_with("a.txt", []),
                                            "sources/a.txt": "Første".encode("latin-1")})
    with pytest.raises(InputError, match="not UTF-8"):
        import_qdpx(open_db(tmp_path / "q.db"), latin)


def test_the_exported_project_is_named_after_the_project(source_path: Path,
                                                         tmp_path: Path) -> None:
    """The Project's name is the project's own (its file's stem, as a summary names it), not
    the archive's: the app's download goes through a temporary "export.qdpx"."""
    from kvali.export.downloads import qdpx_bytes

    export_qdpx(open_db(source_path, create=False), tmp_path / "til-nvivo.qdpx")
    named = project_xml(tmp_path / "til-nvivo.qdpx").get("name")
    (tmp_path / "download.qdpx").write_bytes(qdpx_bytes(source_path))
    assert named == project_xml(tmp_path / "download.qdpx").get("name") == source_path.stem
    export_qdpx(open_db(source_path, create=False), tmp_path / "x.qdpx", name="Sundhed 2026")
    assert project_xml(tmp_path / "x.qdpx").get("name") == "Sundhed 2026"
