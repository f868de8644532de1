"""Shared fixtures: a fresh in-memory project, a project file, and the ../shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database
from test_ui_support import build_project

from kvali.store import open_db

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def fresh_db() -> Database:
    """An empty project in memory with every migration applied."""
    return open_db(":memory:")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a project file that does not exist yet."""
    return tmp_path / "project.db"


@pytest.fixture
def shared() -> Path:
    """The ../shared data folder; skips the test when this clone has none."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available in this checkout")
    return SHARED


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small coded project of tests/test_ui_support.py, which the app opens via KVALI_DB."""
    path = build_project(tmp_path)
    monkeypatch.setenv("KVALI_DB", str(path))
    return path
