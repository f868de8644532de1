"""The reader component (Streamlit Components v2): a page of segments with their highlights,
where the analyst selects words with the mouse and presses a code.

Python sends plain data — each segment's gutter line and its text cut into pieces (offsets,
the highlight style computed by `kvali.ui.render`, tooltip, coding ids) — and the browser
builds the page from text nodes only (`assets/reader.js`); no user text is ever read as HTML.
The component answers with one of three events: `code` ({start, end, code}: document offsets of
the selection and the chosen code), `pii` ({start, end, type}: the selection marked as personal
data) or `open` ({codings: [...]}: the highlight clicked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files

import streamlit as st

from kvali.ui.render import Highlight, coding_label, pieces, safe_color
from kvali.views.codes import CodeNode
from kvali.views.documents import SegmentView

ASSETS = files("kvali.ui") / "assets"
NAME = "kvali_reader"

_mount = st.components.v2.component(
    NAME, html="", css=(ASSETS / "reader.css").read_text(encoding="utf-8"),
    js=(ASSETS / "reader.js").read_text(encoding="utf-8"), isolate_styles=False)


def segment_meta(segment: SegmentView) -> str:
    """The gutter line: number, time, page, speaker (role, municipality)."""
    who = ", ".join(part for part in (segment.role, segment.municipality) if part)
    speaker = segment.speaker or ""
    parts = [f"#{segment.seq + 1}", segment.time or "",
             f"s. {segment.page}" if segment.page else "",
             (speaker + (f" ({who})" if who else "")).strip()]
    return " · ".join(part for part in parts if part)


def _split_at(cuts: Sequence[int], start: int, end: int) -> list[tuple[int, int]]:
    inner = sorted({start, end, *(c for c in cuts if start < c < end)})
    return list(zip(inner, inner[1:], strict=False))


def segment_pieces(segment: SegmentView,
                   focus: tuple[int, int] | None = None) -> list[dict[str, object]]:
    """The segment's text as pieces with document offsets; pieces inside FOCUS are flagged."""
    marks = [Highlight(c.start - segment.start, c.end - segment.start, c.color,
                       coding_label(c.code_name, c.coder, c.status, c.key_quote),
                       dashed=c.status == "suggested", coding=c.id) for c in segment.codings]
    cuts = [f - segment.start for f in focus] if focus else []
    out: list[dict[str, object]] = []
    for piece in pieces(segment.text, marks):
        for a, b in _split_at(cuts, piece.start, piece.end):
            out.append({"start": segment.start + a, "end": segment.start + b,
                        "text": segment.text[a:b], "style": piece.style, "title": piece.title,
                        "codings": list(piece.codings),
                        "focus": bool(focus) and focus[0] <= segment.start + a
                        and segment.start + b <= focus[1]})
    return out


def reader_data(segments: Sequence[SegmentView], tree: Sequence[CodeNode], *,
                recent: Sequence[str] = (), focus: tuple[int, int] | None = None,
                nonce: int = 0, height: int = 720,
                pii_types: dict[str, str] | None = None) -> dict[str, object]:
    """Everything the component draws, as JSON-ready data; PII_TYPES (type -> Danish label)
    adds buttons that mark the selection as personal data."""
    return {
        "pii_types": [{"type": t, "label": label} for t, label in (pii_types or {}).items()],
        "segments": [{"start": s.start, "end": s.end, "meta": segment_meta(s),
                      "pieces": segment_pieces(s, focus)} for s in segments],
        "codes": [{"key": c.key, "name": c.name, "color": safe_color(c.color),
                   "depth": c.depth} for c in tree],
        "recent": list(recent), "focus": list(focus) if focus else None, "nonce": nonce,
        "height": height}


def reader(data: dict[str, object], *, key: str, on_code: Callable[[], None],
           on_open: Callable[[], None], on_pii: Callable[[], None]) -> None:
    """Mount the reader; the callbacks run when a selection is coded, a highlight clicked or a
    selection marked as personal data (read the event with `reader_event`)."""
    _mount(key=key, data=data, height="content", on_code_change=on_code,
           on_open_change=on_open, on_pii_change=on_pii)


def reader_event(key: str, name: str) -> dict | None:
    """The value of the component's event NAME in this rerun, if it fired."""
    value = st.session_state.get(key)
    event = value.get(name) if value is not None else None
    return event if isinstance(event, dict) else None
