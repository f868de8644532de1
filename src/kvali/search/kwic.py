"""Keyword in context: the first match inside a segment with a little text either side.

The match comes from FTS5's `highlight()` on the text column. When a segment matched only through
its lemmas (an irregular form: "gik" for "gå"), the n-th lemma token is mapped to the n-th word
of the text, which is where the lemmatiser put it. Strings are returned raw; whoever displays
them escapes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "\x02", "\x03"
WIDTH = 60
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Kwic:
    """A match and its context; `start`/`end` are offsets of the match inside the segment text."""

    left: str
    match: str
    right: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        return {"left": self.left, "match": self.match, "right": self.right}


def _marked_span(text: str, marked: str | None) -> tuple[int, int] | None:
    """Offsets in `text` of the first region highlight() marked, if the markers are trustworthy."""
    if not marked or OPEN not in marked:
        return None
    if marked.replace(OPEN, "").replace(CLOSE, "") != text:
        return None
    start = marked.index(OPEN)
    end = marked.find(CLOSE, start)
    if end < 0:
        return None
    return start, end - 1


def _lemma_span(text: str, marked_lemmas: str | None) -> tuple[int, int] | None:
    """The word of `text` at the position of the first highlighted lemma."""
    if not marked_lemmas or OPEN not in marked_lemmas:
        return None
    position = len(_TOKEN.findall(marked_lemmas[:marked_lemmas.index(OPEN)]))
    words = list(_TOKEN.finditer(text))
    if position >= len(words):
        return None
    return words[position].start(), words[position].end()


def _trim_left(text: str) -> str:
    if len(text) <= WIDTH:
        return text
    cut = text[-WIDTH:]
    space = cut.find(" ")
    return "…" + (cut[space + 1:] if 0 <= space < WIDTH // 3 else cut)


def _trim_right(text: str) -> str:
    if len(text) <= WIDTH:
        return text
    cut = text[:WIDTH]
    space = cut.rfind(" ")
    return (cut[:space] if space > WIDTH * 2 // 3 else cut) + "…"


def make_kwic(text: str, marked_text: str | None, marked_lemmas: str | None) -> Kwic:
    """Build the KWIC line of one segment from its highlight() output."""
    span = _marked_span(text, marked_text) or _lemma_span(text, marked_lemmas)
    if span is None:
        return Kwic("", "", _trim_right(text), 0, 0)
    start, end = span
    return Kwic(_trim_left(text[:start]), text[start:end], _trim_right(text[end:]), start, end)
