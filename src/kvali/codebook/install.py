"""Codebook files in and out of the project.

`install_codebook` makes a codebook.yaml, a REFI-QDA `.qdc` or a CSV codebook the project's
codebook: it is checked (every problem with the file and line), a `.qdc` or `.csv` is written as
kvali's own YAML (`codebook_to_yaml`) and checked again, the codes are synced and only then is
the target file replaced atomically, so a problem leaves both file and database unchanged.
`export_codebook` writes the project's codebook as `.qdc` or `.csv`; `kvali codebook export`,
`kvali export qdc` and the app all use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.csv_codebook import export_csv, import_csv
from kvali.codebook.load import Problem, check_codebook, parse_codebook
from kvali.codebook.model import Codebook
from kvali.codebook.qdc import codebook_to_yaml, export_qdc, import_qdc
from kvali.codebook.sync import SyncReport, stored_codebook, sync_codebook
from kvali.errors import CodebookError, KvaliError
from kvali.privacy.pseudonymise import pseudonyms

SUFFIXES = (".yaml", ".yml", ".qdc", ".csv")
EXPORTERS: dict[str, Callable[..., object]] = {"qdc": export_qdc, "csv": export_csv}
Checked = tuple[Codebook | None, list[Problem], bytes | None]


def install_codebook(db: Database, source: Path, target: Path,
                     actor: str) -> tuple[SyncReport | None, list[Problem]]:
    """Check SOURCE (.yaml/.yml, .qdc or .csv); when it is valid, sync the project's codes and
    replace TARGET atomically with it (as YAML). Returns (the sync report, []) or (None, the
    problems), and then nothing has changed."""
    require("codebook")
    codebook, problems, text = read_source(source)
    if problems or codebook is None:
        return None, problems
    if text is None and source.resolve() == target.resolve():
        return sync_codebook(db, codebook, actor), []
    partial = _write_partial(target, text if text is not None else source.read_bytes())
    try:
        report = sync_codebook(db, codebook, actor)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return report, []


def read_source(source: Path) -> Checked:
    """The checked codebook of a file, its problems, and its YAML when converted (else None)."""
    suffix = source.suffix.lower()
    try:
        if suffix == ".qdc":
            return _as_yaml(import_qdc(source), source)
        if suffix == ".csv":
            codebook, problems = import_csv(source)
            return _as_yaml(codebook, source) if codebook else (None, problems, None)
        return (*check_codebook(source), None)
    except KvaliError as exc:
        reason = str(exc).removeprefix(f"{source}:").strip()
        return None, [Problem(str(source), 0, None, reason)], None


def export_codebook(db: Database, path: Path, *, pseudonymise: bool = False,
                    fmt: str | None = None) -> str:
    """Write the project's codebook to PATH as `fmt` (qdc or csv; default: csv for a .csv name,
    else qdc), its notes pseudonymised when asked; returns the format written."""
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "qdc")
    codebook = pseudonyms(db, pseudonymise).codebook(stored_codebook(db))
    EXPORTERS[chosen](codebook, path, project=db)
    return chosen


def _as_yaml(codebook: Codebook, source: Path) -> Checked:
    """The codebook written as kvali's YAML and checked again; problems name the source line."""
    text = codebook_to_yaml(codebook)
    parsed, problems = parse_codebook(text, str(source))
    lines = {code.key: code.line for code in codebook.codes}
    problems = [Problem(str(source), lines.get(p.key or "", 0), p.key, p.message)
                for p in problems]
    return (None if problems else parsed), problems, text.encode("utf-8")


def _write_partial(target: Path, data: bytes) -> Path:
    """DATA fsynced to a temporary file beside TARGET, ready to be moved into place."""
    partial = target.with_name(f".{target.name}.new")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CodebookError(f"cannot write the codebook ({exc.strerror or exc})",
                            source=str(target)) from None
    return partial
