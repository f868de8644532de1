"""Danish addresses: a street name with a common suffix and a house number ("Vestergade 12",
"Nørre Allé 3, 2. th."), and a postcode with its town ("8000 Aarhus C", "2100 København Ø")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kvali.privacy.scan.lexicon import FUNCTION_WORDS
from kvali.privacy.scan.model import Finding, entity_key

STREET_SUFFIXES = ("gade", "vej", "allé", "alle", "stræde", "plads", "torv", "boulevard", "park",
                   "vænge", "have", "gyde", "bakke", "bakken", "vang", "vangen", "sti", "stien",
                   "kvarter", "engen", "toften", "kaj", "dige")
_WORD = r"[A-ZÆØÅ][\w'\-]*(?:\.[A-ZÆØÅ]\.?)*"
STREET = re.compile(
    rf"(?<![\w\-.])(?:{_WORD} ){{0,3}}(?=[A-ZÆØÅ])[\w'\-]*?(?i:{'|'.join(STREET_SUFFIXES)})"
    r" \d{1,3}[A-Za-z]?(?!\w)"
    r"(?:,? (?:st|kld|kl|\d{1,2})\.(?: ?(?:th|tv|mf)\.?)?)?"
)
POSTCODE = re.compile(
    r"(?<![\d.,\-])(?P<code>[1-9]\d{3}) (?P<town>[A-ZÆØÅ][a-zæøåé]+(?:[ \-][A-ZÆØÅ][a-zæøåé]+)?)"
    r"(?: (?:[CKNSVØ]|SV|NV|NØ|SØ)(?![\w]))?"
)
YEARS = range(1900, 2100)
DISTRICT = re.compile(r" (?:[CKNSVØ]|SV|NV|NØ|SØ)$")


def street_findings(text: str) -> Iterator[Finding]:
    """Street name + house number (+ floor and side); capitalised function words before the
    street name ("I Vestergade 12") are left out."""
    for match in STREET.finditer(text):
        start = match.start()
        while True:
            word, space, _ = text[start:match.end()].partition(" ")
            if not space or word.casefold() not in FUNCTION_WORDS:
                break
            start += len(word) + 1
        yield Finding(start, match.end(), "address", "address: street name with a street "
                      "suffix and a house number", entity_key("address", text[start:match.end()]))


def postcode_findings(text: str) -> Iterator[Finding]:
    """Postcode 1000-9990 and a capitalised town. A number that could be a year counts only
    with a district letter ("2100 København Ø") or right after a street (", 2000 …")."""
    for match in POSTCODE.finditer(text):
        code, town = int(match["code"]), match["town"]
        if code > 9990 or town.split()[0].casefold() in FUNCTION_WORDS:
            continue
        district = bool(DISTRICT.search(match[0]))
        after_street = text[max(0, match.start() - 2):match.start()] == ", "
        if code in YEARS and not (district or after_street):
            continue
        yield Finding(match.start(), match.end(), "address", "address: postcode and town",
                      entity_key("address", match[0]))
