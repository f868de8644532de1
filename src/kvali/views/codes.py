"""The code tree with counts per status, in codebook order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database


@dataclass(frozen=True)
class CodeNode:
    """One code of the tree, with how often it is used."""

    key: str
    name: str
    description: str
    color: str
    parent_key: str | None
    depth: int
    active: bool
    inclusion: str | None
    exclusion: str | None
    example: str | None
    rules: dict = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # status -> codings

    @property
    def coded(self) -> int:
        """Accepted and manual codings."""
        return self.counts.get("accepted", 0) + self.counts.get("manual", 0)

    @property
    def label(self) -> str:
        """The name indented by depth, for pickers."""
        return "\u2003" * self.depth + self.name


def code_counts(db: Database) -> dict[str, dict[str, int]]:
    """code key -> status -> number of codings."""
    counts: dict[str, dict[str, int]] = {}
    for key, status, count in db.execute(
            "SELECT code_key, status, count(*) FROM codings GROUP BY code_key, status"):
        counts.setdefault(key, {})[status] = count
    return counts


def code_tree(db: Database, *, include_inactive: bool = False) -> list[CodeNode]:
    """Codes parents-first in codebook order, each with its depth and counts."""
    rows = list(db.query(
        "SELECT key, name, description, color, parent_key, position, active, inclusion, "
        "exclusion, example, rules FROM codes" + ("" if include_inactive else " WHERE active = 1")))
    counts = code_counts(db)
    children: dict[str | None, list[dict]] = {}
    keys = {row["key"] for row in rows}
    for row in rows:
        parent = row["parent_key"] if row["parent_key"] in keys else None
        children.setdefault(parent, []).append(row)
    tree: list[CodeNode] = []

    def visit(parent: str | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r["position"], r["key"])):
            tree.append(CodeNode(
                key=row["key"], name=row["name"], description=row["description"] or "",
                color=row["color"], parent_key=row["parent_key"], depth=depth,
                active=bool(row["active"]), inclusion=row["inclusion"],
                exclusion=row["exclusion"], example=row["example"],
                rules=json.loads(row["rules"] or "{}"), counts=counts.get(row["key"], {})))
            visit(row["key"], depth + 1)

    visit(None, 0)
    return tree
