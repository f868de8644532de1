"""Memos written on the project, a document or a code (coding memos live on the coding row)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class Memo:
    """One coder's memo on a target."""

    id: int
    coder: str
    text: str
    updated_at: str


def memos_for(db: Database, target_type: str, target: str | int) -> list[Memo]:
    """Every coder's memo on the target, newest first."""
    return [Memo(*row) for row in db.execute(
        "SELECT id, coder, text, updated_at FROM memos WHERE target_type = ? AND target = ? "
        "ORDER BY updated_at DESC, id DESC", [target_type, str(target)])]


def memo_text(db: Database, target_type: str, target: str | int, coder: str) -> str:
    """The coder's own memo on the target, or an empty string."""
    row = db.execute("SELECT text FROM memos WHERE target_type = ? AND target = ? AND coder = ?",
                     [target_type, str(target), coder]).fetchone()
    return row[0] if row else ""
