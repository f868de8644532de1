"""The project store: one SQLite file per project, opened through `open_db`."""

from kvali.store.db import (
    ProjectBusyError,
    busy_as_error,
    busy_error,
    open_db,
    project_path,
)

__all__ = ["ProjectBusyError", "busy_as_error", "busy_error", "open_db", "project_path"]
