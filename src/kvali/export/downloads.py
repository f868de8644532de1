"""Exports as bytes, for download buttons: each opens its own connection to the project file.

The app builds a download only when it is clicked, on another thread than the page, so these
functions take the project path (never a connection) and write through a temporary file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from kvali.analysis.crosstab import write_crosstab
from kvali.export.codings import write_codings
from kvali.export.formats import write_summary
from kvali.export.summary import build_summary
from kvali.refiqda.export import export_qdpx
from kvali.selection import Selection
from kvali.store import open_db


def _bytes(project: Path, suffix: str, write: Callable[[Database, Path], object]) -> bytes:
    db = open_db(project, create=False)
    try:
        with tempfile.TemporaryDirectory(prefix="kvali-export-") as folder:
            target = Path(folder) / f"export.{suffix}"
            write(db, target)
            return target.read_bytes()
    finally:
        db.close()


def summary_bytes(project: Path, fmt: str, selection: Selection, *,
                  anonymise: bool = False, pseudonymise: bool = False) -> bytes:
    """The theme summary as md, docx, html or xlsx, counting what `summary_selection` makes of
    the selection (accepted and manual codings unless it names statuses)."""
    return _bytes(project, fmt, lambda db, path: write_summary(
        build_summary(db, selection, anonymise=anonymise, pseudonymise=pseudonymise),
        path, fmt))


def codings_bytes(project: Path, fmt: str, selection: Selection, *,
                  anonymise: bool = False, pseudonymise: bool = False) -> bytes:
    """The codings as csv, xlsx or json."""
    return _bytes(project, fmt, lambda db, path: write_codings(
        db, path, fmt, selection, anonymise=anonymise, pseudonymise=pseudonymise))


def crosstab_bytes(project: Path, fmt: str, attribute: str, selection: Selection,
                   *, rollup: bool = True) -> bytes:
    """A code × attribute table as csv or xlsx."""
    return _bytes(project, fmt, lambda db, path: write_crosstab(db, path, attribute, fmt,
                                                                selection, rollup=rollup))


def qdpx_bytes(project: Path, *, pseudonymise: bool = False) -> bytes:
    """The REFI-QDA project archive."""
    return _bytes(project, "qdpx", lambda db, path: export_qdpx(db, path,
                                                               pseudonymise=pseudonymise))
