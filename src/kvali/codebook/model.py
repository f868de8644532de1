"""The codebook as Python objects: codes with their hierarchy and auto-coding rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Protocol, TypeVar


@dataclass(frozen=True)
class Keyword:
    """A word matched on lemma and surface form; `compound` also finds it inside compounds."""

    word: str
    compound: bool = True


@dataclass(frozen=True)
class Scope:
    """Where a code's rules apply; empty lists mean everywhere."""

    kinds: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Auto-coding rules of one code."""

    keywords: tuple[Keyword, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    fuzzy: int | None = None
    exclude: tuple[str, ...] = ()
    scope: Scope = Scope()

    @property
    def empty(self) -> bool:
        """True when the code has nothing to match with."""
        return not (self.keywords or self.phrases or self.patterns)

    def to_json(self) -> str:
        """Canonical JSON, stored with the code and hashed to detect rule changes."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    def digest(self) -> str:
        """A short hash of the rules: codings remember which rules produced them."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]


@dataclass
class Code:
    """One code of the codebook; `key` is its identity, everything else may change."""

    key: str
    name: str
    description: str = ""
    inclusion: str | None = None
    exclusion: str | None = None
    example: str | None = None
    color: str = "#888888"
    parent_key: str | None = None
    position: int = 0
    rules: Rules = field(default_factory=Rules)
    line: int = 0  # where the code starts in codebook.yaml (1-based), for messages


@dataclass
class Codebook:
    """All codes in codebook order (parents before their children)."""

    name: str
    version: str
    codes: list[Code]
    path: str = "codebook.yaml"

    def by_key(self) -> dict[str, Code]:
        """Codes by key."""
        return {code.key: code for code in self.codes}

    def path_of(self, key: str) -> list[str]:
        """Keys from the top theme down to the code."""
        codes = self.by_key()
        path = [key]
        while codes[path[0]].parent_key:
            path.insert(0, codes[path[0]].parent_key)
        return path


class TreeNode(Protocol):
    """Anything placed in the code tree: a key and the key of its parent."""

    @property
    def key(self) -> str: ...

    @property
    def parent_key(self) -> str | None: ...


Node = TypeVar("Node", bound=TreeNode)


def children_of(codes: Iterable[Node]) -> dict[str | None, list[Node]]:
    """Codes grouped by parent key, in the given order; a code whose parent is not among the
    codes counts as a top-level code."""
    codes = list(codes)
    keys = {code.key for code in codes}
    children: dict[str | None, list[Node]] = {}
    for code in codes:
        children.setdefault(code.parent_key if code.parent_key in keys else None, []).append(code)
    return children


def tree_order(codes: Iterable[Node]) -> list[Node]:
    """Parents before their children, siblings in the given order (codes in a parent cycle,
    which validation reports, are left out)."""
    children = children_of(codes)
    ordered: list[Node] = []

    def visit(parent: str | None) -> None:
        for code in children.get(parent, []):
            ordered.append(code)
            visit(code.key)

    visit(None)
    return ordered


def subtrees(pairs: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """Each code's key with the keys of all its sub-codes, in the given order, from
    (key, parent key) pairs; cycles (which validation reports) stop the walk."""
    pairs = list(pairs)
    parents = dict(pairs)
    found: dict[str, list[str]] = {key: [key] for key, _ in pairs}
    for key, parent in pairs:
        seen = {key}
        while parent in found and parent not in seen:
            found[parent].append(key)
            seen.add(parent)
            parent = parents.get(parent)
    return found
