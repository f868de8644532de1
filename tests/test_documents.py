"""Readers for .docx, .pdf, .srt/.vtt and the safety checks for zip and XML; fixtures built here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from kvali.errors import InputError, UnsafeInputError
from kvali.importer import import_paths
from kvali.ingest.docx import read_docx
from kvali.ingest.model import ParsedDocument, ReadOptions
from kvali.ingest.pdf import read_pdf
from kvali.ingest.pdf_layout import Line, drop_running_heads, join_two
from kvali.ingest.safety import (
    check_file_size,
    check_xml_parts,
    open_zip_safely,
    parse_xml_safely,
)
from kvali.ingest.subtitles import normalise_time, read_subtitles

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
)


def texts(document: ParsedDocument) -> list[str]:
    """The text of every block."""
    return [document.text[b.start:b.end] for b in document.blocks]


# --- .docx ------------------------------------------------------------------------------------


def save_docx(path: Path, paragraphs: list[str | tuple[str, str, str]], *,
              title: str | None = None) -> Path:
    """A .docx whose paragraphs are plain strings or (bold part, plain part, "") triples."""
    document = docx.Document()
    if title:
        document.core_properties.title = title
    for paragraph in paragraphs:
        if isinstance(paragraph, str):
            document.add_paragraph(paragraph)
            continue
        bold, plain, _ = paragraph
        added = document.add_paragraph()
        added.add_run(bold).bold = True
        added.add_run(plain)
    document.save(path)
    return path


def rewrite_zip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy a zip, replacing (or adding) the named members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename not in replace:
                new.writestr(item, old.read(item.filename))
        for name, data in replace.items():
            new.writestr(name, data)
    return target


def test_docx_paragraphs_become_blocks_of_a_report(tmp_path):
    path = save_docx(tmp_path / "notat.docx", [
        "Første afsnit om samarbejdet.", "", "Andet afsnit om netværket.",
    ], title="Notat om netværk")
    document = read_docx(path, ReadOptions()).documents[0]
    assert document.kind == "report"
    assert document.text == "Første afsnit om samarbejdet.\n\nAndet afsnit om netværket."
    assert texts(document) == ["Første afsnit om samarbejdet.", "Andet afsnit om netværket."]
    assert document.attributes["title"] == "Notat om netværk"
    assert all(b.speaker is None for b in document.blocks)


def test_docx_table_cells_keep_document_order(tmp_path):
    word = docx.Document()
    word.add_paragraph("Før tabellen.")
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Celle et."
    table.cell(0, 1).text = "Celle to."
    word.add_paragraph("Efter tabellen.")
    word.save(tmp_path / "tabel.docx")
    document = read_docx(tmp_path / "tabel.docx", ReadOptions()).documents[0]
    assert texts(document) == ["Før tabellen.", "Celle et.", "Celle to.", "Efter tabellen."]


def test_docx_bold_labels_are_speaker_turns(tmp_path):
    path = save_docx(tmp_path / "interview.docx", [
        ("Interviewer:", " Hvordan samarbejder I med lægerne?", ""),
        ("Mette Holm", ": Vi holder faste møder.", ""),
        ("Mette Holm:", "\tDet fungerer godt.", ""),
        ("Overskrift i fed", "", ""),
    ])
    document = read_docx(path, ReadOptions()).documents[0]
    assert document.kind == "interview"
    assert [(b.speaker, t) for b, t in zip(document.blocks, texts(document), strict=True)] == [
        ("Interviewer", "Hvordan samarbejder I med lægerne?"),
        ("Mette Holm", "Vi holder faste møder."),
        ("Mette Holm", "Det fungerer godt.\n\nOverskrift i fed"),
    ]
    assert document.text.startswith("Interviewer: Hvordan")
    assert document.speakers["Interviewer"].is_interviewer
    assert document.speakers["Mette Holm"].name == "Mette Holm"


def test_docx_plain_labels_and_kind_option(tmp_path):
    path = save_docx(tmp_path / "plain.docx", [
        "I: Hvad fylder mest?", "IP1: Overgangen til voksenområdet.", "IP2: Det gør den også her.",
    ])
    document = read_docx(path, ReadOptions()).documents[0]
    assert [b.speaker for b in document.blocks] == ["I", "IP1", "IP2"]
    assert texts(document)[1] == "Overgangen til voksenområdet."
    as_report = read_docx(path, ReadOptions(kind="report")).documents[0]
    assert as_report.kind == "report"
    assert all(b.speaker is None for b in as_report.blocks)


def test_docx_that_is_not_a_zip_is_invalid(tmp_path):
    path = tmp_path / "brudt.docx"
    path.write_bytes(b"this is not a word document at all")
    with pytest.raises(InputError, match=r"brudt\.docx: is not a valid \.docx"):
        read_docx(path, ReadOptions())


def test_docx_zip_without_word_parts_is_invalid(tmp_path):
    path = tmp_path / "tom.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hej")
    with pytest.raises(InputError, match=r"is not a valid \.docx"):
        read_docx(path, ReadOptions())


def test_password_protected_docx_is_named_as_such(tmp_path):
    path = tmp_path / "hemmelig.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    with pytest.raises(InputError, match="is password-protected or encrypted"):
        read_docx(path, ReadOptions())


def test_zip_bomb_is_refused_without_extracting(tmp_path, monkeypatch):
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 1024 * 1024

    def never(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(UnsafeInputError, match="zip bomb"):
        read_docx(path, ReadOptions())


def test_zip_limits_on_members_and_total_size(tmp_path):
    path = tmp_path / "mange.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(20):
            archive.writestr(f"sources/{number}.txt", "x" * 1000)
    with pytest.raises(UnsafeInputError, match="20 members, more than 10"):
        open_zip_safely(path, max_members=10)
    with pytest.raises(UnsafeInputError, match="would unpack to"):
        open_zip_safely(path, max_total_bytes=10_000)
    with open_zip_safely(path) as archive:
        assert len(archive.namelist()) == 20


@pytest.mark.parametrize("name", ["../../evil.txt", "/etc/evil.txt", "word/../../evil.txt",
                                  "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_names_are_refused(tmp_path, name):
    path = tmp_path / "slip.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ok.xml", "<a/>")
        archive.writestr(zipfile.ZipInfo(name), "boo")
    with pytest.raises(UnsafeInputError, match="outside the archive"):
        open_zip_safely(path)


def test_encrypted_zip_member_is_refused(tmp_path):
    path = tmp_path / "krypteret.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", b"<x/>")
    data = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + flag_offset] |= 0x1  # the "encrypted" bit
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="password-protected or encrypted"):
        open_zip_safely(path)


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_docx_with_xml_entity_tricks_is_refused(tmp_path, payload):
    plain = save_docx(tmp_path / "plain.docx", ["Et helt almindeligt afsnit."])
    path = rewrite_zip(plain, tmp_path / "tricks.docx", {"word/document.xml": payload})
    with pytest.raises(UnsafeInputError, match="word/document.xml declares a DTD"):
        read_docx(path, ReadOptions())


def test_utf16_xml_part_with_a_dtd_is_found(tmp_path):
    path = tmp_path / "utf16.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_rels/.rels", EXTERNAL_ENTITY.decode().encode("utf-16"))
    with zipfile.ZipFile(path) as archive, pytest.raises(UnsafeInputError, match="DTD"):
        check_xml_parts(archive, str(path))


def test_parse_xml_safely():
    root = parse_xml_safely(b"<codebook><code name='Netv\xc3\xa6rk'/></codebook>", "cb.xml")
    assert root.find("code").get("name") == "Netværk"
    for payload in (BILLION_LAUGHS, EXTERNAL_ENTITY, b"<!DOCTYPE a><a/>"):
        with pytest.raises(UnsafeInputError, match="cb.xml"):
            parse_xml_safely(payload, "cb.xml")
    with pytest.raises(InputError, match="not well-formed") as caught:
        parse_xml_safely(b"<a><b></a>", "cb.xml")
    assert not isinstance(caught.value, UnsafeInputError)


def test_check_file_size_names_size_limit_and_option(tmp_path):
    path = tmp_path / "stor.txt"
    path.write_bytes(b"x" * 3_000_000)
    check_file_size(path, 5 * 1024 * 1024)
    limit = r"2\.9 MB, more than the limit of 1\.0 MB.*--max-mb"
    with pytest.raises(UnsafeInputError, match=limit):
        check_file_size(path, 1024 * 1024)


def test_import_of_unsafe_docx_leaves_nothing_behind(fresh_db, tmp_path):
    good = save_docx(tmp_path / "god.docx", ["IP1: Vi ringer til de pårørende.",
                                             "IP2: Vi holder netværksmøder."])
    rewrite_zip(good, tmp_path / "ond.docx", {"word/document.xml": BILLION_LAUGHS})
    report = import_paths(fresh_db, [tmp_path], ReadOptions())
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {"god.docx": "imported", "ond.docx": "failed"}
    assert "DTD" in report.failed[0].error
    names = [row[0] for row in fresh_db.execute("SELECT name FROM documents")]
    assert names == ["god"]
    text, = fresh_db.execute("SELECT text FROM documents").fetchone()
    for start, end, stored in fresh_db.execute('SELECT start, "end", text FROM segments'):
        assert text[start:end] == stored


# --- .pdf -------------------------------------------------------------------------------------


def pdf_bytes(pages: list[list[tuple[int, int, int, str]]]) -> bytes:
    """A minimal PDF: each page a list of (x, y, font size, text) lines in Helvetica/WinAnsi."""
    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in at the end
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        operations = []
        for x, y, size, text in lines:
            raw = text.encode("cp1252", errors="replace").replace(b"\\", b"\\\\")
            raw = raw.replace(b"(", b"\\(").replace(b")", b"\\)")
            operations.append(b"BT /F1 %d Tf %d %d Td (%s) Tj ET" % (size, x, y, raw))
        stream = b"\n".join(operations)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       b"<< /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects)))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


REPORT_PAGES = [
    [
        (72, 800, 9, "Rapport om kommunernes samarbejde"),
        (72, 760, 16, "Indledning"),
        (72, 730, 11, "Kommunerne beskriver et tæt sam-"),
        (72, 716, 11, "arbejde med 17-"),
        (72, 702, 11, "årige og deres familier i Høje-"),
        (72, 688, 11, "Taastrup og Aarhus."),
        (72, 660, 11, "Et nyt afsnit begynder her, og det fortsætter på den"),
        (290, 40, 9, "1"),
    ],
    [
        (72, 800, 9, "Rapport om kommunernes samarbejde"),
        (72, 760, 11, "næste side uden at blive delt."),
        (72, 732, 11, "Sidste afsnit om IT-"),
        (72, 718, 11, "systemer og børne-"),
        (72, 704, 11, "og ungeområdet."),
        (290, 40, 9, "2"),
    ],
]


def write_pdf(path: Path, pages: list[list[tuple[int, int, int, str]]]) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def test_pdf_paragraphs_pages_and_hyphenation(tmp_path):
    path = write_pdf(tmp_path / "rapport.pdf", REPORT_PAGES)
    document = read_pdf(path, ReadOptions()).documents[0]
    assert document.kind == "report"
    assert document.name == "rapport"
    assert [(b.page, t) for b, t in zip(document.blocks, texts(document), strict=True)] == [
        (1, "Indledning"),
        (1, "Kommunerne beskriver et tæt samarbejde med 17-årige og deres familier i "
            "Høje-Taastrup og Aarhus."),
        (1, "Et nyt afsnit begynder her, og det fortsætter på den næste side uden at blive delt."),
        (2, "Sidste afsnit om IT-systemer og børne- og ungeområdet."),
    ]
    assert "Rapport om kommunernes" not in document.text
    assert document.text == "\n\n".join(texts(document))


def test_pdf_as_interview_finds_turns_with_pages(tmp_path):
    pages = [
        [(72, 760, 11, "I: Hvordan inddrager I netværket?"),
         (72, 746, 11, "IP1: Vi spørger borgeren"), (72, 732, 11, "om lov først.")],
        [(72, 760, 11, "IP2: Det gør vi også.")],
    ]
    path = write_pdf(tmp_path / "interview.pdf", pages)
    document = read_pdf(path, ReadOptions(kind="interview")).documents[0]
    assert document.kind == "interview"
    assert [(b.speaker, b.page, t) for b, t in
            zip(document.blocks, texts(document), strict=True)] == [
        ("I", 1, "Hvordan inddrager I netværket?"),
        ("IP1", 1, "Vi spørger borgeren om lov først."),
        ("IP2", 2, "Det gør vi også."),
    ]


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    path = write_pdf(tmp_path / "scannet.pdf", [[], []])
    with pytest.raises(InputError, match=r"has no text layer \(scanned\?\); run OCR first"):
        read_pdf(path, ReadOptions())


def test_encrypted_pdf(tmp_path):
    plain = write_pdf(tmp_path / "plain.pdf", REPORT_PAGES)
    locked = PdfWriter(clone_from=plain)
    locked.encrypt(user_password="hemmelig", owner_password="ejer", algorithm="RC4-128")
    locked.write(tmp_path / "laast.pdf")
    with pytest.raises(InputError, match=r"laast\.pdf: is password-protected"):
        read_pdf(tmp_path / "laast.pdf", ReadOptions())
    owner_only = PdfWriter(clone_from=plain)
    owner_only.encrypt(user_password="", owner_password="ejer", algorithm="RC4-128")
    owner_only.write(tmp_path / "aaben.pdf")
    document = read_pdf(tmp_path / "aaben.pdf", ReadOptions()).documents[0]
    assert "samarbejde med 17-årige" in document.text


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "brudt.pdf"
    path.write_bytes(b"%PDF-1.4\nnothing useful here\n")
    with pytest.raises(InputError, match=r"brudt\.pdf: is not a valid PDF"):
        read_pdf(path, ReadOptions())


def test_pdf_reading_is_stopped_at_the_timeout(tmp_path):
    path = write_pdf(tmp_path / "langsom.pdf", REPORT_PAGES)
    with pytest.raises(UnsafeInputError, match="took longer than 0.001 s"):
        read_pdf(path, ReadOptions(pdf_timeout_s=0.001))


@pytest.mark.parametrize(("left", "right", "joined"), [
    ("et tæt sam-", "arbejde", "et tæt samarbejde"),
    ("med 17-", "årige", "med 17-årige"),
    ("i Høje-", "Taastrup", "i Høje-Taastrup"),
    ("om IT-", "systemer", "om IT-systemer"),
    ("børne-", "og ungeområdet", "børne- og ungeområdet"),
    ("blød\u00ad", "bindestreg", "blødbindestreg"),
    ("slut.", "Ny linje", "slut. Ny linje"),
    ("tal -", "5", "tal - 5"),
])
def test_join_two_lines(left, right, joined):
    assert join_two(left, right) == joined


def test_running_heads_and_page_numbers_are_dropped():
    pages = [[Line(f"Kapitel 1 Indledning {n + 1}", 800, 9),
              Line(f"Tekst på side {n}", 700, 11),
              Line(f"Side {n + 1} af 4", 40, 9)] for n in range(4)]
    pages[2][0] = Line("Kapitel 2 Metode 3", 800, 9)
    pages[3][0] = Line("Kapitel 2 Metode 4", 800, 9)
    kept = drop_running_heads(pages)
    assert [[line.text for line in page] for page in kept] == [
        [f"Tekst på side {n}"] for n in range(4)]


# --- .srt / .vtt ------------------------------------------------------------------------------


SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\nI: Hvordan samarbejder I\r\nmed civilsamfundet?\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000\r\n<i>IP1:</i> Vi har frivillige, som\r\n\r\n"
    "3\r\n00:00:06,000 --> 00:00:08,000\r\n{\\an8}kommer hver uge.\r\n\r\n"
    "4\r\n00:00:09,000 --> 00:00:10,000\r\nIP1: Det giver ro &amp; tryghed.\r\n"
)

VTT = """WEBVTT - gruppeinterview
Kind: captions

NOTE Transskriberet af kvali-teamet
over to linjer

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:04.000 align:start position:10%
<v Mette Holm>Vi har faste møder.</v>

00:04.500 --> 01:02:03.250
<v.loud Interviewer>Hvor ofte?
<v Mette Holm>Hver <b>anden</b> uge.
"""


def test_srt_cues_become_timed_turns(tmp_path):
    path = tmp_path / "interview.srt"
    path.write_bytes(b"\xef\xbb\xbf" + SRT.encode("utf-8"))
    source = read_subtitles(path, ReadOptions())
    document = source.documents[0]
    assert document.kind == "interview"
    assert "\r" not in document.text and "\ufeff" not in document.text
    assert [(b.time, b.speaker, t) for b, t in
            zip(document.blocks, texts(document), strict=True)] == [
        ("00:00:01.000", "I", "Hvordan samarbejder I med civilsamfundet?"),
        ("00:00:04.000", "IP1", "Vi har frivillige, som kommer hver uge."),
        ("00:00:09.000", "IP1", "Det giver ro & tryghed."),
    ]
    assert document.text.splitlines() == [
        "I: Hvordan samarbejder I med civilsamfundet?",
        "IP1: Vi har frivillige, som kommer hver uge.",
        "Det giver ro & tryghed.",
    ]
    assert document.speakers["I"].is_interviewer


def test_vtt_voices_notes_styles_and_settings(tmp_path):
    path = tmp_path / "gruppe.vtt"
    path.write_text(VTT, encoding="utf-8")
    document = read_subtitles(path, ReadOptions()).documents[0]
    assert [(b.time, b.speaker, t) for b, t in
            zip(document.blocks, texts(document), strict=True)] == [
        ("00:00:01.000", "Mette Holm", "Vi har faste møder."),
        ("00:00:04.500", "Interviewer", "Hvor ofte?"),
        ("00:00:04.500", "Mette Holm", "Hver anden uge."),
    ]
    assert "NOTE" not in document.text and "color" not in document.text
    assert set(document.speakers) == {"Mette Holm", "Interviewer"}


def test_subtitles_in_windows_1252_and_skipped_junk(tmp_path):
    path = tmp_path / "gammel.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nBørn og unge i Ærø.\n\nløs tekst\n"
                     .encode("cp1252"))
    source = read_subtitles(path, ReadOptions())
    assert source.documents[0].text == "Børn og unge i Ærø."
    assert source.warnings == ["line 5: text without a cue timing was skipped"]


def test_subtitles_without_cues_are_refused(tmp_path):
    path = tmp_path / "tom.vtt"
    path.write_text("WEBVTT\n\nNOTE kun en note\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no subtitle cues"):
        read_subtitles(path, ReadOptions())


@pytest.mark.parametrize(("stamp", "normal"), [
    ("00:01:02,500", "00:01:02.500"), ("01:02.5", "00:01:02.500"), ("1:00:00.000", "01:00:00.000"),
])
def test_normalise_time(stamp, normal):
    assert normalise_time(stamp) == normal
