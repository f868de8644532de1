"""What another tool's project elements and codes need: a Description's text, a free key,
and a new `codes` row."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from sqlite_utils import Database

from kvali.codebook.model import Code


def description_of(element: Element | None) -> str:
    """The stripped text of an element's Description child, or ''."""
    description = element.find("Description") if element is not None else None
    return (description.text or "").strip() if description is not None else ""


def unused_key(key: str, existing: dict) -> str:
    """KEY_2, KEY_3 … : the first not in EXISTING."""
    number = 2
    while f"{key}_{number}" in existing:
        number += 1
    return f"{key}_{number}"


def insert_code(db: Database, code: Code, key: str, parent: str | None, top: int) -> None:
    """A code from another tool as a new `codes` row (no rules), top-level ones after TOP."""
    db.execute(
        "INSERT INTO codes (key, name, description, inclusion, exclusion, example, color, "
        "parent_key, position, rules, rules_hash, active) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '', 1)",
        [key, code.name, code.description, code.inclusion, code.exclusion, code.example,
         code.color, parent, code.position + (top if parent is None else 0)])
