"""Turn a PDF's text lines (with baseline and font size) into paragraphs that know their page.

Running headers and footers are dropped: lines at the top or bottom of a page that repeat on at
least half of the pages (digits folded, so "Side 3 af 12" repeats), bare page numbers that follow
the document's page numbering, and chapter running heads that carry the page number (also for
`.txt` pages separated by form feeds, `text_pages`). Lines are grouped into paragraphs at
vertical gaps, font-size changes, bullets and list markers; the lines of a paragraph become one
line with `kvali.ingest.unwrap.join_lines` (a space, or a hyphenated or split word mended). A
paragraph cut by a page break continues on the next page when the text shows it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from kvali.ingest.encoding import normalise_text
from kvali.ingest.transcript import TURN
from kvali.ingest.unwrap import join_lines, join_two, runs_on, starts_list_item

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                           "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
SPACES = re.compile(r"[ \t\u00a0]+")
PARAGRAPH_GAP = 1.45  # a gap this many times the usual line spacing starts a new paragraph
FONT_CHANGE = 0.15  # relative font-size change that separates a heading from its text
EDGE_LINES = 2  # lines at the top and at the bottom of a page checked for running heads
DIGITS = re.compile(r"\d+")
PAGE_NUMBER = re.compile(r"^[\W_]*(?:side|page|s\.)?\s*#(?:\s*(?:af|of|/)\s*#)?[\W_]*$")
NUMBER_AT_EDGE = re.compile(r"^\s*(\d{1,4})\b|\b(\d{1,4})\s*$")
BULLETS = tuple("•▪◦●‣∙■□➢–")


@dataclass
class Line:
    """One text line of a page with its baseline (None when unknown) and font size."""

    text: str
    y: float | None
    size: float


def page_paragraphs(pages: list[list[Line]], *,
                    split_at_turns: bool = False) -> list[tuple[int, str]]:
    """(1-based page, paragraph) pairs for a whole document, running heads removed.

    With `split_at_turns` a line that opens with a speaker label ("IP1: …") starts a paragraph.
    """
    cleaned = [[Line(clean_line(line.text), line.y, line.size) for line in page]
               for page in pages]
    cleaned = drop_running_heads([[line for line in page if line.text] for page in cleaned])
    return join_across_pages([paragraphs_of(page, split_at_turns) for page in cleaned])


def clean_line(text: str) -> str:
    """A line as stored: normalised, ligatures spelled out, runs of spaces collapsed."""
    return SPACES.sub(" ", normalise_text(text).translate(LIGATURES).replace("\n", " ")).strip()


def drop_running_heads(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove headers, footers and page numbers (see the module docstring)."""
    if len(pages) < 2:
        return pages
    edges = [_edge_indices(page) for page in pages]
    needed = max(2, (len(pages) + 1) // 2)
    repeated: Counter[str] = Counter()
    for page, indices in zip(pages, edges, strict=True):
        repeated.update({_head_key(page[i].text) for i in indices})
    offset = _page_number_offset(pages, edges, needed)
    numbered: Counter[str] = Counter()
    if offset is not None:
        for number, (page, indices) in enumerate(zip(pages, edges, strict=True), 1):
            numbered.update({_without_number(page[i].text, number + offset) for i in indices})
    result = []
    for number, (page, indices) in enumerate(zip(pages, edges, strict=True), 1):
        printed = None if offset is None else number + offset
        result.append([line for i, line in enumerate(page) if i not in indices
                       or not _is_running_head(line.text, printed, repeated, numbered, needed)])
    return result


def _is_running_head(text: str, printed: int | None, repeated: Counter[str],
                     numbered: Counter[str], needed: int) -> bool:
    """An edge line repeated on most pages, or one that carries this page's printed number."""
    if repeated[_head_key(text)] >= needed:
        return True
    if printed is None or str(printed) not in _edge_numbers(text):
        return False
    rest = _without_number(text, printed)
    return not rest or numbered[rest] >= 2


def _edge_indices(page: list[Line]) -> set[int]:
    """Indices of the top and bottom lines of a page (by baseline when every line has one);
    one at each end on a short page, so that its body is never taken for a running head."""
    order = list(range(len(page)))
    if all(line.y is not None for line in page):
        order.sort(key=lambda i: -page[i].y)
    edge = EDGE_LINES if len(page) > 2 * EDGE_LINES else 1
    return set(order[:edge]) | set(order[-edge:])


def _head_key(text: str) -> str:
    """Digits folded, so "Side 3 af 12" and "Side 4 af 12" count as the same running line."""
    key = DIGITS.sub("#", text.casefold())
    return "#" if PAGE_NUMBER.match(key) else key


def _edge_numbers(text: str) -> set[str]:
    """The numbers a line starts or ends with ("12 Kapitel 2", "Kapitel 2 13")."""
    return {group for match in NUMBER_AT_EDGE.finditer(text) for group in match.groups() if group}


def _page_number_offset(pages: list[list[Line]], edges: list[set[int]],
                        needed: int) -> int | None:
    """printed number − page index, when most pages show a number that follows the pages."""
    offsets: Counter[int] = Counter()
    for number, (page, indices) in enumerate(zip(pages, edges, strict=True), 1):
        offsets.update({int(value) - number for i in indices
                        for value in _edge_numbers(page[i].text)})
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= needed else None


def _without_number(text: str, printed: int) -> str:
    """The line without its page number at either end, for comparing chapter running heads."""
    number = re.escape(str(printed))
    return re.sub(rf"^\s*{number}\b|\b{number}\s*$", "", text).strip().casefold()


def paragraphs_of(lines: list[Line], split_at_turns: bool = False) -> list[str]:
    """Group a page's lines into paragraphs at vertical gaps, font-size changes and bullets
    (and at speaker labels when `split_at_turns`)."""
    spacing = _usual_spacing(lines)
    paragraphs: list[list[str]] = []
    previous: Line | None = None
    for line in lines:
        if (previous is None or _starts_paragraph(previous, line, spacing)
                or (split_at_turns and TURN.match(line.text))):
            paragraphs.append([])
        paragraphs[-1].append(line.text)
        previous = line
    return [join_lines(paragraph) for paragraph in paragraphs]


def _usual_spacing(lines: list[Line]) -> float | None:
    """The median distance between consecutive baselines, capped for one-line paragraphs."""
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False)
            if a.y is not None and b.y is not None and 0.5 * b.size < a.y - b.y < 3 * b.size]
    if not gaps:
        return None
    sizes = [line.size for line in lines if line.size > 0]
    usual = statistics.median(gaps)
    return min(usual, 1.5 * statistics.median(sizes)) if sizes else usual


def _starts_paragraph(previous: Line, line: Line, spacing: float | None) -> bool:
    """A new paragraph at a bullet or list marker, a font-size change, a big gap or a jump
    upwards."""
    if line.text.startswith(BULLETS) or starts_list_item(previous.text, line.text):
        return True
    if previous.size > 0 and abs(line.size - previous.size) > FONT_CHANGE * previous.size:
        return True
    if previous.y is None or line.y is None:
        return False
    gap = previous.y - line.y
    expected = spacing or 1.2 * (line.size or previous.size)
    return gap < -0.5 * line.size or gap > PARAGRAPH_GAP * expected


def join_across_pages(pages: list[list[str]]) -> list[tuple[int, str]]:
    """(page, paragraph) pairs; a paragraph that runs on over a page break stays one paragraph."""
    result: list[tuple[int, str]] = []
    for number, paragraphs in enumerate(pages, 1):
        for index, paragraph in enumerate(paragraphs):
            if index == 0 and result and runs_on(result[-1][1], paragraph):
                result[-1] = (result[-1][0], join_two(result[-1][1], paragraph))
            else:
                result.append((number, paragraph))
    return result


def text_pages(pages: list[str]) -> str:
    """The pages of a text extracted from a PDF (`pdftotext` separates them with form feeds),
    running heads and page numbers dropped, joined with a blank line, or with a line break when
    a sentence runs on over the page break."""
    rows = [page.split("\n") for page in pages]
    lines = [[Line(row.strip(), None, 0.0) for row in page if row.strip()] for page in rows]
    kept = {id(line) for page in drop_running_heads(lines) for line in page}
    text = ""
    for page, page_lines in zip(rows, lines, strict=True):
        visible = iter(page_lines)
        body = "\n".join(row for row in page
                         if not row.strip() or id(next(visible)) in kept).strip("\n")
        if not body.strip():
            continue
        if text:
            text += "\n" if runs_on(text.rstrip(), body.lstrip()) else "\n\n"
        text += body
    return text + "\n"
