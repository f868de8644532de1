"""Where a selection of the reader becomes a coding's span: inside the segments' text, widened
to whole words and without the spaces around it.

The stored text between two segments holds what the segmenter left out of them (a speaker
label, a time mark, blank lines); a span starts and ends inside a segment, so it never begins
or ends on those. Offsets are Python character offsets into `documents.text`.
"""

from __future__ import annotations

from collections.abc import Sequence


def is_word_char(char: str) -> bool:
    """Letters, digits and underscore: what a word is made of when a span is snapped."""
    return char.isalnum() or char == "_"


def clamp_to_segments(start: int, end: int,
                      segments: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """[start, end) moved so that it starts and ends inside a segment's text (segments in
    document order as (start, end)); None when no segment text lies inside it."""
    inside = [(a, b) for a, b in segments if a < end and b > start]
    if not inside:
        return None
    clamped = (max(start, inside[0][0]), min(end, inside[-1][1]))
    return clamped if clamped[0] < clamped[1] else None


def snap_to_words(text: str, start: int, end: int, lower: int = 0,
                  upper: int | None = None) -> tuple[int, int] | None:
    """[start, end) of `text` widened to whole words and trimmed of white space, never past
    [lower, upper); None when nothing but white space is left."""
    upper = len(text) if upper is None else upper
    a, b = max(start, lower), min(end, upper)
    while lower < a < upper and is_word_char(text[a - 1]) and is_word_char(text[a]):
        a -= 1
    while lower < b < upper and is_word_char(text[b - 1]) and is_word_char(text[b]):
        b += 1
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None
