"""The code tree with counts per status, in codebook order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.analysis.kept import kept_counts
from kvali.codebook.model import tree_order
from kvali.selection import Where


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
    """code key -> status -> number of codings (kept up to date, kvali.analysis.kept)."""
    counts: dict[str, dict[str, int]] = {}
    for (key, status), count in sorted(kept_counts(db, "code_status", ("code_key", "status"),
                                                   lambda db: Where(), facts=False).items()):
        counts.setdefault(key, {})[status] = count
    return counts


def recent_codes(db: Database, coder: str, limit: int = 5) -> list[str]:
    """The codes this coder used last (manual codings and accepted suggestions), newest first."""
    return [row[0] for row in db.execute(
        "SELECT code_key FROM codings WHERE coder = ? AND status IN ('manual', 'accepted') "
        "GROUP BY code_key ORDER BY max(id) DESC LIMIT ?", [coder, limit])]


def code_keys(db: Database) -> list[str]:
    """Every code's key (active or not)."""
    return [row[0] for row in db.execute("SELECT key FROM codes ORDER BY key")]


def code_tree(db: Database, *, include_inactive: bool = False) -> list[CodeNode]:
    """Codes parents-first in codebook order, each with its depth and counts."""
    rows = {row["key"]: row for row in db.query(
        "SELECT key, name, description, color, parent_key, position, active, inclusion, "
        "exclusion, example, rules FROM codes" + ("" if include_inactive else " WHERE active = 1")
        + " ORDER BY position, key")}
    counts = code_counts(db)
    depth: dict[str, int] = {}
    tree: list[CodeNode] = []
    for code in tree_order(_TreeCode(key, row["parent_key"]) for key, row in rows.items()):
        row = rows[code.key]
        depth[code.key] = depth[code.parent_key] + 1 if code.parent_key in depth else 0
        tree.append(CodeNode(
            key=row["key"], name=row["name"], description=row["description"] or "",
            color=row["color"], parent_key=row["parent_key"], depth=depth[code.key],
            active=bool(row["active"]), inclusion=row["inclusion"],
            exclusion=row["exclusion"], example=row["example"],
            rules=json.loads(row["rules"] or "{}"), counts=counts.get(row["key"], {})))
    return tree


@dataclass(frozen=True)
class _TreeCode:
    """What the codebook's tree walk needs of a code."""

    key: str
    parent_key: str | None
