"""Text files: encodings, mojibake, binary junk, front matter, sidecars, turns and time marks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kvali.errors import InputError
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import read_source
from kvali.ingest.transcript import parse_transcript

DANISH = "Sundhedsplejersken mødte de pårørende på Ærø. Æbler og øl."
REPORT = "\n\n".join([
    "Kommunernes arbejde med det nære netværk\n"
    "National opfølgning 2024",
    "Resumé",
    "Rapporten samler resultaterne af den nationale opfølgning på kommunernes arbejde med"
    " borgerens nære netværk. Undersøgelsen bygger på en spørgeskemaundersøgelse blandt "
    "alle landets kommuner og på casebesøg i seks kommuner. 91 af 98 kommuner har "
    "besvaret spørgeskemaet.",
    "Hovedindtrykket er, at de fleste kommuner inddrager netværket i enkelte sager, men "
    "at kun et mindretal gør det systematisk. Forskellen mellem store og små kommuner er "
    "markant.",
    "1. Baggrund og formål",
    "Med serviceloven og barnets lov er kommunerne forpligtet til at inddrage borgerens "
    "netværk, når det er relevant. Opfølgningen skal vise, hvordan forpligtelsen bliver "
    "omsat i praksis, og hvor kommunerne oplever barrierer.",
    "Figur 1: Andel kommuner, der systematisk inddrager det nære netværk, fordelt på "
    "region\n"
    "Region Hovedstaden: 34 pct.\n"
    "Region Sjælland: 22 pct.\n"
    "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024.\n"
    "Anm.: N = 91. Kommuner, der har svaret \"i høj grad\" eller \"i meget høj grad\".",
    "2. Organisering",
    "I de store kommuner ligger ansvaret for netværksarbejdet ofte i en særskilt enhed "
    "med egne koordinatorer. I de mindre kommuner ligger opgaven typisk hos den enkelte "
    "rådgiver, som skal finde tid til forberedelsen ved siden af sine øvrige sager.",
    "Flere kommuner fremhæver, at familierådslagning kræver mellem 20 og 25 timers "
    "forberedelse, og at det er svært at prioritere med de nuværende sagstal. Det gælder "
    "især på voksenområdet, hvor rammerne er mindre tydelige end på børneområdet.",
    "Figur 2: Hvem har ansvaret for netværksarbejdet?\n"
    "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024.\n"
    "Anm.: Flere svar mulige. N = 91.",
    "Boks 1: Eksempel fra en mellemstor kommune\n"
    "Kommunen har ansat to netværkskoordinatorer, som understøtter rådgiverne med "
    "forberedelse og afholdelse af netværksmøder. Ordningen er finansieret af en pulje og"
    " evalueres i 2025.",
    "3. Samarbejde med civilsamfundet",
    "Samarbejdet med frivillige foreninger er udbredt. To ud af tre kommuner svarer, at "
    "de i høj eller meget høj grad samarbejder med frivillige organisationer om indsatser"
    " for borgere i udsatte positioner. Samarbejdet handler oftest om aktiviteter i "
    "fritiden, bisiddere og væresteder.",
    "Figur 3: Kommunernes samarbejde med frivillige organisationer, 2022 og 2024\n"
    "Region Hovedstaden: 71 pct.\n"
    "Region Sjælland: 64 pct.\n"
    "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024.\n"
    "Anm.: N = 91 (2024) og N = 88 (2022).",
    "Tabel 1: Barrierer for samarbejdet, antal kommuner\n"
    "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024.\n"
    "Anm.: Åbne besvarelser er kodet af analyseteamet.",
    "4. Konklusion",
    "Konklusion: Netværket inddrages oftere end tidligere, men sjældent systematisk.",
    "Opfølgningen peger på tre områder, hvor der er behov for en indsats: tydeligere "
    "rammer på voksenområdet, bedre overgange fra barn til voksen og en mere systematisk "
    "opfølgning på, hvad netværksmøderne fører til. Styrelsen vil i 2025 udgive et "
    "inspirationskatalog med erfaringer fra kommunerne.",
    "NB: Tallene for 2022 er ikke fuldt sammenlignelige med 2024, fordi spørgeskemaet er "
    "ændret.",
]) + "\n"
"""A national follow-up report as an analyst exports it to plain text: headings, paragraphs, and
figure captions with "Kilde:" and "Anm.:" lines (and data lines such as "Region Sjælland: …")
under every figure."""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "cp1252", "latin-1"])
def test_every_supported_encoding_decodes_to_the_same_text(encoding):
    assert decode_bytes(DANISH.encode(encoding), "x.txt") == DANISH


def test_mojibake_is_repaired_exactly():
    broken = DANISH.encode("utf-8").decode("cp1252")
    assert "Ã¸" in broken
    assert decode_bytes(broken.encode("utf-8"), "x.txt") == DANISH


def test_mojibake_that_cannot_be_repaired_is_reported():
    with pytest.raises(InputError, match="x.txt: contains mojibake"):
        decode_bytes("Ã¦ble og ægte æ".encode(), "x.txt")


@pytest.mark.parametrize("data", [b"", b"  \n\r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(data):
    with pytest.raises(InputError, match="x.txt: file is empty"):
        decode_bytes(data, "x.txt")


def test_binary_junk_is_refused():
    junk = bytes(range(256)) * 40
    with pytest.raises(InputError, match="binary"):
        decode_bytes(junk, "x.txt")


def test_normalisation_gives_nfc_and_newlines():
    assert normalise_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert normalise_text("Ae\u0301\ufeff") == "A\u00e9"
    assert normalise_text("a\x00b\x07c") == "abc"


def test_turns_with_time_marks_keep_speaker_and_time():
    text = ("[00:12:34] I: Hvordan gik det?\n"
            "IP1 (00:13): Godt.\nDet var fint.\n"
            "Informant 2: [00:14:02] Enig.\n"
            "Interviewer: Tak.")
    blocks, speakers = parse_transcript(text)
    said = [(b.speaker, b.time, text[b.start:b.end]) for b in blocks]
    assert said == [("I", "00:12:34", "Hvordan gik det?"),
                    ("IP1", "00:13", "Godt.\nDet var fint."),
                    ("Informant 2", "00:14:02", "Enig."),
                    ("Interviewer", None, "Tak.")]
    assert speakers["I"].is_interviewer and not speakers["IP1"].is_interviewer


def test_name_labels_need_two_turns_or_a_declaration():
    text = "Mette Holm: Vi starter.\nJens Berg: Ja.\nMette Holm: Godt.\nKonklusion: intet."
    blocks, speakers = parse_transcript(text)
    assert set(speakers) == {"Mette Holm"}
    assert text[blocks[-1].start:blocks[-1].end] == "Godt.\nKonklusion: intet."


def test_text_without_turns_becomes_paragraphs():
    text = "Første afsnit.\nSamme afsnit.\n\n\nAndet afsnit."
    blocks, speakers = parse_transcript(text)
    assert [text[b.start:b.end] for b in blocks] == ["Første afsnit.\nSamme afsnit.",
                                                     "Andet afsnit."]
    assert speakers == {}


def test_front_matter_is_metadata_not_text(tmp_path):
    path = tmp_path / "i.md"
    path.write_text("---\ntitle: Om netværk\ntema: Netværk\nspeakers:\n  IP1: {role: PPR-leder, "
                    "kommune: Viborg}\n---\nI: Spørgsmål?\nIP1: Svar.\n", encoding="utf-8")
    document = read_source(path, ReadOptions()).documents[0]
    assert document.text.startswith("I: Spørgsmål?")
    assert document.name == "Om netværk" and document.attributes["tema"] == "Netværk"
    assert document.kind == "interview"
    assert (document.speakers["IP1"].role, document.speakers["IP1"].municipality) == (
        "PPR-leder", "Viborg")


def test_a_sidecar_file_gives_speakers_to_any_file(tmp_path):
    (tmp_path / "i.txt").write_text("I: Hej.\nIP1: Hej selv.\n", encoding="cp1252")
    (tmp_path / "i.yaml").write_text("kommune: Odense\nspeakers:\n  IP1: {role: Socialchef}\n",
                                     encoding="utf-8")
    document = read_source(tmp_path / "i.txt", ReadOptions()).documents[0]
    assert document.case == "Odense" and document.speakers["IP1"].role == "Socialchef"


def test_invalid_front_matter_names_file_and_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: x\nspeakers: [unclosed\n---\nTekst.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.md: line \d+: invalid YAML"):
        read_source(path, ReadOptions())


def test_kind_report_never_looks_for_turns(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Konklusion: A.\nKonklusion: B.\n", encoding="utf-8")
    document = read_source(path, ReadOptions(kind="report")).documents[0]
    assert document.kind == "report" and document.speakers == {}


def test_unknown_suffix_is_refused(tmp_path: Path):
    path = tmp_path / "x.odt"
    path.write_bytes(b"abc")
    with pytest.raises(InputError, match="unknown file type '.odt'"):
        read_source(path, ReadOptions())


def test_caption_labels_are_never_speakers():
    text = ("Figur A: Andel kommuner\nKilde: Spørgeskema, 2024.\nAnm.: N = 91.\n"
            "Tabel B2: Barrierer\nKilde: Spørgeskema, 2024.\nAnm.: Flere svar mulige.\n"
            "NB: Foreløbige tal.\nKONKLUSION: Se afsnit 4.\nNB: Se bilag.\n")
    blocks, speakers = parse_transcript(text)
    assert speakers == {} and all(b.speaker is None for b in blocks)
    blocks, speakers = parse_transcript(text, known_interview=True)
    assert speakers == {}, "not even when the caller says it is an interview"


def test_the_report_fixture_has_no_speakers_and_paragraph_blocks():
    blocks, speakers = parse_transcript(REPORT)
    assert speakers == {} and all(b.speaker is None for b in blocks)
    assert REPORT[blocks[1].start:blocks[1].end] == "Resumé"
    assert "Kilde: Spørgeskemaundersøgelse blandt kommunerne, 2024." in REPORT[
        blocks[6].start:blocks[6].end]


def test_recurring_labels_in_a_few_short_paragraphs_are_not_turns():
    long = "Kommunerne arbejder med netværket på mange måder, og forskellene er store. " * 8
    text = (f"{long}\n\nAarhus Kommune: 34 pct.\nOdense Kommune: 22 pct.\n\n{long}\n\n"
            f"Aarhus Kommune: 40 pct.\nOdense Kommune: 25 pct.\n\n{long}")
    assert parse_transcript(text)[1] == {}
    blocks, speakers = parse_transcript(text, known_interview=True)
    assert set(speakers) == {"Aarhus Kommune", "Odense Kommune"}


def test_one_label_that_never_alternates_is_not_a_conversation():
    text = "Anbefaling: Styrk overgangene.\n\nAnbefaling: Følg op på møderne.\n"
    assert parse_transcript(text)[1] == {}


def test_turns_spanning_several_paragraphs_are_still_a_transcript():
    answer = "Vi holder netværksmøder med de pårørende, og det virker godt for borgerne. " * 5
    text = (f"Mette Holm: Hvordan gør I?\n\nJens Berg: {answer}\n\n{answer}\n\n{answer}\n\n"
            f"Mette Holm: Og bagefter?\n\nJens Berg: {answer}\n\n{answer}")
    blocks, speakers = parse_transcript(text)
    assert set(speakers) == {"Mette Holm", "Jens Berg"}
    assert [b.speaker for b in blocks] == ["Mette Holm", "Jens Berg", "Mette Holm", "Jens Berg"]


def test_declared_speakers_keep_a_sparse_transcript_an_interview(tmp_path):
    path = tmp_path / "i.md"
    long = "Her følger en længere beskrivelse af forløbet, som ikke er en replik. " * 10
    path.write_text(f"---\nspeakers:\n  Mette Holm: {{role: Socialchef}}\n---\n{long}\n\n"
                    f"Mette Holm: Vi starter nu.\n\n{long}\n", encoding="utf-8")
    document = read_source(path, ReadOptions()).documents[0]
    assert document.kind == "interview"
    assert [b.speaker for b in document.blocks if b.speaker] == ["Mette Holm"]


def test_report_fixture_imports_as_a_report_cited_by_paragraph(tmp_path):
    (tmp_path / "rapport.txt").write_text(REPORT, encoding="utf-8")
    db = tmp_path / "p.db"
    run = [sys.executable, "-c", "from kvali.cli import main; main()", "--db", str(db)]
    imported = subprocess.run([*run, "import", "rapport.txt"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)
    assert imported.returncode == 0, imported.stderr
    listed = subprocess.run([*run, "documents", "list", "--json"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120)
    [row] = json.loads(listed.stdout)
    assert row["kind"] == "report" and row["segments"] > 20
    from kvali.export.citations import cite
    from kvali.store import open_db
    project = open_db(db, create=False)
    assert project.execute("SELECT count(*) FROM speakers").fetchone()[0] == 0
    segment_id, start = project.execute(
        "SELECT id, start FROM segments WHERE text LIKE 'Kilde:%' ORDER BY id LIMIT 1").fetchone()
    assert REPORT[start:].startswith("Kilde: Spørgeskemaundersøgelse")
    citation = cite(project, [segment_id], target="segment")[segment_id]
    assert citation.position == "afsnit 7" and "tur" not in citation.text()
