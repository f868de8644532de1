"""Selection positions in REFI-QDA sources, and how they land in kvali's normalised text.

The standard counts positions in Unicode code points of the plain-text source. Tools differ:
.NET tools (NVivo) count UTF-16 code units, so every character outside the Basic Multilingual
Plane (emoji) counts twice; some count "\\r\\n" as one position; some count a byte-order mark.
`choose_convention` starts from the standard reading (or the one the project's `origin` makes
likely: NVivo counts UTF-16 units) and leaves it only for a reading that is clearly better:
clearly more selections whose name is their text, else — among the boundaries the two readings
place differently — clearly more that fall between words, else fewer selections outside the
text. Short arbitrary selections therefore never talk the import out of the standard.
`PositionMap` then turns positions into offsets into the normalised text kvali stores (no BOM,
"\\n" line ends, no control characters, NFC) — the same normalisation as
`kvali.ingest.encoding.normalise_text`, with every offset tracked.
"""

from __future__ import annotations

import math
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

BOM = "\ufeff"
LINE_BREAKS = {"\r", "\u2028", "\u2029", "\x85", "\f", "\v"}
REMOVED = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]} | \
    {"\ufffe", "\uffff", BOM}
SAMPLE = 3000


@dataclass(frozen=True)
class Convention:
    """How a tool counted positions."""

    utf16: bool = False
    crlf_as_one: bool = False
    bom_counted: bool = False

    def describe(self) -> str:
        """A short label for reports ("code points", "UTF-16 units, CRLF as one", …)."""
        parts = ["UTF-16 units" if self.utf16 else "code points"]
        if self.crlf_as_one:
            parts.append("CRLF as one")
        if self.bom_counted:
            parts.append("BOM counted")
        return ", ".join(parts)


def unit_offsets(raw: str, convention: Convention) -> array:
    """For every position under `convention`, the code-point index into `raw` it stands for."""
    offsets = array("q")
    index = 1 if raw.startswith(BOM) and not convention.bom_counted else 0
    length = len(raw)
    while index < length:
        char = raw[index]
        offsets.append(index)
        if convention.crlf_as_one and char == "\r" and raw.startswith("\n", index + 1):
            index += 2
            continue
        if convention.utf16 and ord(char) > 0xFFFF:
            offsets.append(index + 1)  # the low surrogate: a boundary after the character
        index += 1
    offsets.append(length)
    return offsets


NAME_MARGIN = 0.2  # a reading must match this much larger a share of selection names …
NAME_EVIDENCE = 2  # … and at least this many more names
CLEAN_MARGIN = 0.25  # or this much larger a share of clean boundaries among those placed apart,
# and more than chance would give: wins - losses >= 2 * sqrt(wins + losses) - 1


def prior_for(origin: str) -> Convention:
    """The reading a tool is known to use, from the Project's `origin` attribute."""
    return Convention(utf16=True) if "nvivo" in origin.lower() else Convention()


def choose_convention(raw: str, spans: Sequence[tuple[int, int]], *,
                      names: Sequence[str | None] | None = None, origin: str = "") -> Convention:
    """The reading of positions that the selections clearly support (see the module doc)."""
    candidates = _candidates(raw)
    prior = prior_for(origin)
    prior = Convention(prior.utf16 and any(c.utf16 for c in candidates))
    if len(candidates) == 1 or not spans:
        return prior if prior in candidates else candidates[0]
    step = max(1, len(spans) // SAMPLE)
    sample = list(spans[::step])
    sample_names = list(names[::step]) if names else [None] * len(sample)
    readings = {c: _Reading(raw, c, sample, sample_names) for c in candidates}
    champion = readings[prior]
    for reading in sorted(readings.values(), key=lambda r: -r.clean_total):
        if reading is not champion and reading.clearly_better_than(champion):
            champion = reading
    return champion.convention


def _candidates(raw: str) -> list[Convention]:
    options = product([False, True] if any(ord(c) > 0xFFFF for c in raw) else [False],
                      [False, True] if "\r\n" in raw else [False],
                      [False, True] if raw.startswith(BOM) else [False])
    return [Convention(*option) for option in options]


class _Reading:
    """Where one convention puts the sample's selections, and how well they fit the text."""

    def __init__(self, raw: str, convention: Convention, spans: list[tuple[int, int]],
                 names: list[str | None]) -> None:
        self.convention = convention
        offsets = unit_offsets(raw, convention)
        self.outside = 0
        self.boundaries: list[int | None] = []  # raw index of every start and end, or None
        self.named = 0
        for (start, end), name in zip(spans, names, strict=True):
            if not 0 <= start < end < len(offsets):
                self.outside += 1
                self.boundaries += [None, None]
                continue
            first, last = offsets[start], offsets[end]
            self.boundaries += [first, last]
            self.named += bool(name) and _same_text(raw[first:last], name or "")
        self.clean = [b is not None and _clean(raw, b) for b in self.boundaries]
        self.clean_total = sum(self.clean)

    def clearly_better_than(self, other: _Reading) -> bool:
        """Clearly more names, else clearly more clean boundaries, else fewer selections
        outside the text: the first of these that tells the two readings apart decides."""
        for verdict in (self._names_verdict(other), self._clean_verdict(other),
                        other.outside - self.outside):
            if verdict:
                return verdict > 0
        return False

    def _names_verdict(self, other: _Reading) -> int:
        gain = self.named - other.named
        return _sign(gain) if abs(gain) >= max(NAME_EVIDENCE,
                                               NAME_MARGIN * len(self.boundaries) / 2) else 0

    def _clean_verdict(self, other: _Reading) -> int:
        """+1 or -1 when one reading puts clearly more of the boundaries the two place apart
        between words, and by more than chance would; else 0."""
        differ = [i for i, (a, b) in enumerate(zip(self.boundaries, other.boundaries,
                                                    strict=True)) if a != b]
        wins = sum(self.clean[i] and not other.clean[i] for i in differ)
        losses = sum(other.clean[i] and not self.clean[i] for i in differ)
        needed = max(1, CLEAN_MARGIN * len(differ), 2 * math.sqrt(wins + losses) - 1)
        return _sign(wins - losses) if abs(wins - losses) >= needed else 0


def _sign(number: int) -> int:
    return (number > 0) - (number < 0)


def _same_text(text: str, name: str) -> bool:
    """True when a selection's name is its text (or, when long, the text's beginning)."""
    text, name = " ".join(text.split()), " ".join(name.split()).rstrip("…. ")
    return bool(name) and (text == name or (len(name) >= 10 and text.startswith(name)))


def _clean(raw: str, index: int) -> bool:
    """True when a boundary does not split a word or a "\\r\\n" pair."""
    if index <= 0 or index >= len(raw):
        return True
    before, after = raw[index - 1], raw[index]
    if before == "\r" and after == "\n":
        return False
    return not (before.isalnum() and after.isalnum())


class PositionMap:
    """The normalised text of a raw source and the offset of every position in it."""

    def __init__(self, raw: str, convention: Convention) -> None:
        self.convention = convention
        self._units = unit_offsets(raw, convention)
        pieces: list[str] = []
        raw_to_pre = array("q")
        size = 0
        index = 0
        while index < len(raw):
            char = raw[index]
            raw_to_pre.append(size)
            if char == "\r" and raw.startswith("\n", index + 1):
                raw_to_pre.append(size)
                pieces.append("\n")
                size += 1
                index += 2
                continue
            if char in LINE_BREAKS:
                pieces.append("\n")
                size += 1
            elif char not in REMOVED:
                pieces.append(char)
                size += 1
            index += 1
        raw_to_pre.append(size)
        self.text, pre_to_text = _nfc("".join(pieces))
        self._raw_to_text = raw_to_pre if pre_to_text is None else \
            array("q", (pre_to_text[i] for i in raw_to_pre))

    def offset(self, position: int) -> int | None:
        """The offset in `text` of a position, or None when it lies outside the source."""
        if not 0 <= position < len(self._units):
            return None
        return self._raw_to_text[self._units[position]]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) in `text`, or None when outside the source or empty after mapping."""
        first, last = self.offset(start), self.offset(end)
        if first is None or last is None or last <= first:
            return None
        return first, last


def _nfc(text: str) -> tuple[str, list[int] | None]:
    """NFC text and, when normalising changed anything, the new offset of every old offset.

    Text is composed run by run, each run starting at a character of combining class 0; an
    offset inside a run that changed length maps to the nearest offset inside its new form.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    mapping: list[int] = []
    size = 0
    start = 0
    for index in range(1, len(text) + 1):
        if index < len(text) and unicodedata.combining(text[index]):
            continue
        run = unicodedata.normalize("NFC", text[start:index])
        mapping.extend(size + min(i, len(run)) for i in range(index - start))
        out.append(run)
        size += len(run)
        start = index
    mapping.append(size)
    return "".join(out), mapping
