"""The app's warm-up: what the pages' first views need, computed in the background as soon as
the server process opens a project, so that a page opened afterwards finds it ready.

Once per process, project file and state of its material (an import or a removal starts it
anew), `warm_up` starts a thread that opens its own read-only connection and computes the
figures in `STEPS` through the very functions the pages call, so they land where the pages
look for them: the kept counts and tables of kvali.analysis.kept, the search facts and
vocabulary of kvali.search. Each of those has a lock per figure, so a page opened during the
warm-up waits for the figure being computed (or computes it first, and the warm-up then finds
it) instead of computing it twice; a figure is always what the page would compute from scratch.

The first page render never waits for the thread to start or finish. A step that fails leaves
one line in the server log (the step and the error's class, never a message, which could hold
project text) and the page computes that figure itself as it would without a warm-up.
$KVALI_WARMUP=0 turns it off (benchmarks/ui_latency.py times cold views so).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.errors import KvaliError
from kvali.search.facts import scope
from kvali.search.vocabulary import vocabulary
from kvali.selection import Selection
from kvali.store.changes import current_mark
from kvali.store.connection import database_file
from kvali.store.db import open_read_only_db
from kvali.views.codes import code_counts
from kvali.views.documents import list_documents
from kvali.views.overview import codings_by_coder
from kvali.views.suggestions import suggestion_documents, suggestion_groups

LOG = logging.getLogger(__name__)
PROJECT_FAILURES = (KvaliError, sqlite3.Error, OSError)
"""What opening or reading a project raises when it is damaged, busy, gone or not current."""


def _documents(db: Database) -> None:
    list_documents(db, Selection())


def _suggestions(db: Database) -> None:
    suggestion_groups(db, Selection())
    suggestion_documents(db)


def _search(db: Database) -> None:
    scope(db, Selection())
    vocabulary(db)


def _analysis(db: Database) -> None:
    from kvali.ui.pages.analysis import warm_analysis  # the page's own defaults

    warm_analysis(db)


STEPS: list[tuple[str, Callable[[Database], object]]] = [
    ("codes", code_counts), ("overview", codings_by_coder), ("documents", _documents),
    ("suggestions", _suggestions), ("search", _search), ("analysis", _analysis)]
"""The figures of each page's first view, cheapest first (the code tree's counts are on most
pages)."""


@dataclass
class Warmup:
    """One warm-up of a project file: when it started and ended, and the steps that failed."""

    project: str
    version: tuple[int, int]
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    failed: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every step has run (or TIMEOUT seconds); whether it has."""
        return self.done.wait(timeout)

    @property
    def seconds(self) -> float | None:
        """How long it took from its start, once finished."""
        return None if self.finished is None else self.finished - self.started


_WARMUPS: dict[str, Warmup] = {}
_LOCK = threading.Lock()


def warm_up(db: Database) -> Warmup | None:
    """Start the warm-up of DB's project file unless this process has one for the file as its
    material is now (or one still running); never raises. None: an in-memory project, the
    warm-up turned off, or the project could not be read."""
    if os.environ.get("KVALI_WARMUP", "1") == "0":
        return None
    try:
        path = database_file(db)
        if path is None:
            return None
        project = str(path)
        mark = current_mark(db)
    except PROJECT_FAILURES as exc:  # the page will say what is wrong with the project
        LOG.warning("kvali warm-up not started (%s)", type(exc).__name__)
        return None
    version = (mark.material, mark.segments)
    with _LOCK:
        held = _WARMUPS.get(project)
        if held is not None and (held.version == version or not held.done.is_set()):
            return held
        warmup = _WARMUPS[project] = Warmup(project, version)
    threading.Thread(target=_run, args=(warmup,), name="kvali-warmup", daemon=True).start()
    return warmup


def warmup_of(project: str) -> Warmup | None:
    """The latest warm-up of the project file (its name as SQLite gives it), if any."""
    with _LOCK:
        return _WARMUPS.get(project)


def _run(warmup: Warmup) -> None:
    """Every step on a read-only connection of its own, then mark the warm-up done."""
    try:
        _steps(warmup)
    finally:
        warmup.finished = time.perf_counter()
        warmup.done.set()


def _steps(warmup: Warmup) -> None:
    """Run STEPS; a step that fails is logged and skipped."""
    try:
        db = open_read_only_db(warmup.project)
    except PROJECT_FAILURES as exc:
        _failed(warmup, "open", exc)
        return
    try:
        for name, compute in STEPS:
            try:
                compute(db)
            except Exception as exc:  # a bug included: logged without its message, which may
                _failed(warmup, name, exc)  # quote project text; the page computes it itself
    finally:
        db.close()


def _failed(warmup: Warmup, step: str, exc: BaseException) -> None:
    warmup.failed.append(step)
    LOG.warning("kvali warm-up: step %s failed (%s); the page computes it itself", step,
                type(exc).__name__)
