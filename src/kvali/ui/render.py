"""Document text as safe HTML: every piece of user text is escaped, highlights never nest tags.

Text is cut at every highlight boundary into flat pieces. Each highlight gets a fixed lane (the
lowest lane free where it starts); a piece shows one coloured underline per highlight covering
it, lane 0 lowest, so overlapping codes stay visible as stacked bands. Colours are accepted
only as #RRGGBB; anything else falls back to grey. The HTML is shown with `st.html` (no
JavaScript runs and nothing is read as markdown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from kvali.errors import KvaliError, SelectionError
from kvali.selection import FIELDS

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$:&^])")
LINE_START = re.compile(r"(?m)^(\s*(?:\d+)?)([-+=.)])")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
FALLBACK_COLOR = "#888888"
BAND = 3  # px per underline
GAP = 1  # px between stacked underlines


@dataclass(frozen=True)
class Highlight:
    """A span of the text to mark: offsets into the text, a colour and a label for the tooltip."""

    start: int
    end: int
    color: str
    label: str
    dashed: bool = False  # suggestions: a lighter, dashed mark
    coding: int | None = None  # the coding it shows, when it shows one


def md(text: object) -> str:
    """Text for Streamlit's markdown-rendering calls (captions, headers, toasts, errors):
    markdown, HTML and :shortcode: characters are backslash-escaped, so they show literally."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return LINE_START.sub(r"\1\\\2", escaped)


def error_text(error: KvaliError) -> str:
    """A user error in the app's own words: the field's Danish label and the Danish reason
    when the error carries them (the CLI's line names its options instead)."""
    if isinstance(error, SelectionError):
        return f"{FIELDS[error.field].label}: »{error.value}« {error.danish}"
    return error.danish or str(error)


def safe_color(color: str | None) -> str:
    """The colour if it is exactly #RRGGBB, else grey."""
    return color.upper() if color and COLOR.match(color) else FALLBACK_COLOR


def _lanes(spans: Sequence[Highlight]) -> list[int]:
    """A lane per span such that overlapping spans never share a lane."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, i))
    lane_ends: list[int] = []
    lanes = [0] * len(spans)
    for i in order:
        lane = next((n for n, end in enumerate(lane_ends) if end <= spans[i].start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = spans[i].end
        lanes[i] = lane
    return lanes


def _piece_style(active: list[tuple[int, Highlight]]) -> str:
    layers = []
    for lane, span in sorted(active, key=lambda pair: pair[0]):
        color = safe_color(span.color)
        offset = lane * (BAND + GAP)
        if span.dashed:
            gradient = f"repeating-linear-gradient(90deg,{color} 0 4px,transparent 4px 7px)"
        else:
            gradient = f"linear-gradient({color},{color})"
        layers.append(f"{gradient} 0 calc(100% - {offset}px)/100% {BAND}px no-repeat")
    depth = (max(lane for lane, _ in active) + 1) * (BAND + GAP)
    solid = [span for _, span in active if not span.dashed]
    tint = f"background-color:{safe_color(solid[0].color)}26;" if solid else ""
    return f"background:{','.join(layers)};{tint}padding-bottom:{depth}px;"


@dataclass(frozen=True)
class Piece:
    """A flat piece of text between two highlight boundaries: offsets into the text, the style
    that draws the highlights covering it ('' for none), their labels and coding ids."""

    start: int
    end: int
    style: str
    title: str
    codings: tuple[int, ...]
    lanes: int  # how many highlights cover it


def pieces(text: str, spans: Iterable[Highlight]) -> list[Piece]:
    """The text cut at every highlight boundary; offsets are Python character offsets."""
    length = len(text)
    kept = [Highlight(max(s.start, 0), min(s.end, length), s.color, s.label, s.dashed, s.coding)
            for s in spans]
    kept = [s for s in kept if s.start < s.end]
    if not kept:
        return [Piece(0, length, "", "", (), 0)] if length else []
    lanes = _lanes(kept)
    cuts = sorted({0, length, *(s.start for s in kept), *(s.end for s in kept)})
    out: list[Piece] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [(lanes[i], s) for i, s in enumerate(kept) if s.start <= a and s.end >= b]
        if not active:
            out.append(Piece(a, b, "", "", (), 0))
            continue
        title = "; ".join(dict.fromkeys(s.label for _, s in active))
        ids = tuple(dict.fromkeys(s.coding for _, s in active if s.coding is not None))
        out.append(Piece(a, b, _piece_style(active), title, ids, len(active)))
    return out


def highlight_html(text: str, spans: Iterable[Highlight]) -> str:
    """The text as escaped HTML with each span marked; offsets are Python character offsets."""
    out: list[str] = []
    for piece in pieces(text, spans):
        body = escape(text[piece.start:piece.end])
        if not piece.style:
            out.append(body)
            continue
        out.append(f'<span class="kv-hl" data-lanes="{piece.lanes}" '
                   f'title="{escape(piece.title, quote=True)}" style="{piece.style}">{body}</span>')
    return "".join(out)


def legend_html(codes: Iterable[tuple[str, str]]) -> str:
    """Colour chips with code names: (name, colour) pairs."""
    chips = [f'<span style="display:inline-block;margin:0 .8em .3em 0;">'
             f'<span style="display:inline-block;width:.9em;height:.9em;border-radius:2px;'
             f'vertical-align:middle;background:{safe_color(color)};"></span> '
             f"{escape(name)}</span>" for name, color in codes]
    return f'<div class="kv-legend">{"".join(chips)}</div>'


def coding_label(code_name: str, coder: str, status: str, key_quote: bool) -> str:
    """Tooltip text of one coding."""
    mark = " \u2605" if key_quote else ""
    state = "forslag" if status == "suggested" else coder
    return f"{code_name}{mark} ({state})"
