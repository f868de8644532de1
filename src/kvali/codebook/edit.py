"""Edit codebook.yaml in place (comments and order kept) and bring the project along.

Every edit validates the edited text before it is written, writes it atomically, then syncs the
codes table; codings follow their code by key, so renaming or moving a code loses nothing.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlite_utils import Database

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import log_event, now
from kvali.errors import CodebookError, UsageError

EDITABLE = ("name", "description", "inclusion", "exclusion", "example", "color")
RULE_LISTS = ("keywords", "phrases", "patterns", "exclude")


class CodebookFile:
    """A codebook.yaml loaded for round-trip editing."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 100
        self.yaml.indent(mapping=2, sequence=4, offset=2)
        try:
            self.data = self.yaml.load(self.path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CodebookError(f"{self.path}: cannot read the codebook ({exc})") from None

    def find(self, key: str) -> tuple[CommentedMap, CommentedSeq]:
        """The code's mapping and the list that holds it."""
        stack: list[CommentedSeq] = [self.data["codes"]]
        while stack:
            siblings = stack.pop()
            for node in siblings:
                if node.get("key") == key:
                    return node, siblings
                if node.get("children"):
                    stack.append(node["children"])
        raise UsageError(f"code {key!r} is not in {self.path}")

    def text(self) -> str:
        """The edited YAML text."""
        buffer = io.StringIO()
        self.yaml.dump(self.data, buffer)
        return buffer.getvalue()

    def save(self, db: Database | None = None, actor: str = "kvali") -> None:
        """Validate, write atomically, and sync the project's codes when a db is given."""
        text = self.text()
        codebook, problems = parse_codebook(text, str(self.path))
        if problems or codebook is None:
            raise CodebookError(f"the edit would make the codebook invalid: {problems[0]}")
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".yaml.tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)
        if db is not None:
            sync_codebook(db, codebook, actor)


def update_code(path: Path, db: Database | None, key: str, changes: dict[str, object],
                actor: str) -> None:
    """Change a code's name, description, notes, colour or rule lists."""
    book = CodebookFile(path)
    node, _ = book.find(key)
    for field, value in changes.items():
        if field in EDITABLE:
            _set_or_drop(node, field, value)
        elif field in RULE_LISTS or field == "fuzzy":
            rules = node.setdefault("rules", CommentedMap())
            _set_or_drop(rules, field, value)
        else:
            raise UsageError(f"field {field!r} cannot be edited here")
    book.save(db, actor)


def add_code(path: Path, db: Database | None, key: str, name: str, parent: str | None,
             actor: str, color: str = "#888888") -> None:
    """Add a code at the top level or under a parent."""
    book = CodebookFile(path)
    siblings = book.data["codes"] if parent is None else _children(book.find(parent)[0])
    siblings.append(CommentedMap([("key", key), ("name", name), ("color", color)]))
    book.save(db, actor)


def move_code(path: Path, db: Database | None, key: str, parent: str | None,
              actor: str) -> None:
    """Move a code (with its children) under another parent, or to the top level."""
    book = CodebookFile(path)
    node, siblings = book.find(key)
    if parent is not None and parent in _descendant_keys(node):
        raise UsageError(f"cannot move {key!r} under its own descendant {parent!r}")
    siblings.remove(node)
    target = book.data["codes"] if parent is None else _children(book.find(parent)[0])
    target.append(node)
    book.save(db, actor)


def merge_codes(db: Database, path: Path, source: str, target: str, coder: str) -> int:
    """Merge SOURCE into TARGET in the file and the project; returns the codings moved."""
    if source == target:
        raise UsageError("cannot merge a code into itself")
    book = CodebookFile(path)
    node, siblings = book.find(source)
    into, _ = book.find(target)
    if target in _descendant_keys(node):
        raise UsageError(f"cannot merge {source!r} into its own descendant {target!r}")
    for child in node.get("children") or []:
        _children(into).append(child)
    for field in RULE_LISTS:
        extra = (node.get("rules") or {}).get(field) or []
        if extra:
            rules = into.setdefault("rules", CommentedMap())
            merged = rules.setdefault(field, CommentedSeq())
            merged.extend(item for item in extra if item not in merged)
    siblings.remove(node)
    with db.atomic():
        moved = _move_codings(db, source, target)
        book.save(db, coder)
        db.execute("DELETE FROM tagged_codes WHERE code_key IN (?, ?)", [source, target])
        db.execute("DELETE FROM codes WHERE key = ?", [source])
        log_event(db, coder, "merge", {"source": source, "target": target, "codings": moved})
    return moved


def split_code(db: Database, path: Path, key: str, new_key: str, name: str,
               coding_ids: list[int], coder: str) -> int:
    """Add NEW_KEY beside KEY and move the listed codings of KEY to it."""
    book = CodebookFile(path)
    node, siblings = book.find(key)
    siblings.insert(siblings.index(node) + 1, CommentedMap([
        ("key", new_key), ("name", name), ("color", node.get("color", "#888888"))]))
    with db.atomic():
        book.save(db, coder)
        moved = 0
        for coding_id in coding_ids:
            changed = db.execute("UPDATE codings SET code_key = ?, updated_at = ? "
                                 "WHERE id = ? AND code_key = ?",
                                 [new_key, now(), coding_id, key]).rowcount
            if not changed:
                raise UsageError(f"coding {coding_id} is not coded {key!r}")
            moved += changed
        log_event(db, coder, "split", {"code": key, "new": new_key, "codings": coding_ids})
    return moved


def _move_codings(db: Database, source: str, target: str) -> int:
    """Re-key codings; a coding that would duplicate one already on TARGET is dropped."""
    db.execute(
        "DELETE FROM codings WHERE code_key = ? AND EXISTS (SELECT 1 FROM codings t WHERE "
        't.code_key = ? AND t.document_id = codings.document_id AND t.start = codings.start AND '
        't."end" = codings."end" AND t.coder = codings.coder AND t.status = codings.status)',
        [source, target])
    return db.execute("UPDATE codings SET code_key = ?, updated_at = ? WHERE code_key = ?",
                      [target, now(), source]).rowcount


def _children(node: CommentedMap) -> CommentedSeq:
    if not node.get("children"):
        node["children"] = CommentedSeq()
    return node["children"]


def _descendant_keys(node: CommentedMap) -> set[str]:
    keys, stack = set(), list(node.get("children") or [])
    while stack:
        child = stack.pop()
        keys.add(child.get("key"))
        stack.extend(child.get("children") or [])
    return keys


def _set_or_drop(node: CommentedMap, field: str, value: object) -> None:
    if value in (None, "", []):
        node.pop(field, None)
    else:
        node[field] = value
