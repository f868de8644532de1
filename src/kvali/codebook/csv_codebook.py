"""Codebooks as CSV in Taguette's columns: `tag` (the code's name) and `description`.

kvali adds `key`, `parent` (the parent's key) and `color`, which Taguette ignores, so a
kvali → CSV → kvali trip keeps the keys, the tree and the colours. The inclusion, exclusion
and example notes travel as labelled lines at the end of the description, as in `.qdc`
(`kvali.codebook.qdc.describe`); auto-coding rules are not exported.

On import only `tag` is required. A row without a key gets one derived from its name
(`kvali.codebook.qdc.derive_key`: æ → ae, ø → oe, å → aa, unique); `parent` may name a key
or, failing that, a tag of the file. Every problem is a `Problem` with the file's line.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from kvali.codebook.load import KEY, Problem
from kvali.codebook.model import Code, Codebook, Rules, tree_order
from kvali.codebook.qdc import (
    DEFAULT_COLOR,
    derive_key,
    describe,
    note_fields,
    parse_color,
    split_description,
)
from kvali.export.output import Project
from kvali.ingest.safety import MB, check_file_size
from kvali.tabular import looks_like_formula, write_table

COLUMNS = ("tag", "description", "key", "parent", "color")
MAX_CSV_BYTES = 20 * MB


@dataclass(frozen=True)
class Row:
    """One data row of a CSV codebook, its cells stripped, with the line it starts on."""

    line: int
    tag: str
    description: str
    key: str
    parent: str
    color: str


Report = Callable[[Row, str], None]  # records a problem of a row


def export_csv(codebook: Codebook, path: Path, *, project: Project = None) -> int:
    """Write the codebook as CSV (parents before children); returns the number of codes."""
    rows = ([code.name, describe(code, with_key=False), code.key, code.parent_key or "",
             code.color] for code in tree_order(codebook.codes))
    return write_table(path, COLUMNS, rows, "csv", project=project)


def import_csv(path: Path) -> tuple[Codebook | None, list[Problem]]:
    """Read a CSV codebook; returns the codebook, or None and every problem found."""
    source = str(path)
    try:
        check_file_size(path, MAX_CSV_BYTES)
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        return None, [Problem(source, 0, None,
                              f"cannot read the codebook ({exc.strerror or exc})")]
    except UnicodeDecodeError:
        return None, [Problem(source, 0, None, "is not UTF-8 text")]
    rows, problems = read_rows(text, source)
    if problems:
        return None, problems
    codes, problems = codes_from_rows(rows, source)
    if problems:
        return None, problems
    return Codebook(name=path.stem, version=hashlib.sha256(data).hexdigest()[:12],
                    codes=tree_order(codes), path=source), []


def read_rows(text: str, source: str) -> tuple[list[Row], list[Problem]]:
    """The non-empty data rows of CSV text (comma or semicolon separated)."""
    reader = csv.reader(StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [_cell(name).lower() for name in next(reader, [])]
        if "tag" not in header:
            found = ", ".join(name for name in header if name) or "none"
            return [], [Problem(source, 1, None, f"no `tag` column (columns: {found})")]
        index = {column: header.index(column) for column in COLUMNS if column in header}
        rows: list[Row] = []
        line = reader.line_num + 1
        for cells in reader:
            values = [_cell(cells[index[c]]) if c in index and index[c] < len(cells) else ""
                      for c in COLUMNS]
            if any(values):
                rows.append(Row(line, *values))
            line = reader.line_num + 1
    except csv.Error as exc:
        return [], [Problem(source, reader.line_num, None, f"not readable as CSV ({exc})")]
    return rows, []


def codes_from_rows(rows: list[Row], source: str) -> tuple[list[Code], list[Problem]]:
    """Codes from CSV rows, with keys, parents and positions; or the problems."""
    problems: list[Problem] = []

    def problem(row: Row, message: str) -> None:
        problems.append(Problem(source, row.line, row.key or None, message))

    keyed = _explicit_keys(rows, problem)
    parents = {row.line: _parent(row, rows, keyed, problem) for row in rows}
    _check_names(rows, parents, problem)
    colors = {row.line: _color(row, problem) for row in rows}
    keys = _keys(rows, parents, problem)
    if problems:
        return [], problems
    positions: dict[int | None, int] = {}
    codes = []
    for row in rows:
        parent = parents[row.line]
        position = positions[parent] = positions.get(parent, -1) + 1
        description, fields = split_description(row.description)
        codes.append(Code(key=keys[row.line], name=row.tag, description=description,
                          color=colors[row.line] or DEFAULT_COLOR,
                          parent_key=keys[parent] if parent else None, position=position,
                          rules=Rules(), line=row.line, **note_fields(fields)))
    return codes, []


def _explicit_keys(rows: list[Row], problem: Report) -> dict[str, Row]:
    """The rows that give a key, by key; bad and repeated keys are problems."""
    keyed: dict[str, Row] = {}
    for row in rows:
        if not row.tag:
            problem(row, "the `tag` cell is empty")
        if not row.key:
            continue
        if not KEY.match(row.key):
            problem(row, f"key {row.key!r} is not lower-case letters, digits, _ . -")
        elif row.key in keyed:
            problem(row, f"key {row.key!r} is already used on line {keyed[row.key].line}")
        else:
            keyed[row.key] = row
    return keyed


def _parent(row: Row, rows: list[Row], keyed: dict[str, Row], problem: Report) -> int | None:
    """The line of the row's parent: a key, or else the tag of a row; None at the top."""
    if not row.parent:
        return None
    found = keyed.get(row.parent) or next((r for r in rows if r.tag == row.parent), None)
    if found is None:
        problem(row, f"parent {row.parent!r} is not a key or tag in the file")
        return None
    return found.line


def _check_names(rows: list[Row], parents: dict[int, int | None], problem: Report) -> None:
    """Two codes with the same name under the same parent are a problem."""
    seen: dict[tuple[int | None, str], int] = {}
    for row in rows:
        name = (parents[row.line], row.tag.casefold())
        if row.tag and name in seen:
            problem(row, f"tag {row.tag!r} is already on line {seen[name]}")
        seen.setdefault(name, row.line)


def _color(row: Row, problem: Report) -> str | None:
    """The row's colour as #RRGGBB; a cell that is not a colour is a problem."""
    color = parse_color(row.color)
    if row.color and color is None:
        problem(row, f"color {row.color!r} is not #RRGGBB")
    return color


def _keys(rows: list[Row], parents: dict[int, int | None], problem: Report) -> dict[int, str]:
    """Each row's key by line: its own, or derived from its name under its parent's key."""
    by_line = {row.line: row for row in rows}
    used = {row.key for row in rows if row.key}
    keys: dict[int, str] = {}

    def key_of(line: int, visiting: frozenset[int]) -> str:
        if line not in keys:
            row, parent = by_line[line], parents[line]
            if line in visiting:
                problem(row, "the parents form a cycle")
                keys[line] = row.key or "-"
                return keys[line]
            parent_key = key_of(parent, visiting | {line}) if parent else None
            keys[line] = row.key or derive_key(row.tag, parent_key, used)
            used.add(keys[line])
        return keys[line]

    for row in rows:
        key_of(row.line, frozenset())
    return keys


def _delimiter(text: str) -> str:
    """`;` when the header line has more semicolons than commas (Danish Excel), else `,`."""
    header = text.partition("\n")[0]
    return ";" if header.count(";") > header.count(",") else ","


def _cell(value: str) -> str:
    """A cell stripped, without the apostrophe kvali's CSV puts before formula look-alikes."""
    text = value.strip()
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text
