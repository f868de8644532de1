"""A segment with the text around it: the neighbouring segment before and after it, cut short.

Neighbours come from the same document and, for survey answers, the same response (another
respondent's answer is not context). Offsets are document offsets, like the segments' own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from kvali.errors import UsageError

CONTEXT_CHARS = 300
ELLIPSIS = "…"
SPACE = re.compile(r"\s")
LAST_SPACE = re.compile(r"\s\S*\Z")

NEIGHBOUR = (
    "SELECT text FROM segments WHERE document_id = ? AND response_id IS ? AND seq {op} ? "
    "ORDER BY seq {order} LIMIT 1")


@dataclass(frozen=True)
class SegmentContext:
    """A segment's text and start (a document offset), and the text just before and after it."""

    start: int
    text: str
    before: str
    after: str


def segment_context(db: Database, segment_id: int, limit: int = CONTEXT_CHARS) -> SegmentContext:
    """The segment with its neighbours by seq, each cut to about `limit` characters at a word
    boundary (the part nearest the segment is kept); "" where there is no neighbour."""
    row = db.execute("SELECT document_id, response_id, seq, start, text FROM segments "
                     "WHERE id = ?", [segment_id]).fetchone()
    if row is None:
        raise UsageError(f"segment {segment_id} does not exist",
                         danish=f"Segment {segment_id} findes ikke (længere).")
    document_id, response_id, seq, start, text = row

    def neighbour(op: str, order: str) -> str:
        found = db.execute(NEIGHBOUR.format(op=op, order=order),
                           [document_id, response_id, seq]).fetchone()
        return found[0] if found else ""

    return SegmentContext(start=start, text=text,
                          before=cut_tail(neighbour("<", "DESC"), limit),
                          after=cut_head(neighbour(">", "ASC"), limit))


def cut_head(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The beginning of `text`, at most `limit` characters ending at a word, with "…" if cut."""
    if len(text) <= limit:
        return text
    window = text[:limit + 1]
    last = LAST_SPACE.search(window)
    head = window[:last.start()].rstrip() if last else ""
    return (head or text[:limit]) + ELLIPSIS


def cut_tail(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The end of `text`, at most `limit` characters starting at a word, with "…" if cut."""
    if len(text) <= limit:
        return text
    window = text[-limit - 1:]
    first = SPACE.search(window)
    tail = window[first.end():].lstrip() if first else ""
    return ELLIPSIS + (tail or text[-limit:])
