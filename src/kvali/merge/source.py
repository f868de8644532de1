"""Which kind of file the other project is, by its first bytes, and reading it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kvali.errors import InputError
from kvali.merge.model import Incoming
from kvali.merge.project_file import read_project_file
from kvali.merge.qdpx_file import read_qdpx_file

SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"


def read_other(path: Path) -> Incoming:
    """The other project at PATH, a kvali project file or a .qdpx archive."""
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "is not a file",
                         source=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from None
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(SQLITE_MAGIC):
        return read_project_file(path, sha)
    if data.startswith(ZIP_MAGIC):
        return read_qdpx_file(path, sha)
    raise InputError("unknown format: expected a kvali project file or a REFI-QDA project "
                     "(.qdpx)", source=str(path))
