"""The index's vocabulary: every term with its segment count, for compound and fuzzy expansion.

Read from the fts5vocab view `segments_fts_terms` and cached per process and project file until
the index changes (`kvali.search.index.index_stamp`), so repeated searches pay nothing for it.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kvali.search.index import index_stamp
from kvali.store.connection import database_file

if TYPE_CHECKING:
    from sqlite_utils import Database


_SEPARATOR = "\n"  # never inside an index term (letters and digits)
_MEMO_LIMIT = 10_000


@dataclass(frozen=True)
class Vocabulary:
    """Index terms (letters and digits, lower case) and how many segments hold each.

    The terms are also kept as one string, so finding the terms that contain a word is one
    search of that string in C instead of a Python test per term; answers are remembered for the
    vocabulary's life (a new vocabulary is read whenever the index changes).
    """

    segments: dict[str, int]
    terms: tuple[str, ...] = field(init=False)
    _text: str = field(init=False, repr=False, compare=False)
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _memo: dict[tuple, list] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = tuple(term for term in self.segments if not term.isdigit())
        object.__setattr__(self, "terms", words)
        starts, offset = [], 0
        for term in words:
            starts.append(offset)
            offset += len(term) + 1
        object.__setattr__(self, "_text", _SEPARATOR.join(words) + _SEPARATOR)
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_memo", {})

    def __contains__(self, term: object) -> bool:
        return term in self.segments

    def containing(self, part: str) -> list[str]:
        """Terms that contain `part` and are longer than it (compounds and inflected forms), in
        the vocabulary's order."""
        return list(self._remembered(("containing", part), self._containing, part))

    def _containing(self, part: str) -> list[str]:
        if not part or _SEPARATOR in part:
            return [term for term in self.terms if part in term and term != part]
        found = []
        text, starts, terms = self._text, self._starts, self.terms
        position = text.find(part)
        while position >= 0:
            index = bisect_right(starts, position) - 1
            term = terms[index]
            if term != part:
                found.append(term)
            position = text.find(part, starts[index] + len(term) + 1)  # from the next term on
        return found

    def similar(self, word: str, max_distance: int, limit: int) -> list[tuple[str, int]]:
        """Terms within `max_distance` edits of `word` (not itself), closest and commonest first."""
        return list(self._remembered(("similar", word, max_distance, limit), self._similar,
                                     word, max_distance, limit))

    def _similar(self, word: str, max_distance: int, limit: int) -> list[tuple[str, int]]:
        from rapidfuzz import process  # only --fuzzy needs it
        from rapidfuzz.distance import Levenshtein

        found = process.extract(word, self.terms, scorer=Levenshtein.distance,
                                score_cutoff=max_distance, limit=None)
        ranked = sorted(((term, int(distance)) for term, distance, _ in found if term != word),
                        key=lambda pair: (pair[1], -self.segments[pair[0]], pair[0]))
        return ranked[:limit]

    def _remembered(self, key: tuple, compute: Callable[..., list], *args: object) -> list:
        """`compute(*args)`, remembered under `key` (a bounded memo; threads may compute twice)."""
        memo = self._memo
        if key not in memo:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = compute(*args)
        return memo[key]


_CACHE: dict[str, tuple[tuple[bytes, ...], Vocabulary]] = {}
_LOCK = threading.Lock()
_READING = threading.Lock()
"""Held while a vocabulary is read, so two threads never read the same one twice."""


def vocabulary(db: Database) -> Vocabulary:
    """The project's vocabulary, read once and re-read only after segments were added or removed."""
    key = database_file(db)
    if key is None:
        return Vocabulary(dict(db.execute("SELECT term, doc FROM segments_fts_terms").fetchall()))
    stamp = index_stamp(db)
    cached = _cached(key, stamp)
    if cached is not None:
        return cached
    with _READING:  # a search during the app's warm-up (kvali.ui.warmup) waits for its read
        cached = _cached(key, stamp)
        if cached is not None:
            return cached
        vocab = Vocabulary(dict(db.execute("SELECT term, doc FROM segments_fts_terms"
                                           ).fetchall()))
        with _LOCK:
            _CACHE[key] = (stamp, vocab)
        return vocab


def _cached(key: str, stamp: tuple[bytes, ...]) -> Vocabulary | None:
    """The kept vocabulary of the project file KEY if it was read at STAMP."""
    with _LOCK:
        cached = _CACHE.get(key)
    return cached[1] if cached is not None and cached[0] == stamp else None
