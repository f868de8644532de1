"""`normalise_text` with its quick check gives what the full replacement steps give."""

from __future__ import annotations

import random
import re
import unicodedata

from kvali.ingest.encoding import normalise_text

LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
SPECIAL = "\ufeff\r\n\u2028\u2029\x85\f\v\t\x00\x07\x1b\x1f\x7f\ufffe\uffff"
ALPHABET = "abcæøå Å" + "e\u0301" + SPECIAL


def _reference(text: str) -> str:
    """Every step always: BOM, line ends, form feeds, control characters, NFC."""
    text = LINE_BREAKS.sub("\n", text.replace("\ufeff", ""))
    text = CONTROL.sub("", text.replace("\f", "\n").replace("\v", "\n"))
    return unicodedata.normalize("NFC", text)


def test_same_text_as_every_step_on_random_text() -> None:
    rng = random.Random(5)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        assert normalise_text(text) == _reference(text), repr(text)


def test_each_special_character_alone_is_handled() -> None:
    for char in SPECIAL + "\x01\x08\x0e\x1e":
        text = f"før{char}efter"
        assert normalise_text(text) == _reference(text), repr(char)
    assert normalise_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert normalise_text("Ame\u0301lie") == "Amélie"
