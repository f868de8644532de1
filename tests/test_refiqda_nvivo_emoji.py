"""NVivo counts selection positions in UTF-16 code units: an emoji outside the Basic Multilingual
Plane counts two, and "\\r\\n" counts two. After emoji and CRLF line ends every coding must still
land exactly on the words NVivo's user selected (issue 14)."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_refiqda import make_qdpx
from test_refiqda_dialects import NVIVO, codings

from kvali.refiqda.load import import_qdpx
from kvali.refiqda.positions import Convention, PositionMap
from kvali.store import open_db

NS = {"q": "urn:QDA-XML:project:1.0"}
SOURCE = "5f1c2a3b-0000-4000-8000-000000000001"
USER = "5f1c2a3b-0000-4000-8000-0000000000aa"
CODES = {"samarbejde": "5f1c2a3b-0000-4000-8000-0000000000c1",
         "civilsamfund": "5f1c2a3b-0000-4000-8000-0000000000c2",
         "ressourcer": "5f1c2a3b-0000-4000-8000-0000000000c3"}
TEXT = ("I: Hvordan går samarbejdet med foreningerne? 😀\r\n"
        "IP1: 👍🏽 Det går godt med de frivillige foreninger.\r\n"
        "IP2: Vi mangler 🙂 tid til netværket 😀😀 og borgerne.\r\n"
        "IP1: 🇩🇰 Kommunen giver § 18-midler hvert år.\r\n")
CHOSEN = [  # (the words, in TEXT's own line ends; the code)
    ("samarbejdet", "samarbejde"),
    ("👍🏽 Det går godt", "samarbejde"),
    ("frivillige foreninger", "civilsamfund"),
    ("foreninger.\r\nIP2: Vi mangler 🙂 tid", "ressourcer"),
    ("tid til netværket", "ressourcer"),
    ("borgerne", "civilsamfund"),
    ("§ 18-midler", "ressourcer"),
]


def utf16_units(text: str) -> int:
    """How many positions NVivo counts for TEXT: UTF-16 code units (CRLF is two)."""
    return len(text.encode("utf-16-le")) // 2


def nvivo_project(origin: str) -> str:
    """A project.qde as NVivo writes one: empty selection names, positions in UTF-16 units."""
    selections = []
    for index, (words, code) in enumerate(CHOSEN):
        start = TEXT.index(words)
        selections.append(
            f'<PlainTextSelection guid="5f1c2a3b-0000-4000-8000-0000000001{index:02d}" name="" '
            f'startPosition="{utf16_units(TEXT[:start])}" '
            f'endPosition="{utf16_units(TEXT[:start + len(words)])}" creatingUser="{USER}" '
            'creationDateTime="2024-03-01T10:00:00Z">'
            f'<Coding guid="5f1c2a3b-0000-4000-8000-0000000002{index:02d}" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{CODES[code]}"/></Coding></PlainTextSelection>')
    codes = "".join(f'<Code guid="{guid}" name="{name.capitalize()}" isCodable="true"/>'
                    for name, guid in CODES.items())
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<Project xmlns="urn:QDA-XML:project:1.0" name="Frivillige" origin="{origin}" '
            f'basePath="" creatingUserGUID="{USER}">'
            f'<Users><User guid="{USER}" name="Gitte"/></Users>'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
            f'<Sources><TextSource guid="{SOURCE}" name="Interview" '
            f'plainTextPath="internal://{SOURCE}.txt" richTextPath="internal://{SOURCE}.docx">'
            f'{"".join(selections)}</TextSource></Sources></Project>')


@pytest.mark.parametrize("origin", ["NVivo 12 (Windows)", "NVivo for Windows 12.6",
                                    "NVivo 14 (Mac)"])
def test_nvivo_positions_after_emoji_land_on_the_words(tmp_path: Path, origin: str) -> None:
    path = make_qdpx(tmp_path / "nvivo.qdpx", {
        "project.qde": nvivo_project(origin),
        f"Sources/{SOURCE}.txt": codecs.BOM_UTF8 + TEXT.encode("utf-8")})
    db = open_db(tmp_path / "p.db")
    report = import_qdpx(db, path)
    assert report.conventions == {"Interview": "UTF-16 units"}
    assert report.skipped == [] and report.missing == []
    expected = sorted(("Interview", words.replace("\r\n", "\n"), code, "Gitte")
                      for words, code in CHOSEN)
    assert codings(db) == expected
    [stored] = [row[0] for row in db.execute("SELECT text FROM documents")]
    assert stored == TEXT.replace("\r\n", "\n")


def test_the_standard_reading_would_miss_these_words() -> None:
    """The test above means something: read as code points, most selections after an emoji
    (or a CRLF) would land on other text."""
    positions = PositionMap(TEXT, Convention())
    missed = 0
    for words, _code in CHOSEN:
        start = TEXT.index(words)
        span = positions.span(utf16_units(TEXT[:start]), utf16_units(TEXT[:start + len(words)]))
        missed += span is None or positions.text[slice(*span)] != words.replace("\r\n", "\n")
    assert missed >= len(CHOSEN) - 1


EMOJI = "😀"


def with_emoji_before(original: Path, target: Path) -> tuple[int, int]:
    """Copy the NVivo sample with EMOJI inserted into its coded source, right before one of its
    selections (one no other selection runs across), and that source's positions from there on
    moved by two UTF-16 units. Returns (the insertion position, the codings at or after it)."""
    with zipfile.ZipFile(original) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    root = etree.fromstring(members["project.qde"])
    source = max(root.findall(".//q:TextSource", NS),
                 key=lambda s: len(s.findall("q:PlainTextSelection", NS)))
    selections = source.findall("q:PlainTextSelection", NS)
    spans = [(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections]
    free = sorted({start for start, _ in spans
                   if not any(a < start < b for a, b in spans)})
    insert_at = free[len(free) // 2]
    name = source.get("plainTextPath").removeprefix("internal://")
    member = next(m for m in members if m.lower() == f"sources/{name}".lower())
    units = members[member].decode("utf-8-sig").encode("utf-16-le")
    text = (units[:2 * insert_at] + EMOJI.encode("utf-16-le") + units[2 * insert_at:]
            ).decode("utf-16-le")
    members[member] = codecs.BOM_UTF8 + text.encode("utf-8")
    later = 0
    for selection, (start, end) in zip(selections, spans, strict=True):
        if start >= insert_at:
            selection.set("startPosition", str(start + 2))
            later += len(selection.findall("q:Coding", NS))
        if end > insert_at:
            selection.set("endPosition", str(end + 2))
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member_name, data in members.items():
            archive.writestr(member_name, data)
    return insert_at, later


def test_nvivo_sample_with_an_emoji_inserted_codes_the_same_words(shared: Path,
                                                                   tmp_path: Path) -> None:
    original = shared / NVIVO
    modified = tmp_path / "with-emoji.qdpx"
    _insert_at, later = with_emoji_before(original, modified)
    assert later > 0
    before, after = open_db(tmp_path / "before.db"), open_db(tmp_path / "after.db")
    first, second = import_qdpx(before, original), import_qdpx(after, modified)
    assert first.conventions == second.conventions
    assert set(second.conventions.values()) == {"UTF-16 units"}
    assert (second.codings, second.skipped) == (first.codings, first.skipped)
    assert codings(after) == codings(before)
    texts = {name: text for name, text in after.execute("SELECT name, text FROM documents")}
    assert sum(text.count(EMOJI) for text in texts.values()) == sum(
        text.count(EMOJI) for _, text in before.execute("SELECT name, text FROM documents")) + 1
