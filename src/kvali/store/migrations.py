"""The registry of migration sets; `open_db` applies them in this order.

Each subsystem owns the tables it creates in a named `sqlite_utils.Migrations` set. Migrations are
append-only: never edit one that has shipped, add a new one, and raise
`kvali.store.connection.SCHEMA_MIGRATIONS` with it (read-only commands check a project by that
count without loading sqlite-utils; tests/test_store_connection.py compares the two).
"""

from __future__ import annotations

from sqlite_utils import Migrations

from kvali.store.schema_changes import changes
from kvali.store.schema_coding import coding
from kvali.store.schema_core import core
from kvali.store.schema_privacy import privacy
from kvali.store.schema_search import search

MIGRATION_SETS: list[Migrations] = [core, coding, search, privacy, changes]
