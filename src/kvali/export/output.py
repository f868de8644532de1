"""Every export file is written through `output_file`: never over the project, never half-done.

The target is resolved (symlinks followed) and refused when it is the project file or one of
the files SQLite and kvali keep beside it (`-wal`, `-shm`, `-journal`, `.bak`). The writer
writes a temporary file in the target's folder, which replaces the target only when the
writer succeeds, so a failed export leaves an existing file unchanged and no temporary file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlite_utils import Database

from kvali.errors import UsageError
from kvali.store.connection import database_file

PROJECT_COMPANIONS = ("", "-wal", "-shm", "-journal", ".bak")

Project = Database | str | os.PathLike[str] | None


def project_file(project: Project) -> Path | None:
    """The project's file: a path as given, or the file a connection has open (None in memory)."""
    if isinstance(project, Database):
        return database_file(project)
    return Path(project) if project else None


def check_target(path: str | os.PathLike[str], project: Project = None, *,
                 option: str = "-o") -> Path:
    """The resolved file to write; a one-line UsageError when it cannot or must not be written."""
    target = Path(path)
    resolved = target.resolve()
    if resolved.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    if not resolved.parent.is_dir():
        raise UsageError(f"{option} {path}: the folder {target.parent} does not exist")
    database = project_file(project)
    clash = _project_part(resolved, database.resolve()) if database is not None else None
    if clash == "":
        raise UsageError(f"{option} {path}: that is the project file; choose another file")
    if clash:
        raise UsageError(f"{option} {path}: that is the project's {clash} file; "
                         "choose another file")
    return resolved


def _project_part(target: Path, database: Path) -> str | None:
    """Which of the project's files `target` is ("" for the project itself), else None."""
    for suffix in PROJECT_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if target == companion:
            return suffix
        with suppress(OSError):
            if target.exists() and companion.exists() and target.samefile(companion):
                return suffix  # a hard link, or a case-insensitive file system
    return None


@contextmanager
def output_file(path: str | os.PathLike[str], project: Project = None, *,
                option: str = "-o") -> Iterator[Path]:
    """Yield a temporary file beside `path`; it replaces `path` when the block succeeds."""
    target = check_target(path, project, option=option)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        yield temporary
        os.replace(temporary, target)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
