"""The project store: one SQLite file per project, opened through `open_db`."""

from kvali.store.db import open_db, project_path

__all__ = ["open_db", "project_path"]
