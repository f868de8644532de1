"""Bring the codes table in line with a codebook file; keys are the identity of a code.

A code whose name, description or place in the tree changes keeps all its codings. A code that
disappears from the file is deactivated, never deleted, so no human work is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.codebook.model import Code, Codebook, Keyword, Rules, Scope, tree_order
from kvali.coding.store import log_event

FIELDS = ("name", "description", "inclusion", "exclusion", "example", "color", "parent_key",
          "position")


@dataclass
class SyncReport:
    """What loading a codebook changed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # name, description, colour or place
    rules_changed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-friendly."""
        return {"added": self.added, "changed": self.changed,
                "rules_changed": self.rules_changed, "deactivated": self.deactivated}


def sync_codebook(db: Database, codebook: Codebook, actor: str = "kvali") -> SyncReport:
    """Upsert every code of the codebook in one transaction and deactivate the missing ones."""
    report = SyncReport()
    with db.atomic():
        existing = {row["key"]: row for row in db.query("SELECT * FROM codes")}
        db.execute("PRAGMA defer_foreign_keys = ON")
        for code in codebook.codes:
            values = {f: getattr(code, f) for f in FIELDS}
            row = existing.get(code.key)
            rules_hash = code.rules.digest()
            if row is None:
                db.execute(
                    f"INSERT INTO codes (key, {', '.join(FIELDS)}, rules, rules_hash, active) "
                    f"VALUES (?, {', '.join('?' * len(FIELDS))}, ?, ?, 1)",
                    [code.key, *values.values(), code.rules.to_json(), rules_hash])
                report.added.append(code.key)
                continue
            if any(row[f] != v for f, v in values.items()) or not row["active"]:
                report.changed.append(code.key)
            if row["rules_hash"] != rules_hash:
                report.rules_changed.append(code.key)
            db.execute(
                f"UPDATE codes SET {', '.join(f'{f} = ?' for f in FIELDS)}, rules = ?, "
                "rules_hash = ?, active = 1 WHERE key = ?",
                [*values.values(), code.rules.to_json(), rules_hash, code.key])
        keys = {code.key for code in codebook.codes}
        for key, row in existing.items():
            if key not in keys and row["active"]:
                db.execute("UPDATE codes SET active = 0 WHERE key = ?", [key])
                report.deactivated.append(key)
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('codebook_version', ?)",
                   [codebook.version])
        log_event(db, actor, "codebook_load", {"version": codebook.version, **report.to_dict()})
    return report


def stored_codebook(db: Database) -> Codebook:
    """The active codes of the project as a Codebook (what tagging and exports work from)."""
    codes = [code_from_row(row) for row in db.query(
        "SELECT * FROM codes WHERE active = 1 ORDER BY parent_key IS NOT NULL, position")]
    return Codebook(name="project", version=stored_codebook_version(db),
                    codes=tree_order(codes))


def stored_codebook_version(db: Database) -> str:
    """The version of the codebook last loaded into the project, or ''."""
    row = db.execute("SELECT value FROM settings WHERE key = 'codebook_version'").fetchone()
    return row[0] if row else ""


def code_from_row(row: dict) -> Code:
    """A `codes` row (with its rules JSON) as a Code."""
    data = json.loads(row["rules"] or "{}")
    rules = Rules(
        keywords=tuple(Keyword(**k) for k in data.get("keywords", [])),
        phrases=tuple(data.get("phrases", [])), patterns=tuple(data.get("patterns", [])),
        fuzzy=data.get("fuzzy"), exclude=tuple(data.get("exclude", [])),
        scope=Scope(**{k: tuple(v) for k, v in data.get("scope", {}).items()}),
    ) if data else Rules()
    return Code(key=row["key"], name=row["name"], description=row["description"],
                inclusion=row["inclusion"], exclusion=row["exclusion"], example=row["example"],
                color=row["color"], parent_key=row["parent_key"], position=row["position"],
                rules=rules)
