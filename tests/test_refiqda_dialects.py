"""Importing other tools' REFI-QDA projects: their path dialects, missing sources, re-imports and
how their selection positions are read (issue 14)."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kvali.cli import cli
from kvali.refiqda.load import import_qdpx
from kvali.refiqda.positions import Convention, PositionMap, choose_convention
from kvali.store import open_db

DATA = Path(__file__).parent / "data" / "refiqda"
NVIVO = "data/refi-qda/nvivo12-win-sample.qdpx"


def zip_folder(name: str, target: Path, *, replace: tuple[str, str] | None = None,
               extra: dict[str, str] | None = None) -> Path:
    """The test project DATA/NAME as a .qdpx (empty folders kept as folder entries)."""
    folder = DATA / name
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("Sources/"), b"")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_text(encoding="utf-8")
                if replace and path.name == "project.qde":
                    data = data.replace(*replace)
                archive.writestr(path.relative_to(folder).as_posix(), data.encode("utf-8"))
        for member, text in (extra or {}).items():
            archive.writestr(member, text.encode("utf-8"))
    return target


def codings(db) -> list[tuple[str, str, str, str]]:
    """(document name, quoted text, code key, coder) of every coding."""
    return sorted((name, text[start:end], key, coder) for name, text, start, end, key, coder in
                  db.execute('SELECT d.name, d.text, c.start, c."end", c.code_key, c.coder '
                             "FROM codings c JOIN documents d ON d.id = c.document_id"))


def test_qualcoder_bare_file_names(tmp_path: Path) -> None:
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, zip_folder("qualcoder", tmp_path / "q.qdpx"))
    assert report.skipped == [] and report.missing == []
    assert (report.documents, report.codes, report.codings) == (1, 1, 1)
    assert codings(db) == [("board_2017", "budgettet", "oekonomi", "ane")]  # name: the stem
    assert db.execute("SELECT description, color FROM codes").fetchone() == (
        "Penge, budget og tilskud", "#1F77B4")
    assert report.conventions == {"board_2017": "code points"}


def test_relative_paths_stay_inside_the_archive(tmp_path: Path) -> None:
    (tmp_path / "hemmelig.txt").write_text("Må ikke læses.", encoding="utf-8")
    path = zip_folder("relative", tmp_path / "sub.qdpx", extra={"hemmelig.txt": "Heller ikke."})
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, path)
    assert codings(db) == [("mødet", "samarbejde", "samarbejde", "Bo")]
    assert report.missing == [{"name": "Udenfor", "path": "relative:///../hemmelig.txt",
                               "reason": "its path '/../hemmelig.txt' points outside the "
                                         "archive", "codings": 0, "why": "outside_archive",
                               "detail": "/../hemmelig.txt"}]
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_missing_sources_keep_the_rest_of_the_project(tmp_path: Path) -> None:
    """An ATLAS.ti 8 export with an empty Sources folder: everything else comes in."""
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, zip_folder("atlas8", tmp_path / "a.qdpx"))
    assert report.documents == 0 and report.codes == 3
    assert [(m["name"], m["codings"]) for m in report.missing] == [("Interview 1", 2),
                                                                   ("Interview 2", 1)]
    assert report.skipped[0] == ("source 'Interview 1' (internal://c3000000-0000-4000-8000-"
                                 "000000000001.txt) skipped: its text file 'internal://c3000000-"
                                 "0000-4000-8000-000000000001.txt' is not in the archive; "
                                 "2 codings lost")
    assert set(db.execute("SELECT key, color, parent_key, description FROM codes")) == {
        ("motivation", "#D62728", None, "Hvorfor frivillige kommer og bliver"),
        ("motivation.faellesskab", "#9467BD", "motivation", ""), ("barrierer", "#8C564B", None, "")}
    assert set(db.execute("SELECT target_type, target, coder, text FROM memos")) == {
        ("project", "project", "Ida", "Alle interviews er fra 2019."),
        ("code", "barrierer", "Jonas", "Tid og transport nævnes oftest.")}
    assert {row[0] for row in db.execute("SELECT name FROM coders")} >= {"Ida", "Jonas"}


def test_cli_exits_3_and_lists_what_was_skipped(tmp_path: Path) -> None:
    runner = CliRunner()
    path = zip_folder("atlas8", tmp_path / "a.qdpx")
    result = runner.invoke(cli, ["--db", str(tmp_path / "p.db"), "import-qdpx", str(path)])
    assert result.exit_code == 3, result.output
    assert "warning: source 'Interview 2'" in result.stderr and "1 coding lost" in result.stderr
    assert "0 documents" in result.stdout
    again = runner.invoke(cli, ["--db", str(tmp_path / "q.db"), "import-qdpx",
                                str(zip_folder("qualcoder", tmp_path / "q.qdpx")), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["conventions"] == {"board_2017": "code points"}


def test_reimport_of_an_overlapping_project_adds_only_what_is_new(tmp_path: Path) -> None:
    db = open_db(tmp_path / "p.db")
    import_qdpx(db, zip_folder("qualcoder", tmp_path / "first.qdpx"))
    second = ('<PlainTextSelection guid="a4000000-0000-4000-8000-000000000002" '
              'startPosition="0" endPosition="11"><Coding guid="a5000000-0000-4000-8000-'
              '000000000002" creatingUser="a1000000-0000-4000-8000-000000000001"><CodeRef '
              'targetGUID="a2000000-0000-4000-8000-000000000001"/></Coding>'
              "</PlainTextSelection></TextSource>")
    path = zip_folder("qualcoder", tmp_path / "second.qdpx", replace=("</TextSource>", second))
    report = import_qdpx(db, path)
    assert (report.documents, report.documents_matched) == (0, 1)
    assert (report.codings, report.codings_existing, report.codes) == (1, 1, 0)
    assert codings(db) == [("board_2017", "Bestyrelsen", "oekonomi", "ane"),
                           ("board_2017", "budgettet", "oekonomi", "ane")]
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


_PIECES = ["tillid ", "😀 ", "kommunen, ", "🙂\r\n", "æble ", "netværk\r\n", "borger "]
_RNG = random.Random(7)
EMOJI_TEXT = "".join(_RNG.choice(_PIECES) for _ in range(400))


def _units(text: str, convention: Convention) -> int:
    if convention.crlf_as_one:
        text = text.replace("\r\n", "\n")
    return len(text.encode("utf-16-le")) // 2 if convention.utf16 else len(text)


def _random_spans(text: str, convention: Convention, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    spans = []
    for _ in range(150):
        start = rng.randrange(len(text) - 12)
        end = start + rng.randint(1, 10)
        spans.append((_units(text[:start], convention), _units(text[:end], convention)))
    return spans


@pytest.mark.parametrize("seed", range(20))
def test_short_arbitrary_selections_are_read_the_standard_way(seed: int) -> None:
    spans = _random_spans(EMOJI_TEXT, Convention(), seed)
    assert choose_convention(EMOJI_TEXT, spans) == Convention()


def test_every_random_selection_lands_on_its_text(tmp_path: Path) -> None:
    spans = _random_spans(EMOJI_TEXT, Convention(), 99)
    selections = "".join(
        f'<PlainTextSelection guid="d4000000-0000-4000-8000-{i:012d}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="d5000000-0000-4000-8000-{i:012d}"><CodeRef '
        'targetGUID="d2000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>'
        for i, (s, e) in enumerate(spans))
    xml = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           'name="t" origin="Test"><CodeBook><Codes><Code guid="d2000000-0000-4000-8000-'
           '000000000001" name="X" isCodable="true"/></Codes></CodeBook><Sources><TextSource '
           'guid="d3000000-0000-4000-8000-000000000001" name="Emoji" plainTextPath="emoji.txt">'
           f"{selections}</TextSource></Sources></Project>")
    path = tmp_path / "e.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("sources/emoji.txt", EMOJI_TEXT.encode("utf-8"))
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, path)
    assert report.conventions == {"Emoji": "code points"}
    positions = PositionMap(EMOJI_TEXT, Convention())
    expected = {positions.span(s, e) for s, e in spans} - {None}  # same spans are one coding
    stored = set(db.execute('SELECT start, "end" FROM codings'))
    assert stored == expected and len(stored) > 100


def test_origin_is_a_prior_that_clear_evidence_overrides() -> None:
    utf16 = Convention(utf16=True)
    arbitrary = _random_spans(EMOJI_TEXT, utf16, 5)
    assert choose_convention(EMOJI_TEXT, arbitrary, origin="NVivo for Windows 12.6") == utf16
    words = [(m, m + len("kommunen")) for m in range(len(EMOJI_TEXT))
             if EMOJI_TEXT.startswith("kommunen", m)][:40]
    assert choose_convention(EMOJI_TEXT, words, origin="NVivo 14") == Convention()
    as_utf16 = [(_units(EMOJI_TEXT[:s], utf16), _units(EMOJI_TEXT[:e], utf16)) for s, e in words]
    assert choose_convention(EMOJI_TEXT, as_utf16) == utf16


def test_selection_names_decide_between_readings() -> None:
    utf16 = Convention(utf16=True)
    rng = random.Random(3)
    starts = [rng.randrange(len(EMOJI_TEXT) - 30) for _ in range(60)]
    spans = [(_units(EMOJI_TEXT[:s], utf16), _units(EMOJI_TEXT[:s + 15], utf16)) for s in starts]
    names = [EMOJI_TEXT[s:s + 15] for s in starts]
    assert choose_convention(EMOJI_TEXT, spans, names=names) == utf16


def test_nvivo_sample_reports_its_reading(shared: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "p.db"), "import-qdpx",
                                      str(shared / NVIVO)])
    assert result.exit_code == 0, result.output
    assert "positions read as " in result.stdout


def test_pdf_representations_transcripts_cases_sets_and_descriptions(tmp_path: Path) -> None:
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, zip_folder("media", tmp_path / "m.qdpx"))
    assert codings(db) == [("Interview Aarhus", "Børnene trives", "trivsel", "Kim"),
                           ("Årsrapport", "økonomien", "oekonomi", "Kim")]
    assert report.skipped == ["source 'Interview Aarhus': 1 coding on audio or video time "
                              "ranges cannot be placed in the transcript; skipped"]
    attributes = set(db.execute("SELECT d.name, a.key, a.value FROM document_attributes a "
                                "JOIN documents d ON d.id = a.document_id WHERE a.key != "
                                "'refi_guid'"))
    assert attributes == {("Årsrapport", "description", "Kommunens årsrapport 2021"),
                          ("Årsrapport", "sets", "Runde 1"),
                          ("Interview Aarhus", "Region", "Midtjylland"),
                          ("Interview Aarhus", "sets", "Runde 1")}
    assert {text for (text,) in db.execute("SELECT text FROM memos")} == {
        "Pilotprojekt om kommunal trivsel", "Aarhus: Storkommune i Midtjylland",
        "Velfærd: Trivsel, Økonomi\n\nKoder om velfærd"}


def test_outside_the_text_decides_only_when_nothing_else_does() -> None:
    utf16 = Convention(utf16=True)
    tail = [(len(EMOJI_TEXT) - 30 + i, len(EMOJI_TEXT) - 20 + i) for i in range(10)]
    as_utf16 = [(_units(EMOJI_TEXT[:s], utf16), _units(EMOJI_TEXT[:e], utf16)) for s, e in tail]
    assert choose_convention(EMOJI_TEXT, as_utf16) == utf16  # past the end in code points
    words = [(m, m + len("kommunen")) for m in range(len(EMOJI_TEXT))
             if EMOJI_TEXT.startswith("kommunen", m)][:40]
    broken = (len(EMOJI_TEXT) - 2, len(EMOJI_TEXT) + 3)  # one damaged selection past the end
    assert choose_convention(EMOJI_TEXT, [*words, broken]) == Convention()


def test_a_text_twice_in_one_project_is_one_document(tmp_path: Path) -> None:
    copy = ('<TextSource guid="a3000000-0000-4000-8000-000000000002" name="Kopi" '
            'plainTextPath="internal://board_2017.txt"><PlainTextSelection guid="a4000000-0000-'
            '4000-8000-000000000002" startPosition="0" endPosition="11"><Coding guid="a5000000-'
            '0000-4000-8000-000000000002"><CodeRef targetGUID="a2000000-0000-4000-8000-'
            '000000000001"/></Coding></PlainTextSelection></TextSource></Sources>')
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, zip_folder("qualcoder", tmp_path / "d.qdpx",
                                        replace=("</Sources>", copy)))
    assert (report.documents, report.documents_matched, report.codings) == (1, 1, 2)
    assert codings(db) == [("board_2017", "Bestyrelsen", "oekonomi", "qdpx"),
                           ("board_2017", "budgettet", "oekonomi", "ane")]


@pytest.mark.parametrize(("reference", "found"), [
    ("C:\\Users\\ane\\Projekt\\board_2017.txt", True),  # the other tool's disk: by file name
    ("file:///home/ane/board_2017.txt", True),
    ("internal://../board_2017.txt", False),
    ("file:///etc/hostname", False),
])
def test_paths_are_only_looked_up_inside_the_archive(tmp_path: Path, reference: str,
                                                      found: bool) -> None:
    path = zip_folder("qualcoder", tmp_path / "p.qdpx",
                      replace=('plainTextPath="board_2017.txt"', f'plainTextPath="{reference}"'))
    report = import_qdpx(open_db(tmp_path / "p.db"), path)
    assert report.documents == int(found)
    assert [m["codings"] for m in report.missing] == ([] if found else [1])
