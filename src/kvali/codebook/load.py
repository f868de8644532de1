"""Read and validate codebook.yaml; every problem names the file, the line and the code key.

    name: Opfølgningstemaer
    version: "2026.1"           # optional; otherwise a hash of the file
    codes:
      - key: naere_netvaerk      # stable identity, never derived from the name
        name: Borgerens nære netværk
        description: …
        inclusion: …             # optional, like exclusion and example
        color: "#2E7D32"
        rules:
          keywords: [netværk, pårørende, {word: familie, compound: false}]
          phrases: [nære netværk]
          patterns: ['§\\s*18\\b']
          fuzzy: 88
          exclude: [sociale medier]
          scope: {kinds: [interview, survey], questions: [s_2], roles: [Socialchef]}
        children: [ … ]          # or `parent: KEY` on a code listed at the top level
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap

from kvali.codebook.model import Code, Codebook, Keyword, Rules, Scope, tree_order
from kvali.codebook.patterns import PatternError, compile_pattern
from kvali.domain import DOCUMENT_KINDS
from kvali.errors import CodebookError, shorten
from kvali.safe_yaml import CODEBOOK_BYTES, UnsafeYamlError, check_yaml_file, load_yaml

TOP_FIELDS = {"name", "version", "description", "codes"}
CODE_FIELDS = {"key", "name", "description", "inclusion", "exclusion", "example", "color",
               "rules", "children", "parent"}
RULE_FIELDS = {"keywords", "phrases", "patterns", "fuzzy", "exclude", "scope"}
SCOPE_FIELDS = {"kinds", "questions", "roles"}
KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*\Z")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Problem:
    """One validation message."""

    path: str
    line: int
    key: str | None
    message: str

    def __str__(self) -> str:
        key = shorten(self.key) if self.key else ""
        where = f" (code {key if key.isprintable() else repr(key)})" if key else ""
        return f"{self.path}:{self.line}{where}: {self.message}"


def load_codebook(path: str | Path) -> Codebook:
    """The validated codebook; raises CodebookError naming the first problem and the count."""
    codebook, problems = check_codebook(path)
    if problems:
        more = f" (and {len(problems) - 1} more; run `kvali codebook check`)" \
            if len(problems) > 1 else ""
        raise CodebookError(f"{problems[0]}{more}")
    assert codebook is not None
    return codebook


def check_codebook(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Parse and validate; returns the codebook (None when unusable) and every problem found."""
    path = Path(path)
    try:
        check_yaml_file(path, CODEBOOK_BYTES)
        raw = path.read_text(encoding="utf-8-sig")
    except UnsafeYamlError as exc:
        raise CodebookError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 0, None, f"cannot read the codebook ({exc})")]
    return parse_codebook(raw, str(path))


def parse_codebook(raw: str, source: str) -> tuple[Codebook | None, list[Problem]]:
    """Validate codebook text (see the module docstring for the format)."""
    try:
        data = load_codebook_yaml(raw, source)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        return None, [Problem(source, line, None, f"invalid YAML: {getattr(exc, 'problem', exc)}")]
    checker = _Checker(source)
    if not isinstance(data, CommentedMap) or not isinstance(data.get("codes"), list):
        return None, [Problem(source, 1, None, "the codebook needs a top-level `codes:` list")]
    checker.unknown_fields(data, TOP_FIELDS, None)
    codes: list[Code] = []
    for node in data["codes"]:
        checker.code(node, None, codes)
    checker.hierarchy(codes)
    version = str(data.get("version") or hashlib.sha256(raw.encode()).hexdigest()[:12])
    codebook = Codebook(name=str(data.get("name") or Path(source).stem), version=version,
                        codes=_ordered(codes), path=source)
    return codebook, checker.problems


def load_codebook_yaml(raw: str, source: str, yaml: YAML | None = None) -> object:
    """Codebook text loaded round-trip (by YAML when given) within the limits of
    `kvali.safe_yaml`; a refusal is one CodebookError line with the file and line."""
    try:
        return load_yaml(raw, source, CODEBOOK_BYTES, yaml or YAML(typ="rt"))
    except UnsafeYamlError as exc:
        raise CodebookError(str(Problem(source, exc.line, None, exc.reason))) from None


class _Checker:
    """Collects problems while converting YAML nodes to codes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def add(self, node: object, field: str | None, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, _line(node, field), key, message))

    def unknown_fields(self, node: CommentedMap, allowed: set[str], key: str | None) -> None:
        for name in node:
            if name not in allowed:
                self.add(node, name, key, f"unknown field {shorten(name)!r} (allowed: "
                         f"{', '.join(sorted(allowed))})")

    def code(self, node: object, parent: str | None, codes: list[Code]) -> None:
        if not isinstance(node, CommentedMap):
            self.add(node, None, None, "each code must be a mapping with key and name")
            return
        key = str(node.get("key") or "")
        label = key or None
        self.unknown_fields(node, CODE_FIELDS, label)
        if not KEY.match(key):
            self.add(node, "key" if key else None, label,
                     "a code needs a `key` of lower-case letters, digits, _ . -")
        elif key in self.lines:
            self.add(node, "key", key, f"duplicate key (first defined on line {self.lines[key]})")
        else:
            self.lines[key] = _line(node, None)
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            self.add(node, "name" if "name" in node else None, label, "a code needs a `name`")
        elif control := _control_character(name):
            self.add(node, "name", label, f"the name contains the control character {control}; "
                     "a name is one line of plain text")
        color = str(node.get("color", "#888888"))
        if not COLOR.match(color):
            self.add(node, "color", label, f"color {shorten(color)!r} is not of the form #RRGGBB")
        if parent and "parent" in node:
            self.add(node, "parent", label, "a nested code cannot also name a `parent`")
        code = Code(key=key, name=str(name or key), color=color.upper(),
                    parent_key=parent or _text(node.get("parent")), line=_line(node, None),
                    rules=self.rules(node.get("rules"), node, label),
                    **{f: _text(node.get(f)) for f in ("inclusion", "exclusion", "example")},
                    description=_text(node.get("description")) or "")
        codes.append(code)
        children = node.get("children") or []
        if not isinstance(children, list):
            self.add(node, "children", label, "`children` must be a list of codes")
            return
        for child in children:
            self.code(child, key or None, codes)

    def rules(self, node: object, owner: CommentedMap, key: str | None) -> Rules:
        if node is None:
            return Rules()
        if not isinstance(node, CommentedMap):
            self.add(owner, "rules", key, "`rules` must be a mapping")
            return Rules()
        self.unknown_fields(node, RULE_FIELDS, key)
        patterns = self.strings(node, "patterns", key)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.add(node, "patterns", key,
                         f"invalid regular expression {shorten(pattern)!r}: {exc}")
                continue
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                self.add(node, "patterns", key, str(exc))
        fuzzy = node.get("fuzzy")
        if fuzzy is not None and (not isinstance(fuzzy, int) or not 50 <= fuzzy <= 100):
            self.add(node, "fuzzy", key, "fuzzy must be a whole number from 50 to 100")
            fuzzy = None
        return Rules(keywords=self.keywords(node, key), phrases=self.strings(node, "phrases", key),
                     patterns=patterns, fuzzy=fuzzy, exclude=self.strings(node, "exclude", key),
                     scope=self.scope(node, key))

    def keywords(self, node: CommentedMap, key: str | None) -> tuple[Keyword, ...]:
        found = []
        for item in node.get("keywords") or []:
            if isinstance(item, CommentedMap) and isinstance(item.get("word"), str):
                extra = set(item) - {"word", "compound"}
                if extra or not isinstance(item.get("compound", True), bool):
                    self.add(item, None, key, "a keyword mapping has `word` and `compound: "
                             "true|false` only")
                found.append(Keyword(item["word"].strip().lower(),
                                     compound=item.get("compound") is not False))
            elif isinstance(item, str) and item.strip():
                found.append(Keyword(item.strip().lower()))
            else:
                self.add(node, "keywords", key, f"keyword {shorten(item)!r} is not a word")
        return tuple(found)

    def strings(self, node: CommentedMap, field: str, key: str | None) -> tuple[str, ...]:
        value = node.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(node, field, key, f"`{field}` must be a list of non-empty texts")
            return ()
        return tuple(v.strip() for v in value)

    def scope(self, node: CommentedMap, key: str | None) -> Scope:
        scope = node.get("scope")
        if scope is None:
            return Scope()
        if not isinstance(scope, CommentedMap):
            self.add(node, "scope", key, "`scope` must be a mapping of kinds/questions/roles")
            return Scope()
        self.unknown_fields(scope, SCOPE_FIELDS, key)
        kinds = self.strings(scope, "kinds", key)
        for kind in set(kinds) - set(DOCUMENT_KINDS):
            self.add(scope, "kinds", key, f"unknown document kind {shorten(kind)!r}")
        return Scope(kinds=kinds, questions=self.strings(scope, "questions", key),
                     roles=tuple(r.casefold() for r in self.strings(scope, "roles", key)))

    def hierarchy(self, codes: list[Code]) -> None:
        parents = {c.key: c.parent_key for c in codes}
        for code in codes:
            if code.parent_key and code.parent_key not in parents:
                self.problems.append(Problem(self.source, code.line, code.key,
                                             f"parent {shorten(code.parent_key)!r} is not a code"))
        for code in codes:
            seen, current = {code.key}, code.parent_key
            while current in parents:
                if current in seen:
                    self.problems.append(Problem(self.source, code.line, code.key,
                                                 "the parent chain forms a cycle"))
                    break
                seen.add(current)
                current = parents[current]


def _line(node: object, field: str | None) -> int:
    """1-based line of a mapping's field (or of the mapping itself)."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0
    if field is not None and isinstance(node, CommentedMap) and field in node:
        return lc.key(field)[0] + 1
    return lc.line + 1


def _control_character(text: str) -> str | None:
    """The first control character (tab and line breaks included) in `text`, as U+XXXX."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def _text(value: object) -> str | None:
    return str(value).strip() if value is not None else None


def _ordered(codes: list[Code]) -> list[Code]:
    """Parents before children, siblings in file order; positions numbered per parent."""
    ordered = tree_order(codes)
    positions: Counter[str | None] = Counter()
    for code in ordered:
        code.position = positions[code.parent_key]
        positions[code.parent_key] += 1
    return ordered
