"""Figures kept up to date in the app's process instead of computed again on every view.

A kept figure is computed once per project and choice of options, then, whenever the project's
`Mark` has moved, brought up to date from the codings that changed since (kvali.store.changes):
the first view after a coding action recounts only what the action touched. A change to the
material or the codebook, or a very large change (a tagging run), computes it afresh. The
result is always what the from-scratch function gives (tests/test_analysis_kept.py).

Only files are kept (an in-memory project has no second connection to change it); the newest
`MAX_KEPT` figures stay, each with its own lock, so two sessions never update one at once.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from sqlite_utils import Database

from kvali.analysis.coded import among, among_params
from kvali.selection import Selection, Where
from kvali.store.changes import CodingChanges, Mark, changes_since, current_mark, snapshot
from kvali.store.connection import database_file

MAX_KEPT = 64
R = TypeVar("R")


class Counts(Protocol[R]):
    """What a kept figure is: counts that can be updated and read out."""

    def update(self, db: Database, changes: CodingChanges) -> None: ...  # noqa: D102

    def result(self) -> R: ...  # noqa: D102


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    mark: Mark | None = None
    counts: Any = None
    result: Any = None


_KEPT: OrderedDict[tuple, _Entry] = OrderedDict()
_REGISTRY = threading.Lock()


def kept(db: Database, key: Hashable, build: Callable[[Database], Counts[R]]) -> R:
    """The figure KEY of the project, from BUILD the first time (and after a change of the
    material), else the kept counts brought up to date."""
    project = database_file(db)
    if project is None:
        return build(db).result()
    entry = _entry((project, key))
    with entry.lock:
        try:
            with snapshot(db):
                now = current_mark(db)
                if entry.mark == now:
                    return entry.result
                changes = changes_since(db, entry.mark, now) if entry.mark else None
                if changes is None:
                    entry.counts = build(db)
                else:
                    entry.counts.update(db, changes)
                entry.result, entry.mark = entry.counts.result(), now
                return entry.result
        except BaseException:
            entry.mark = entry.counts = entry.result = None
            raise


def _entry(key: tuple) -> _Entry:
    with _REGISTRY:
        entry = _KEPT.pop(key, None) or _Entry()
        _KEPT[key] = entry
        while len(_KEPT) > MAX_KEPT:
            _KEPT.popitem(last=False)
        return entry


class GroupCounts:
    """How many codings WHERE holds for, per value of COLUMNS (`coding_facts` columns, or
    with `facts=False` columns of `codings` itself, which is much faster to count)."""

    def __init__(self, db: Database, columns: tuple[str, ...],
                 where: Callable[[Database], Where], *, facts: bool = True) -> None:
        self.where, self.facts = where, facts
        self.listed = ", ".join(f'f."{column}"' for column in columns) or "NULL"
        condition = where(db)
        self.counts: Counter[tuple] = Counter({row[:-1]: row[-1] for row in db.execute(
            f"SELECT {self.listed}, count(*) {among(facts=facts)}{condition.clause('WHERE')} "
            f"GROUP BY {self.listed}", condition.params)})

    def _rows(self, db: Database, **which) -> list[tuple]:
        condition = self.where(db)
        return db.execute(f"SELECT {self.listed} {among(**which, facts=self.facts)}"
                          f"{condition.clause('WHERE')}",
                          [*among_params(**which), *condition.params]).fetchall()

    def update(self, db: Database, changes: CodingChanges) -> None:
        """Take away the changed codings as they were, count them as they are."""
        self.counts.subtract(self._rows(db, before=changes.before))
        self.counts.update(self._rows(db, coding_ids=changes.coding_ids))

    def result(self) -> dict[tuple, int]:
        """Values with at least one coding, and their counts."""
        return {key: n for key, n in self.counts.items() if n > 0}


def kept_counts(db: Database, key: Hashable, columns: tuple[str, ...],
                where: Callable[[Database], Where], *, facts: bool = True) -> dict[tuple, int]:
    """`GroupCounts`, kept up to date under KEY (which must name COLUMNS, WHERE and FACTS)."""
    return dict(kept(db, ("counts", key), lambda db: GroupCounts(db, columns, where,
                                                                  facts=facts)))


def needs_facts(selection: Selection) -> bool:
    """Whether the selection filters on facts about a coding's segment or document (and so
    must be read through `coding_facts`), not only on the coding's own code, coder, status."""
    return replace(selection, code=(), not_code=(), coder=(), status=()) != Selection()


class _Material:
    """A figure of the material alone (documents, segments, cases): no coding changes it."""

    def __init__(self, db: Database, compute: Callable[[Database], Any]) -> None:
        self.value = compute(db)

    def update(self, db: Database, changes: CodingChanges) -> None:
        """Nothing to do: codings do not change it."""

    def result(self) -> Any:
        """The figure as computed."""
        return self.value


def kept_material(db: Database, key: Hashable, compute: Callable[[Database], R]) -> R:
    """COMPUTE's figure, computed again only when the material or the codebook changed (it
    must not depend on codings). Callers must not change what it returns."""
    return kept(db, ("material", key), lambda db: _Material(db, compute))
