"""Text files: encodings, mojibake, binary junk, front matter, sidecars, turns and time marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvali.errors import InputError
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import read_source
from kvali.ingest.transcript import parse_transcript

DANISH = "Sundhedsplejersken mødte de pårørende på Ærø. Æbler og øl."


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
