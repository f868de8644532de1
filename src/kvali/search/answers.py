"""Recent answers of one scope: for its last few queries, the first hits in order and the counts
per municipality, and their highlighted text.

The app runs its page again on every click (another page of hits, coding a hit, a checkbox), and
each run searches again. Once filters are bytes (kvali.search.facts), ranking is what a search
costs: FTS5's bm25 for every hit, a microsecond or more a hit (more with many expansions), e.g.
~35 ms for the 35,000 hits of a common word on 5M words. So a kept scope keeps, per FTS5
expression, the first `WINDOW` hits in order with their scores (all of them, when fewer), the
counts per municipality and the highlight() output of the hits loaded (FTS5 finds it by
walking every match of the query between the page's first and last segment); a page inside
them costs only its hits' details. Answers go
with their scope when the index or the material changes, and the order is the same total order
(bm25, then segment id) SQL gives, so any page of the window is the page SQL would give.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

WINDOW = 500
"""Hits ranked ahead of the page asked for, so the next pages need no ranking."""
KEPT = 8
"""Queries kept per scope."""
MARKS_KEPT = 250
"""Highlighted hits kept per query (their text and lemmas with FTS5's match markers): five
pages of 50."""
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Ranking:
    """The first hits of a query, best first, as (segment id, bm25 score)."""

    hits: tuple[tuple[int, float], ...]
    complete: bool
    """Whether these are all the hits."""

    def page(self, limit: int | None, offset: int) -> list[tuple[int, float]] | None:
        """Hits offset .. offset + limit, or None when the window does not reach that far."""
        end = None if limit is None else offset + limit
        if not self.complete and (end is None or end > len(self.hits)):
            return None
        return list(self.hits[offset:end])


def window(limit: int | None, offset: int) -> int | None:
    """How many hits to rank for a page, so the window holds it and the pages after it."""
    return None if limit is None else max(WINDOW, offset + limit)


class Answers:
    """A scope's kept rankings and counts, by FTS5 expression (the last `KEPT` used)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, dict[str, object]] = OrderedDict()

    def _get(self, fts: str, name: str) -> object:
        with _LOCK:
            entry = self._kept.get(fts)
            if entry is None:
                return None
            self._kept.move_to_end(fts)
            return entry.get(name)

    def _keep(self, fts: str, name: str, value: object) -> None:
        with _LOCK:
            entry = self._kept.setdefault(fts, {})
            self._kept.move_to_end(fts)
            entry[name] = value
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)

    def ranking(self, fts: str) -> Ranking | None:
        """The kept ranking of a query, if any."""
        found = self._get(fts, "ranking")
        return found if isinstance(found, Ranking) else None

    def keep_ranking(self, fts: str, ranking: Ranking) -> None:
        """Keep a query's ranking (replacing a shorter one)."""
        self._keep(fts, "ranking", ranking)

    def counts(self, fts: str) -> dict[int | None, int] | None:
        """A copy of the kept hits per municipality code of a query, if any."""
        found = self._get(fts, "counts")
        return dict(found) if isinstance(found, dict) else None

    def keep_counts(self, fts: str, counts: dict[int | None, int]) -> None:
        """Keep a query's hits per municipality code."""
        self._keep(fts, "counts", dict(counts))

    def marks(self, fts: str, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        """The kept highlight() output of those of `ids` that have it."""
        found = self._get(fts, "marks")
        if not isinstance(found, dict):
            return {}
        return {i: found[i] for i in ids if i in found}

    def keep_marks(self, fts: str, marks: dict[int, tuple[str | None, str | None]]) -> None:
        """Keep the highlight() output of some hits (starting afresh past `MARKS_KEPT`; none of
        a batch larger than that, as an export loads)."""
        with _LOCK:
            entry = self._kept.get(fts)
            if entry is None or len(marks) > MARKS_KEPT:
                return
            kept = entry.setdefault("marks", {})
            if len(kept) + len(marks) > MARKS_KEPT:
                kept.clear()
            kept.update(marks)

    def forget(self) -> None:
        """Forget every kept answer."""
        with _LOCK:
            self._kept.clear()
