"""Load untrusted YAML (front matter, sidecars, codebook.yaml) within fixed limits.

Aliases make YAML a compression format: nine levels of `&a1 [*a0, *a0, …]` stand for a
billion values in a few hundred bytes, and 10,000 nested `[` exhaust the stack. `load_yaml`
counts the parse events — which stay as small as the text — as the caller's own `YAML` instance
(so round-trip line information is kept) reads them: every value, an alias as the full size of
the value it names, and the nesting depth. The loader first composes the whole node graph from
the events and only then builds Python objects, so text past a limit is refused before any
object is built, and the text is parsed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from ruamel.yaml.parser import Parser

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
    if isinstance(yaml.Parser, type) and issubclass(yaml.Parser, Parser):
        return _load_checked(yaml, text, source)
    for _ in _check_events(YAML(typ=yaml.typ, pure=True).parse(text), source):
        pass  # a C parser cannot be watched: the pure one checks the text first
    return _load(yaml, text, source)


def _load_checked(yaml: YAML, text: str, source: str) -> Any:
    """`yaml.load(text)` with the limits checked on each event as the composer takes it."""
    had_parser = "_parser" in vars(yaml)
    previous = vars(yaml).get("_parser")
    parser = _checking_parser(yaml.Parser)(yaml)
    yaml._parser = parser
    try:
        checks = _check_events(iter(parser.unchecked_event, None), source)
        parser.checked = lambda: next(checks, None)
        return _load(yaml, text, source)
    finally:
        if had_parser:
            yaml._parser = previous
        else:
            del yaml._parser


def _load(yaml: YAML, text: str, source: str) -> Any:
    try:
        return yaml.load(text)
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UnsafeYamlError(f"holds a value that cannot be read ({str(exc).split(':')[0]})",
                              0, source) from None


_CHECKING: dict[type, type] = {}


def _checking_parser(base: type[Parser]) -> type[Parser]:
    """BASE whose `get_event` hands each event to the limits check before the composer."""
    checking = _CHECKING.get(base)
    if checking is None:
        class Checking(base):  # type: ignore[valid-type, misc]
            checked: Any

            def unchecked_event(self) -> Event | None:
                return super().get_event()

            def get_event(self) -> Event | None:
                return self.checked()

        checking = _CHECKING[base] = Checking
    return checking


def _check_events(events: Iterator[Event], source: str) -> Iterator[Event]:
    """EVENTS passed on one by one after counting values (aliases expanded) and depth; raises
    past a limit, before the event that crosses it is passed on."""
    sizes: dict[str, int] = {}  # anchor → values in the node it names
    open_nodes: list[tuple[str | None, int]] = []  # anchor and count at the collection's start
    total = 0
    for event in events:
        if isinstance(event, CollectionStartEvent):
            open_nodes.append((event.anchor, total))
            total += 1
            if len(open_nodes) > MAX_DEPTH:
                raise UnsafeYamlError(f"YAML nested more than {MAX_DEPTH} levels deep",
                                      _line(event), source)
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
                                      "it", _line(event), source)
            total += sizes.get(event.anchor, 1)  # an unknown anchor is the loader's error
        if total > MAX_NODES:
            raise UnsafeYamlError(f"YAML too large after expanding aliases (more than "
                                  f"{MAX_NODES:,} values)", _line(event), source)
        yield event


def _line(event: Event) -> int:
    return event.start_mark.line + 1


def _too_big(size: int, limit: int) -> str:
    return f"YAML of {size / MB:.1f} MB is larger than the limit of {limit // MB} MB"
