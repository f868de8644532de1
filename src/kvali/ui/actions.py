"""What the buttons do: each action writes through kvali.coding.store and returns a Danish
sentence for the toast; a user mistake raises a KvaliError with a sentence the page shows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from kvali.coding.store import add_manual_coding, decide, remove_coding, save_memo, set_key_quote
from kvali.errors import UsageError
from kvali.views.documents import SegmentView


def excerpt_span(segment: SegmentView, excerpt: str) -> tuple[int, int]:
    """Document offsets of `excerpt` inside the segment (exact, else ignoring case)."""
    wanted = excerpt.strip()
    index = segment.text.find(wanted)
    if index < 0 and len(segment.text.lower()) == len(segment.text):
        index = segment.text.lower().find(wanted.lower())
    if not wanted or index < 0:
        raise UsageError(f"Teksten »{wanted}« står ikke i segment #{segment.seq + 1}; kopiér "
                         "udsnittet præcis som det står.")
    return segment.start + index, segment.start + index + len(wanted)


def apply_code(db: Database, segments: Sequence[SegmentView], code_key: str, coder: str, *,
               excerpt: str = "", as_one: bool = True, memo: str = "", label: str = "") -> str:
    """Code the selected segments: an excerpt inside one segment, the consecutive segments as
    one quote, or each segment on its own."""
    if not segments:
        raise UsageError("Vælg mindst ét segment at kode.")
    if not code_key:
        raise UsageError("Vælg en kode.")
    ordered = sorted(segments, key=lambda s: s.seq)
    label = label or code_key
    memo_text = memo.strip() or None
    if excerpt.strip():
        if len(ordered) != 1:
            raise UsageError("Et udsnit kan kun kodes i ét segment ad gangen; vælg ét segment.")
        span = excerpt_span(ordered[0], excerpt)
        add_manual_coding(db, ordered[0].id, code_key, coder, memo=memo_text, span=span)
        return f"Udsnittet er kodet med »{label}«."
    if as_one and len(ordered) > 1:
        seqs = [s.seq for s in ordered]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise UsageError("Segmenterne hænger ikke sammen; vælg segmenter i træk, eller kod "
                             "dem hver for sig.")
        add_manual_coding(db, ordered[0].id, code_key, coder, memo=memo_text,
                          span=(ordered[0].start, ordered[-1].end))
        return f"{len(ordered)} segmenter er kodet som ét citat med »{label}«."
    for segment in ordered:
        add_manual_coding(db, segment.id, code_key, coder, memo=memo_text)
    return (f"Segmentet er kodet med »{label}«." if len(ordered) == 1
            else f"{len(ordered)} segmenter er kodet med »{label}«.")


def remove(db: Database, coding_id: int, coder: str) -> str:
    """Remove a manual coding, or reject a suggestion so it does not come back."""
    remove_coding(db, coding_id, coder)
    return "Kodningen er fjernet."


def review(db: Database, coding_ids: Sequence[int], status: str, coder: str) -> str:
    """Accept or reject suggestions."""
    if not coding_ids:
        raise UsageError("Der er ingen forslag at behandle.")
    changed = decide(db, coding_ids, status, coder)
    verb = {"accepted": "accepteret", "rejected": "afvist", "suggested": "sat tilbage"}[status]
    return "Forslaget er " + verb + "." if changed == 1 else f"{changed} forslag er {verb}."


def toggle_key_quote(db: Database, coding_id: int, on: bool, coder: str) -> str:
    """Mark or unmark a coding as a key quote."""
    set_key_quote(db, coding_id, on, coder)
    return "Markeret som nøglecitat." if on else "Ikke længere nøglecitat."


def write_memo(db: Database, target_type: str, target: str | int, text: str, coder: str) -> str:
    """Save a memo on a coding, a document or a code."""
    save_memo(db, target_type, target, text.strip(), coder)
    return "Memoet er gemt."
