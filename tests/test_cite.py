"""`kvali cite doc:ID:START-END`: the exact quote, its document, and where it stands in the
imported file (line and column of a CRLF/NFD text file, page of a PDF, row and column of a
survey export), or one line saying why the file cannot be used."""

from __future__ import annotations

import csv
import json
import random
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl.utils import get_column_letter
from test_documents import REPORT_PAGES, write_pdf
from test_export_project import open_export_project

from kvali.cli.cite import cite
from kvali.errors import UsageError
from kvali.export.text_map import find_by_letters, normalise_mapped
from kvali.importer import import_paths
from kvali.ingest.encoding import normalise_text
from kvali.ingest.model import ReadOptions
from kvali.privacy.findings import add_manual_text
from kvali.store import open_db

CORPUS_SURVEY = Path(__file__).resolve().parents[1] / "corpus" / "survey"


def run(db_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cite, [*args, "--db", str(db_path)])


def cited(db_path: Path, reference: str, *args: str) -> dict:
    result = run(db_path, reference, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def reference_of(db, document_id: int, phrase: str) -> str:
    text = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
    start = text.index(phrase)
    return f"doc:{document_id}:{start}-{start + len(phrase)}"


def only_document(db) -> int:
    [(document_id,)] = db.execute("SELECT id FROM documents").fetchall()
    return document_id


def test_every_coded_quote_is_exactly_the_stored_slice(tmp_path: Path) -> None:
    db = open_export_project(tmp_path)
    texts = dict(db.execute("SELECT id, text FROM documents"))
    rows = db.execute('SELECT document_id, start, "end" FROM codings').fetchall()
    assert len(rows) > 10
    for document_id, start, end in rows:
        answer = cited(tmp_path / "export.db", f"doc:{document_id}:{start}-{end}")
        assert answer["quote"] == texts[document_id][start:end]
        assert answer["document"]["id"] == document_id
        assert answer["source"]["state"] == "found"
    text = run(tmp_path / "export.db", f"doc:{rows[0][0]}:{rows[0][1]}-{rows[0][2]}").output
    assert text.splitlines()[1] == texts[rows[0][0]][rows[0][1]:rows[0][2]]
    assert "Socialchef, Aarhus" in text and "Kommune: Aarhus, Region Midtjylland" in text


TRANSCRIPT = """---
title: Interview på Fanø
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Fanø}
---
I: Hvordan går det med samarbejdet på øen?
IP1: Det går godt. Vi mødes på rådhuset i Nordby hver uge.
I: Og de pårørende?
IP1: Pårørende og naboer på Sønderho-siden hjælper til, når færgen er aflyst.
"""


def test_line_and_column_in_a_crlf_nfd_transcript(tmp_path: Path) -> None:
    raw = unicodedata.normalize("NFD", TRANSCRIPT).replace("\n", "\r\n")
    path = tmp_path / "fanø.txt"
    path.write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    db = open_db(tmp_path / "p.db")
    assert not import_paths(db, [path], ReadOptions(kind="interview")).failed
    document_id = only_document(db)
    phrase = "naboer på Sønderho-siden hjælper til"
    answer = cited(tmp_path / "p.db", reference_of(db, document_id, phrase))
    assert answer["quote"] == phrase
    # counted independently, in the file's own (NFD, CRLF) lines
    own = unicodedata.normalize("NFD", phrase)
    [(line, column)] = [(number, line.index(own) + 1)
                        for number, line in enumerate(raw.split("\r\n"), start=1) if own in line]
    source = answer["source"]
    assert (source["line"], source["column"]) == (line, column) == (10, 20)
    assert (source["end_line"], source["end_column"]) == (line, column + len(own) - 1)
    assert source["file"] == "fanø.txt" and source["text"].startswith("fanø.txt, linje 10")
    assert len(own) > len(phrase)  # the NFD columns really differ from the stored ones


@pytest.mark.parametrize("seed", range(4))
def test_normalise_mapped_maps_every_character_back(seed: int) -> None:
    pieces = [*"abæøåÆØÅé \n\r\t.\u0301\u030a\x07\ufeff\f\v\u2028\x85", "\r\n",
              "\u1100", "\u1161", "\u11a8", "\uac00", "\u0b47", "\u0b3e", "e\u0301"]
    chooser = random.Random(seed)
    for _ in range(500):
        raw = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
        raw = unicodedata.normalize(chooser.choice(["NFC", "NFD"]), raw)
        text, offsets = normalise_mapped(raw)
        assert text == normalise_text(raw)
        assert len(offsets) == len(text) + 1 and offsets[-1] == len(raw)
        assert offsets == sorted(offsets)
        # every stretch between characters that start in the file normalises to its text
        starts = [i for i in range(len(text) + 1) if i == 0 or offsets[i] != offsets[i - 1]]
        for _ in range(5):
            first, last = sorted(chooser.sample(starts, 2)) if len(starts) > 1 else (0, 0)
            assert normalise_text(raw[offsets[first]:offsets[last]]) == text[first:last], raw


def test_find_by_letters_takes_the_same_occurrence() -> None:
    stored = "Samarbejde er godt. Samarbejde er svært."
    target = "Sam-\narbejde er godt.\n\nSide 2\n\nSam-\narbejde er\nsvært."
    start = stored.rindex("Samarbejde")
    found = find_by_letters(stored, start, len(stored), target)
    assert found is not None and target[found[0]:found[1]] == "Sam-\narbejde er\nsvært"
    across = "Samarbejdet med foreningerne om netværket er blevet tættere i år."
    headed = ("Samarbejdet med foreningerne om\nRapport 2026 side 4\nnetværket er blevet "
              "tættere i år.")
    found = find_by_letters(across, 0, len(across) - 1, headed)
    assert found == (0, len(headed) - 1)
    assert find_by_letters(stored, 0, 3, "ingen") is None
    assert find_by_letters(stored, 19, 20, target) is None  # a span without letters


def test_pdf_page_from_the_file_and_from_the_stored_segments(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "rapport.pdf", REPORT_PAGES)
    db = open_db(tmp_path / "p.db")
    assert not import_paths(db, [path], ReadOptions()).failed
    document_id = only_document(db)
    # the paragraph starts on page 1 and runs on to page 2
    carried = cited(tmp_path / "p.db", reference_of(db, document_id, "uden at blive delt"))
    assert carried["position"]["page"] == 1
    assert carried["source"]["page"] == carried["source"]["end_page"] == 2
    assert carried["source"]["text"] == "rapport.pdf, s. 2"
    first = cited(tmp_path / "p.db", reference_of(db, document_id, "samarbejde med 17-årige"))
    assert (first["source"]["page"], first["position"]["page"]) == (1, 1)
    both = cited(tmp_path / "p.db", reference_of(db, document_id, "på den næste side"))
    assert (both["source"]["page"], both["source"]["end_page"]) == (1, 2)


def test_surveyxact_answer_gives_file_row_and_question_column(tmp_path: Path) -> None:
    folder = tmp_path / "survey"
    shutil.copytree(CORPUS_SURVEY, folder)
    db = open_db(tmp_path / "p.db")
    assert not import_paths(db, [folder], ReadOptions(kind="surveyxact")).failed
    with (folder / "dataset.csv").open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    checked = 0
    for document_id, question, text in db.execute(
            "SELECT id, question, text FROM documents ORDER BY id").fetchall():
        column = rows[0].index(question)
        for start, end in db.execute('SELECT start, "end" FROM responses WHERE document_id = ? '
                                     "ORDER BY start", [document_id]).fetchall():
            found = [number for number, cells in enumerate(rows, start=1)
                     if cells[column].strip() == text[start:end]]
            if len(found) != 1 or checked >= 12:
                continue  # an answer given twice ("Nej") has no row of its own to check
            [row] = found
            answer = cited(tmp_path / "p.db", f"doc:{document_id}:{start}-{end}")
            source = answer["source"]
            assert (source["row"], source["spreadsheet_column"], source["question"]) == \
                (row, get_column_letter(column + 1), question)
            assert source["file"] == "survey/dataset.csv"
            assert answer["respondent"]["key"] == f"respondent {row - 1}"
            checked += 1
    assert checked >= 6


def test_a_moved_or_changed_file_is_one_line_and_the_stored_place_stays(tmp_path: Path) -> None:
    db = open_export_project(tmp_path)
    reference = reference_of(db, 1, "Hos os er det familierådslagning")
    moved = tmp_path / "elsewhere.md"
    (tmp_path / "files" / "netvaerk.md").rename(moved)
    output = run(tmp_path / "export.db", reference).output
    [line] = [line for line in output.splitlines() if line.startswith("I filen:")]
    assert "findes ikke længere" in line and "netvaerk.md" in line
    assert "I projektet: tur 3, 00:01:10; segment " in output
    again = cited(tmp_path / "export.db", reference, "--file", str(moved))
    assert again["source"]["state"] == "found" and again["source"]["line"] == 10
    moved.write_text(moved.read_text(encoding="utf-8") + "\nIP1: Et tillæg.\n",
                     encoding="utf-8")
    changed = cited(tmp_path / "export.db", reference, "--file", str(moved))
    assert changed["source"]["state"] == "changed"
    assert "ikke den, der blev importeret" in changed["source"]["text"]
    assert changed["position"]["turn"] == 3


def test_pseudonymised_quote_and_names(tmp_path: Path) -> None:
    db = open_export_project(tmp_path)
    add_manual_text(db, 1, "familierådslagning", "name", "mette")
    reference = reference_of(db, 1, "Hos os er det familierådslagning, der bærer")
    plain = cited(tmp_path / "export.db", reference)
    assert "familierådslagning" in plain["quote"]
    hidden = cited(tmp_path / "export.db", reference, "--pseudonymise")
    assert hidden["quote"] == "Hos os er det [Person 1], der bærer"
    assert hidden["pseudonymised"] == ["[Person 1]"]
    assert "familierådslagning" not in json.dumps(hidden, ensure_ascii=False)
    assert hidden["citation"].endswith(f"[{reference}; pseudonymiseret: [Person 1]]")


@pytest.mark.parametrize(("reference", "message"), [
    ("doc:abc", "'doc:abc': not a citation reference"),
    ("3:10-20", "'3:10-20': not a citation reference"),
    ("doc:99:1-2", "doc:99:1-2: no document with id 99"),
    ("doc:1:5-5", "doc:1:5-5: the offsets must satisfy"),
    ("doc:1:20-10", "doc:1:20-10: the offsets must satisfy"),
    ("doc:1:0-999999", "doc:1:0-999999: the offsets must satisfy 0 <= START < END <= "),
])
def test_bad_references_are_one_line_naming_them(tmp_path: Path, reference: str,
                                                 message: str) -> None:
    open_export_project(tmp_path).close()
    result = run(tmp_path / "export.db", reference)
    assert isinstance(result.exception, UsageError), result.output
    assert str(result.exception).startswith(message)
    assert "\n" not in str(result.exception) and result.exception.exit_code != 0


def test_a_reference_copied_from_a_report_is_read(tmp_path: Path) -> None:
    db = open_export_project(tmp_path)
    reference = reference_of(db, 2, "De frivillige foreninger")
    answer = cited(tmp_path / "export.db", f"[{reference}; pseudonymiseret: [Person 1]]")
    assert answer["reference"] == reference and answer["quote"] == "De frivillige foreninger"


def test_word_paragraph_subtitle_line_and_xlsx_row(tmp_path: Path) -> None:
    import docx
    import openpyxl

    word = docx.Document()
    for text in ("Indledning", "", "Første afsnit om netværket.", "",
                 "Andet afsnit om frivillige foreninger."):
        word.add_paragraph(text)
    word.save(tmp_path / "notat.docx")
    (tmp_path / "moede.srt").write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nIP1: Vi mødes hver uge\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nIP2: med de frivillige.\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "Svar"
    for row in (["Kommune", "Bemærkninger"], ["Aarhus", "Netværket inddrages tidligt i sager."],
                ["Odense", ""], ["Viborg", "Vi mangler frivillige til netværksarbejdet."]):
        book.active.append(row)
    book.save(tmp_path / "svar.xlsx")
    db = open_db(tmp_path / "p.db")
    for name, options in (("notat.docx", ReadOptions(kind="report")),
                          ("moede.srt", ReadOptions()),
                          ("svar.xlsx", ReadOptions(case_column="Kommune",
                                                    text_columns=["Bemærkninger"]))):
        assert not import_paths(db, [tmp_path / name], options).failed
    ids = dict(db.execute("SELECT kind, id FROM documents"))
    paragraph = cited(tmp_path / "p.db", reference_of(db, ids["report"], "frivillige foreninger"))
    assert paragraph["source"]["paragraph"] == 3  # the empty Word paragraphs are not counted
    cue = cited(tmp_path / "p.db", reference_of(db, ids["interview"], "med de frivillige"))
    assert (cue["source"]["line"], cue["source"]["column"]) == (7, 6)
    assert cue["position"]["time"] == "00:00:04.000"
    answer = cited(tmp_path / "p.db", reference_of(db, ids["survey"], "Vi mangler"))
    assert (answer["source"]["row"], answer["source"]["spreadsheet_column"]) == (4, "B")
    assert answer["source"]["file"] == "svar.xlsx, ark Svar"
