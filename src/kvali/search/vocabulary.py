"""The index's vocabulary: every term with its segment count, for compound and fuzzy expansion.

Read from the fts5vocab view `segments_fts_terms` and cached per process and project file until
the index changes, so repeated searches pay nothing for it. The change stamp is FTS5's own
averages record (row and token counts) and structure record (with its write counter), two small
rows of `segments_fts_data` that every insert or delete rewrites; reading them costs microseconds,
where counting the segments would cost milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class Vocabulary:
    """Index terms (letters and digits, lower case) and how many segments hold each."""

    segments: dict[str, int]
    terms: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        words = tuple(term for term in self.segments if not term.isdigit())
        object.__setattr__(self, "terms", words)

    def __contains__(self, term: object) -> bool:
        return term in self.segments

    def containing(self, part: str) -> list[str]:
        """Terms that contain `part` and are longer than it (compounds and inflected forms)."""
        return [term for term in self.terms if part in term and term != part]

    def similar(self, word: str, max_distance: int, limit: int) -> list[tuple[str, int]]:
        """Terms within `max_distance` edits of `word` (not itself), closest and commonest first."""
        from rapidfuzz import process  # only --fuzzy needs it
        from rapidfuzz.distance import Levenshtein

        found = process.extract(word, self.terms, scorer=Levenshtein.distance,
                                score_cutoff=max_distance, limit=None)
        ranked = sorted(((term, int(distance)) for term, distance, _ in found if term != word),
                        key=lambda pair: (pair[1], -self.segments[pair[0]], pair[0]))
        return ranked[:limit]


_CACHE: dict[str, tuple[tuple[bytes, ...], Vocabulary]] = {}
_LOCK = threading.Lock()


def _project_file(db: Database) -> str | None:
    """The project's file name; None for an in-memory project (never cached)."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return str(file)
    return None


def vocabulary(db: Database) -> Vocabulary:
    """The project's vocabulary, read once and re-read only after segments were added or removed."""
    key = _project_file(db)
    if key is None:
        return Vocabulary(dict(db.execute("SELECT term, doc FROM segments_fts_terms").fetchall()))
    stamp = tuple(row[0] for row in db.execute(
        "SELECT block FROM segments_fts_data WHERE id IN (1, 10) ORDER BY id").fetchall())
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    vocab = Vocabulary(dict(db.execute("SELECT term, doc FROM segments_fts_terms").fetchall()))
    with _LOCK:
        _CACHE[key] = (stamp, vocab)
    return vocab
