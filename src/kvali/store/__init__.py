"""The project store: one SQLite file per project, opened through `open_db` (sqlite-utils and the
migrations) or, by commands that only read, through `open_read_only` (the standard sqlite3
module, so they start without sqlite-utils and the pandas it imports)."""

from __future__ import annotations

from typing import Any

from kvali.store.connection import (
    ProjectBusyError,
    busy_as_error,
    busy_error,
    open_read_only,
    project_path,
)

__all__ = ["ProjectBusyError", "busy_as_error", "busy_error", "open_db", "open_read_only",
           "project_path"]


def __getattr__(name: str) -> Any:
    """`open_db`, imported on first use: it loads sqlite-utils and every migration."""
    if name == "open_db":
        from kvali.store.db import open_db

        return open_db
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
