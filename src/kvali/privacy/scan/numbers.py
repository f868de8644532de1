"""Number-like personal data: CPR numbers, Danish phone numbers and e-mail addresses.

CPR numbers are matched by their shape and date, never by the modulus-11 check (numbers issued
since 2007 need not pass it). The century follows from the seventh digit (the CPR office's rule):
0-3 → 1900s; 4 and 9 → 2000s for years 00-36, else 1900s; 5-8 → 2000s for years 00-57, else
1800s. A number whose date does not exist in that century is no CPR number.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator

from kvali.privacy.scan.model import Finding, entity_key

_NOT_BEFORE_DIGITS = r"(?!\d)(?![.\-/]\d)"
# The "no digit before" test sits after the first digit ((?<!\d\d) there is (?<!\d) before it):
# a pattern that opens with a digit lets the regex engine skip to the next digit in the text
# instead of trying the look-behinds at every character, five times faster on prose.
CPR = re.compile(
    r"(?P<day>\d(?<!\d\d)(?<!\d[.\-/]\d)\d)(?P<dot>\.?)(?P<month>\d\d)(?P=dot)(?P<year>\d\d)"
    + r"[\- .\u2013]?(?P<serial>\d{4})"
    + _NOT_BEFORE_DIGITS
)
PHONE = re.compile(
    r"(?:(?<![\w+])(?:\+|00)45[ \-]?|(?<![\d+])(?<!\d[.\-/ ]))"
    r"(?P<number>[1-9]\d(?: \d\d){3}|[1-9]\d{3} \d{4}|[1-9]\d{7})"
    + _NOT_BEFORE_DIGITS + r"(?! \d)"
)
EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])")
_AMOUNT_BEFORE = re.compile(r"(?:kr\.?|dkk|nr\.?|sagsnr\.?|j\.nr\.?|journalnr\.?|sag)\s*$",
                            re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"\s*(?:kr\b|kroner|dkk|,-)", re.IGNORECASE)
_YEAR_PAIR = re.compile(r"(?:19|20)\d\d (?:19|20)\d\d")


def cpr_century(seventh: int, year: int) -> int:
    """The century of a CPR number's year from its seventh digit."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800


def valid_cpr_date(day: int, month: int, year: int, seventh: int) -> bool:
    """Whether the date of a CPR number exists (30 February and 29 February 1900 do not)."""
    if not 1 <= month <= 12:
        return False
    full_year = cpr_century(seventh, year) + year
    return 1 <= day <= monthrange(full_year, month)[1]


def _cpr_matches(text: str) -> Iterator[re.Match[str]]:
    """The CPR-shaped numbers of the text whose date is valid."""
    for match in CPR.finditer(text):
        day, month, year, serial = (int(match[g]) for g in ("day", "month", "year", "serial"))
        if valid_cpr_date(day, month, year, serial // 1000):
            yield match


def cpr_findings(text: str) -> Iterator[Finding]:
    """CPR numbers (ddmmyy-xxxx, ddmmyyxxxx, ddmmyy xxxx, dd.mm.yy-xxxx) with a valid date."""
    for match in _cpr_matches(text):
        yield Finding(match.start(), match.end(), "cpr", "cpr: ddmmyy-xxxx with a valid date",
                      entity_key("cpr", match[0]))


def count_cpr(text: str) -> int:
    """How many CPR-like numbers the text holds."""
    return sum(1 for _ in _cpr_matches(text))


def phone_findings(text: str) -> Iterator[Finding]:
    """Danish 8-digit phone numbers ("12 34 56 78", "1234 5678", "12345678", "+45 …"), not
    amounts, case numbers or two years."""
    for match in PHONE.finditer(text):
        number = match["number"]
        if _AMOUNT_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        if _AMOUNT_AFTER.match(text, match.end()) or _YEAR_PAIR.fullmatch(number):
            continue
        yield Finding(match.start(), match.end(), "phone",
                      "phone: 8 digits in a Danish grouping", entity_key("phone", number))


def email_findings(text: str) -> Iterator[Finding]:
    """E-mail addresses."""
    for match in EMAIL.finditer(text):
        yield Finding(match.start(), match.end(), "email", "email: name@domain",
                      entity_key("email", match[0]))
