"""Load untrusted YAML (front matter, sidecars, codebook.yaml) within fixed limits.

Aliases make YAML a compression format: nine levels of `&a1 [*a0, *a0, …]` stand for a
billion values in a few hundred bytes, and 10,000 nested `[` exhaust the stack. `load_yaml`
first walks the parse events — which stay as small as the text — counting every value, an alias
as the full size of the value it names, and the nesting depth; only text within the limits is
built into Python objects, by the caller's own `YAML` instance (so round-trip line information
is kept).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)

from kvali.errors import UnsafeInputError

MB = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64
METADATA_BYTES = 1 * MB
CODEBOOK_BYTES = 5 * MB


class UnsafeYamlError(UnsafeInputError):
    """YAML refused before it is built: too large, too deep or a self-containing alias."""

    def __init__(self, reason: str, line: int, source: str) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line else reason, source=source)


def check_yaml_file(path: Path, max_bytes: int) -> None:
    """Refuse a YAML file larger than MAX_BYTES before reading it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnsafeYamlError(_too_big(size, max_bytes), 0, str(path))


def load_yaml(text: str, source: str, max_bytes: int, yaml: YAML | None = None) -> Any:
    """TEXT loaded by YAML (a safe pure-Python loader by default) once it is within the limits.

    YAML syntax errors are raised as ruamel's `YAMLError`, as `yaml.load` raises them.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise UnsafeYamlError(_too_big(size, max_bytes), 0, source)
    yaml = yaml or YAML(typ="safe", pure=True)
    _check_events(YAML(typ=yaml.typ, pure=True), text, source)
    try:
        return yaml.load(text)
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UnsafeYamlError(f"holds a value that cannot be read ({str(exc).split(':')[0]})",
                              0, source) from None


def _check_events(parser: YAML, text: str, source: str) -> None:
    """Count values (aliases expanded) and depth over the parse events; raise past a limit."""
    sizes: dict[str, int] = {}  # anchor → values in the node it names
    open_nodes: list[tuple[str | None, int]] = []  # anchor and count at the collection's start
    total = 0
    for event in parser.parse(text):
        line = event.start_mark.line + 1
        if isinstance(event, CollectionStartEvent):
            open_nodes.append((event.anchor, total))
            total += 1
            if len(open_nodes) > MAX_DEPTH:
                raise UnsafeYamlError(f"YAML nested more than {MAX_DEPTH} levels deep", line,
                                      source)
        elif isinstance(event, CollectionEndEvent):
            anchor, start = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = total - start
        elif isinstance(event, ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise UnsafeYamlError(f"alias *{event.anchor} refers to a value that contains "
                                      "it", line, source)
            total += sizes.get(event.anchor, 1)  # an unknown anchor is the loader's error
        if total > MAX_NODES:
            raise UnsafeYamlError(f"YAML too large after expanding aliases (more than "
                                  f"{MAX_NODES:,} values)", line, source)


def _too_big(size: int, limit: int) -> str:
    return f"YAML of {size / MB:.1f} MB is larger than the limit of {limit // MB} MB"
