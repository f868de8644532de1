"""Make a checked codebook file the project's codebook: copy it beside the project and sync."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.load import Problem, check_codebook
from kvali.codebook.sync import SyncReport, sync_codebook
from kvali.errors import CodebookError


def install_codebook(db: Database, source: Path, target: Path,
                     actor: str) -> tuple[SyncReport | None, list[Problem | str]]:
    """Check SOURCE; when it is valid, copy it atomically to TARGET (unless it is TARGET) and
    sync the project's codes. Returns (the sync report, []) or (None, the problems)."""
    require("codebook")
    try:
        codebook, problems = check_codebook(source)
    except CodebookError as exc:
        reason = str(exc).removeprefix(f"{source}:").strip()
        return None, [f"Filen kan ikke bruges ({reason})."]
    if problems or codebook is None:
        return None, list(problems)
    if source.resolve() != target.resolve():
        partial = target.with_name(f".{target.name}.new")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    return sync_codebook(db, codebook, actor), []
