"""Edit codebook.yaml in place and bring the project along.

An edit is validated, applied to the project in one transaction (codes synced, codings moved,
events logged), committed, and only then written: the new text is staged in a temporary file
beside codebook.yaml before the commit and moved over it after, so a failed step leaves the file
byte-for-byte as it was. A file that changed on disk since it was read is refused. The written
text keeps the file's own layout: ruamel.yaml renders the edit, and only the lines (or, inside
them, the words) that the edit changed are carried over into the original text.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.layout import carry_over, indentation, replace_items, restyled
from kvali.codebook.load import load_codebook_yaml, parse_codebook
from kvali.codebook.model import Codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import log_event, now
from kvali.errors import CodebookError, ProjectError, UsageError
from kvali.safe_yaml import CODEBOOK_BYTES, UnsafeYamlError, check_yaml_file
from kvali.store.db import busy_error

EDITABLE = ("name", "description", "inclusion", "exclusion", "example", "color")
RULE_LISTS = ("keywords", "phrases", "patterns", "exclude")
CODE_ORDER = ("key", "name", "description", "inclusion", "exclusion", "example", "color",
              "parent", "rules", "children")
RULE_ORDER = ("keywords", "phrases", "patterns", "fuzzy", "exclude", "scope")
BOM = "\ufeff".encode()
BLOCK_RULE_LIST = re.compile(rf"^\s*(?:{'|'.join(RULE_LISTS)}):[ \t]*(?:#.*)?$", re.M)


class CodebookChanged(CodebookError):
    """The file was changed by someone else after it was read; nothing was written."""


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes, or None when it cannot be read (or does not exist)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class CodebookFile:
    """A codebook.yaml loaded for round-trip editing; EXPECTED is the digest the caller saw."""

    def __init__(self, path: Path, expected: str | None = None) -> None:
        self.path = Path(path)
        try:
            check_yaml_file(self.path, CODEBOOK_BYTES)
            raw = self.path.read_bytes()
            self.digest = hashlib.sha256(raw).hexdigest()
            self.bom = raw.startswith(BOM)
            self.original = raw.removeprefix(BOM).decode("utf-8").replace("\r\n", "\n")
        except UnsafeYamlError as exc:
            raise CodebookError(str(exc)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CodebookError(f"{self.path}: cannot read the codebook ({exc})") from None
        if expected is not None and expected != self.digest:
            raise self._changed()
        self.newline = "\r\n" if b"\r\n" in raw else "\n"
        self.flow = not BLOCK_RULE_LIST.search(self.original)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = sys.maxsize
        mapping, sequence, offset = indentation(self.original)
        self.yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            self.data = load_codebook_yaml(self.original, str(self.path), self.yaml)
        except YAMLError:
            self.data = None
        if not isinstance(self.data, CommentedMap) or not isinstance(self.data.get("codes"), list):
            raise CodebookError(str(parse_codebook(self.original, str(self.path))[1][0]))
        self.base = self._dump()

    def find(self, key: str) -> tuple[CommentedMap, CommentedSeq]:
        """The code's mapping and the list that holds it."""
        node, siblings, _ = self._locate(key)
        return node, siblings

    def remove(self, key: str) -> CommentedMap:
        """Take a code out of its list; a parent left without children loses `children`."""
        node, siblings, owner = self._locate(key)
        siblings.remove(node)
        if owner is not None and not siblings:
            del owner["children"]
        return node

    def _locate(self, key: str) -> tuple[CommentedMap, CommentedSeq, CommentedMap | None]:
        stack: list[tuple[CommentedSeq, CommentedMap | None]] = [(self.data["codes"], None)]
        while stack:
            siblings, owner = stack.pop()
            for node in siblings:
                if node.get("key") == key:
                    return node, siblings, owner
                if node.get("children"):
                    stack.append((node["children"], node))
        raise UsageError(f"code {key!r} is not in {self.path}")

    def text(self) -> str:
        """The edited text: the original, changed only where the edit changed it."""
        return carry_over(self.original, self.base, self._dump(), self.data)

    def set(self, node: CommentedMap, field: str, value: object) -> None:
        """Set or (for an empty value) drop a field, keeping its style and the field order."""
        if value in (None, "", []):
            node.pop(field, None)
            return
        old = node.get(field)
        if isinstance(value, list):
            items = old if isinstance(old, CommentedSeq) else self.new_list()
            replace_items(items, value)
            value = items
        elif isinstance(value, str):
            value = restyled(old, value)
        if field in node:
            node[field] = value
            return
        order = RULE_ORDER if field in RULE_ORDER else CODE_ORDER
        later = set(order[order.index(field) + 1:])
        node.insert(next((i for i, k in enumerate(node) if k in later), len(node)), field, value)

    def new_list(self) -> CommentedSeq:
        """An empty rule list in the file's style (flow `[a, b]` unless it uses block lists)."""
        items = CommentedSeq()
        if self.flow:
            items.fa.set_flow_style()
        return items

    def save(self, db: Database | None = None, actor: str = "kvali",
             then: Callable[[Database], int] | None = None) -> int:
        """Validate; sync the codes and run THEN in one transaction; commit; write the file.

        Returns what THEN returns (0 without it). The file is untouched when any step fails.
        """
        text = self.text()
        codebook, problems = parse_codebook(text, str(self.path))
        if problems or codebook is None:
            raise CodebookError(f"the edit would make the codebook invalid: {problems[0]}")
        self.check_unchanged()
        staged = self._stage(text)
        try:
            result = self._apply(db, codebook, actor, then)
            os.replace(staged, self.path)
        except OSError as exc:
            raise CodebookError(f"{self.path}: cannot replace the codebook ({exc})") from None
        finally:
            staged.unlink(missing_ok=True)
        return result

    def check_unchanged(self) -> None:
        """Raise CodebookChanged when the file on disk is no longer the one read."""
        if file_digest(self.path) != self.digest:
            raise self._changed()

    def _apply(self, db: Database | None, codebook: Codebook, actor: str,
               then: Callable[[Database], int] | None) -> int:
        if db is None:
            return 0
        try:
            with db.atomic():
                sync_codebook(db, codebook, actor)
                result = then(db) if then else 0
                self.check_unchanged()
        except (sqlite3.IntegrityError, sqlite3.OperationalError) as exc:
            raise busy_error(exc) or ProjectError(
                f"the project refused the edit ({exc}); {self.path} is unchanged") from None
        return result

    def _stage(self, text: str) -> Path:
        """The new text in a fsynced temporary file beside the codebook, with its permissions."""
        try:
            handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                            suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write((BOM if self.bom else b"")
                          + text.replace("\n", self.newline).encode("utf-8"))
                out.flush()
                os.fsync(out.fileno())
            shutil.copymode(self.path, name)
        except OSError as exc:
            raise CodebookError(f"{self.path}: cannot write the codebook ({exc})") from None
        return Path(name)

    def _dump(self) -> str:
        buffer = io.StringIO()
        self.yaml.dump(self.data, buffer)
        return buffer.getvalue()

    def _changed(self) -> CodebookChanged:
        return CodebookChanged(
            f"{self.path} changed on disk since it was opened; reload it and repeat the edit",
            danish=f"Kodebogen {self.path.name} er ændret på disken, siden den blev åbnet, så "
                   "ændringen er ikke gemt. Indlæs filen igen, og gentag ændringen.")


def reload_codebook(db: Database, path: Path, actor: str) -> str:
    """Load the file as it is now into the project; returns the digest of what was loaded."""
    require("codebook")
    book = CodebookFile(path)
    codebook, problems = parse_codebook(book.original, str(book.path))
    if problems or codebook is None:
        raise CodebookError(str(problems[0]))
    sync_codebook(db, codebook, actor)
    return book.digest


def update_code(path: Path, db: Database | None, key: str, changes: dict[str, object],
                actor: str, expected: str | None = None) -> None:
    """Change a code's name, description, notes, colour or rule lists."""
    require("codebook")
    book = CodebookFile(path, expected)
    node, _ = book.find(key)
    for field, value in changes.items():
        if field in EDITABLE:
            book.set(node, field, value)
        elif field in RULE_LISTS or field == "fuzzy":
            if "rules" not in node:
                book.set(node, "rules", CommentedMap())
            book.set(node["rules"], field, value)
            if not node["rules"]:
                del node["rules"]
        else:
            raise UsageError(f"field {field!r} cannot be edited here")
    book.save(db, actor)


def add_code(path: Path, db: Database | None, key: str, name: str, parent: str | None,
             actor: str, color: str = "#888888", expected: str | None = None) -> None:
    """Add a code at the top level or under a parent."""
    require("codebook")
    book = CodebookFile(path, expected)
    siblings = book.data["codes"] if parent is None else _children(book.find(parent)[0])
    first = book.data["codes"][0] if book.data["codes"] else None
    like = first.get("color") if isinstance(first, CommentedMap) else None  # its quoting
    siblings.append(CommentedMap([("key", key), ("name", name), ("color", restyled(like, color))]))
    book.save(db, actor)


def move_code(path: Path, db: Database | None, key: str, parent: str | None,
              actor: str, expected: str | None = None) -> None:
    """Move a code (with its children) under another parent, or to the top level."""
    require("codebook")
    book = CodebookFile(path, expected)
    node = book.find(key)[0]
    if parent is not None and parent in _descendant_keys(node) | {key}:
        raise UsageError(f"cannot move {key!r} under itself or its descendant {parent!r}")
    book.remove(key)
    target = book.data["codes"] if parent is None else _children(book.find(parent)[0])
    target.append(node)
    book.save(db, actor)


def merge_codes(db: Database, path: Path, source: str, target: str, coder: str,
                expected: str | None = None) -> int:
    """Merge SOURCE into TARGET in the file and the project; returns the codings moved."""
    require("codebook")
    if source == target:
        raise UsageError("cannot merge a code into itself")
    book = CodebookFile(path, expected)
    node = book.find(source)[0]
    into = book.find(target)[0]
    if target in _descendant_keys(node):
        raise UsageError(f"cannot merge {source!r} into its own descendant {target!r}")
    for child in node.get("children") or []:
        _children(into).append(child)
    for field in RULE_LISTS:
        extra = (node.get("rules") or {}).get(field) or []
        if extra:
            if "rules" not in into:
                book.set(into, "rules", CommentedMap())
            merged = list(into["rules"].get(field) or [])
            book.set(into["rules"], field, merged + [i for i in extra if i not in merged])
    book.remove(source)

    def move(db: Database) -> int:
        moved = _move_codings(db, source, target)
        db.execute("DELETE FROM tagged_codes WHERE code_key IN (?, ?)", [source, target])
        db.execute("DELETE FROM codes WHERE key = ?", [source])
        log_event(db, coder, "merge", {"source": source, "target": target, "codings": moved})
        return moved

    return book.save(db, coder, move)


def split_code(db: Database, path: Path, key: str, new_key: str, name: str,
               coding_ids: list[int], coder: str, expected: str | None = None) -> int:
    """Add NEW_KEY beside KEY and move the listed codings of KEY to it."""
    require("codebook")
    book = CodebookFile(path, expected)
    node, siblings = book.find(key)
    siblings.insert(siblings.index(node) + 1, CommentedMap([
        ("key", new_key), ("name", name), ("color", node.get("color", "#888888"))]))

    def move(db: Database) -> int:
        for coding_id in coding_ids:
            changed = db.execute("UPDATE codings SET code_key = ?, updated_at = ? "
                                 "WHERE id = ? AND code_key = ?",
                                 [new_key, now(), coding_id, key]).rowcount
            if not changed:
                raise UsageError(f"coding {coding_id} is not coded {key!r}")
        log_event(db, coder, "split", {"code": key, "new": new_key, "codings": coding_ids})
        return len(coding_ids)

    return book.save(db, coder, move)


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
