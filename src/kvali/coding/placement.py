"""Which segment a coding belongs to: the one holding its start, else the first one it overlaps
(a span may start between two segments, on a speaker label or a time mark), else none.

Every writer that stores a coding by its span alone (a merge, a REFI-QDA import, a document
segmented again) asks `SegmentPlaces`, so a coding lands on the same segment whichever way it
came in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


class SegmentPlaces:
    """The segments of one document, as (start, end, id) in document order, for placing
    spans in it (a look-up costs a binary search, however long the document)."""

    def __init__(self, segments: Sequence[tuple[int, int, int]]) -> None:
        self.segments = segments
        self.starts = [start for start, _, _ in segments]

    @classmethod
    def of_document(cls, db: Database, document_id: int) -> SegmentPlaces:
        """The stored segments of a document."""
        return cls(db.execute('SELECT start, "end", id FROM segments WHERE document_id = ? '
                              "ORDER BY start", [document_id]).fetchall())

    def segment_for(self, start: int, end: int) -> int | None:
        """The id of the segment holding `start`, else of the first one [start, end)
        overlaps; None when it overlaps none."""
        index = bisect_right(self.starts, start) - 1
        if index < 0 or start >= self.segments[index][1]:
            index += 1
            if index >= len(self.segments) or self.segments[index][0] >= end:
                return None
        return self.segments[index][2]
