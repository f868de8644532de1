"""What the scanner reports: one stretch of a document's text that may be personal data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """Offsets into the text, the type, the rule that fired (never the text) and the entity key
    that makes every mention of one person or number the same across the project."""

    start: int
    end: int
    type: str
    reason: str
    entity: str


def entity_key(type_: str, text: str) -> str:
    """The entity of a found text: a CPR number's 10 digits, a phone number's 8, an e-mail
    lower-cased, a name or address casefolded with single spaces."""
    if type_ in ("cpr", "phone"):
        digits = "".join(c for c in text if c.isdigit())
        return digits[-8:] if type_ == "phone" else digits
    if type_ == "email":
        return text.strip().lower()
    return " ".join(text.split()).casefold()
