"""Map kvali's normalised text back to a file's own characters.

`normalise_mapped` normalises a file's decoded text exactly as `normalise_text` does and keeps,
for every character, the offset it comes from; `FileLines` counts lines and columns at the
file's own line ends. `find_by_letters` finds a span in a text that differs from the stored one
only outside letters and digits (unwrapped lines, mended hyphens, dropped running heads).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from kvali.ingest.encoding import CONTROL, normalise_text

CHANGED = re.compile("(?P<newline>\r\ufeff*\n|[\r\u2028\u2029\x85\f\v])|\ufeff|"
                     + CONTROL.pattern)
"""What the normalisation changes: line ends become "\\n" (CRLF once, also with a BOM between,
which goes first), BOMs and CONTROL characters go."""
NON_ASCII = re.compile(r".?[^\x00-\x7f]+", re.DOTALL)
FILE_LINE_BREAKS = re.compile("\r\n?|[\n\u2028\u2029\x85]")
"""Where a line ends in the file's own text (a form feed starts a page, not a line)."""
ANCHOR = 24  # letters that anchor a span's start and end when a left-out line cuts it
MAX_GAP = 400  # letters of left-out lines (running heads, page numbers) a span may cross


@dataclass(frozen=True)
class FilePosition:
    """A 1-based line and column in a text file."""

    line: int
    column: int


class FileLines:
    """Line starts of a file's own text, at its own line ends (CRLF, CR, LF, U+2028 …)."""

    def __init__(self, raw: str) -> None:
        self.starts = [0] + [match.end() for match in FILE_LINE_BREAKS.finditer(raw)]

    def position(self, offset: int) -> FilePosition:
        """Line and column of the character at `offset`."""
        line = bisect.bisect_right(self.starts, offset)
        return FilePosition(line, offset - self.starts[line - 1] + 1)


def normalise_mapped(raw: str) -> tuple[str, list[int]]:
    """`normalise_text(raw)` and, for each of its characters and its end, the offset in `raw`
    it comes from (a composed "å" maps to its first raw character). Raises ValueError when the
    map cannot be made exact."""
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    for match in CHANGED.finditer(raw):
        pieces.append(raw[last:match.start()])
        offsets.extend(range(last, match.start()))
        if match.group("newline"):
            pieces.append("\n")
            offsets.append(match.start())
        last = match.end()
    pieces.append(raw[last:])
    offsets.extend(range(last, len(raw)))
    text = "".join(pieces)
    if not unicodedata.is_normalized("NFC", text):
        text, offsets = _composed(text, offsets)
    offsets.append(len(raw))
    if text != normalise_text(raw):
        raise ValueError("the normalisation map is not exact")
    return text, offsets


def _composed(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """NFC of `text` with its offsets: ASCII stays as it is, every run of other characters
    (with the character before it, which a combining mark may join) is composed cluster by
    cluster."""
    pieces: list[str] = []
    mapped: list[int] = []
    last = 0
    for match in NON_ASCII.finditer(text):
        pieces.append(text[last:match.start()])
        mapped.extend(offsets[last:match.start()])
        composed, where = _compose(match.group(), offsets[match.start():match.end()])
        pieces.append(composed)
        mapped.extend(where)
        last = match.end()
    pieces.append(text[last:])
    mapped.extend(offsets[last:])
    return "".join(pieces), mapped


def _compose(chars: str, where: list[int]) -> tuple[str, list[int]]:
    """NFC of the characters, cluster by cluster (a starter with its combining marks, merged
    with the next cluster when NFC composes across them, as Hangul jamo and some Indic vowel
    signs do; no character below U+0900 does), with offsets."""
    clusters: list[tuple[str, int]] = []
    for char, offset in zip(chars, where, strict=True):
        if clusters and (unicodedata.combining(char) or (
                ord(char) >= 0x0900 and _composes(clusters[-1][0], char))):
            clusters[-1] = (clusters[-1][0] + char, clusters[-1][1])
        else:
            clusters.append((char, offset))
    text: list[str] = []
    offsets: list[int] = []
    for cluster, offset in clusters:
        composed = unicodedata.normalize("NFC", cluster) if len(cluster) > 1 else cluster
        text.append(composed)
        offsets += [offset] * len(composed)
    return "".join(text), offsets


def _composes(left: str, right: str) -> bool:
    joined = unicodedata.normalize("NFC", left + right)
    return joined != unicodedata.normalize("NFC", left) + unicodedata.normalize("NFC", right)


def find_by_letters(text: str, start: int, end: int, target: str,
                    from_offset: int = 0) -> tuple[int, int] | None:
    """Where `text[start:end]` stands in `target` when the two differ only outside letters
    and digits (line breaks joined, hyphens mended) or by lines left out of `text` (running
    heads): the span's letters and digits are looked up in the target's, taking the same
    occurrence (the k-th) as in `text`; a span that a left-out line cuts is found by its first
    and last ANCHOR letters, at most MAX_GAP letters farther apart than in `text`. Returns
    target offsets of the span's first and past its last letter or digit, or None when the
    span has none or is not there."""
    own = [i for i, char in enumerate(text) if char.isalnum()]
    first, last = bisect.bisect_left(own, start), bisect.bisect_left(own, end)
    if first >= last:
        return None
    letters = "".join(text[i] for i in own)
    theirs = [i for i in range(from_offset, len(target)) if target[i].isalnum()]
    found = "".join(target[i] for i in theirs)
    wanted = letters[first:last]
    at = _nth(found, wanted, _count_before(letters, wanted, first))
    if at is not None:
        return theirs[at], theirs[at + len(wanted) - 1] + 1
    head, tail = wanted[:ANCHOR], wanted[-ANCHOR:]
    at = _nth(found, head, _count_before(letters, head, first))
    if at is None or len(wanted) <= ANCHOR:
        return None
    after = found.find(tail, at + len(wanted) - len(tail))
    if after < 0 or after - at - (len(wanted) - len(tail)) > MAX_GAP:
        return None
    return theirs[at], theirs[after + len(tail) - 1] + 1


def _count_before(haystack: str, needle: str, limit: int) -> int:
    count, at = 0, haystack.find(needle)
    while 0 <= at < limit:
        count += 1
        at = haystack.find(needle, at + 1)
    return count


def _nth(haystack: str, needle: str, n: int) -> int | None:
    at = haystack.find(needle)
    for _ in range(n):
        if at < 0:
            return None
        at = haystack.find(needle, at + 1)
    return at if at >= 0 else None
