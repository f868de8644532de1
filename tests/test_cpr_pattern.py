"""The CPR pattern that opens with a digit finds what the look-behind-first form finds."""

from __future__ import annotations

import random
import re

from kvali.privacy.scan.numbers import CPR, count_cpr, cpr_findings

# The pattern as first written: the "no digit before" test in front of the day.
REFERENCE = re.compile(
    r"(?<!\d)(?<!\d[.\-/])"
    r"(?P<day>\d\d)(?P<dot>\.?)(?P<month>\d\d)(?P=dot)(?P<year>\d\d)"
    r"[\- .\u2013]?(?P<serial>\d{4})(?!\d)(?![.\-/]\d)"
)
ALPHABET = "0123456789" * 4 + ".-/ \u2013ax\n"


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, dict[str, str]]]:
    return [(m.start(), m.end(), m.groupdict()) for m in pattern.finditer(text)]


def test_same_matches_as_the_reference_on_random_digit_text() -> None:
    rng = random.Random(11)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(8, 24)))
        expected = _spans(REFERENCE, text)
        assert _spans(CPR, text) == expected, text
        found += bool(expected)
    assert found > 1000  # the texts exercised the pattern, not only its misses


def test_digits_or_a_dotted_number_before_are_no_cpr() -> None:
    assert count_cpr("cpr 010190-1234 her") == 1
    assert count_cpr("1010190-1234") == 0
    assert count_cpr("3.010190-1234") == 0
    assert count_cpr("3/010190-1234") == 0
    assert count_cpr("a.010190-1234") == 1
    assert [(f.start, f.end) for f in cpr_findings("x 01.01.90-1234")] == [(2, 15)]
