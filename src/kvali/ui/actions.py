"""What the buttons do: each action writes through kvali.coding.store and returns a Danish
sentence for the toast; a user mistake raises a KvaliError with a sentence the page shows. Each
action first checks that the logged-in user may code (`kvali.access.require`), so a reader is
refused before anything is looked up. The REFI-QDA import checks for "import" instead and
writes through `kvali.refiqda.load`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.spans import clamp_to_segments, snap_to_words
from kvali.coding.store import add_manual_coding, decide, remove_coding, save_memo, set_key_quote
from kvali.errors import InputError, KvaliError, UsageError
from kvali.privacy.findings import TYPE_LABELS, add_manual
from kvali.refiqda.load import QdpxImport, import_qdpx
from kvali.views.documents import SegmentView, document_text, segments_overlapping

QUOTE_PREVIEW = 60


def apply_code(db: Database, segments: Sequence[SegmentView], code_key: str, coder: str, *,
               as_one: bool = True, memo: str = "", label: str = "") -> str:
    """Code the segments picked from the list: consecutive segments as one quote, or each
    segment on its own."""
    require("code")
    if not segments:
        raise UsageError("Vælg mindst ét segment at kode.")
    if not code_key:
        raise UsageError("Vælg en kode.")
    ordered = sorted(segments, key=lambda s: s.seq)
    label = label or code_key
    memo_text = memo.strip() or None
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


def selection_span(db: Database, document_id: int, start: int,
                   end: int) -> tuple[tuple[int, int], list[SegmentView]]:
    """The reader's selection as a span: [start, end) kept inside the segments' text and snapped
    to whole words, with the segments it touches; a UsageError when no words are selected."""
    segments = segments_overlapping(db, document_id, start, end)
    span = clamp_to_segments(start, end, [(s.start, s.end) for s in segments])
    if span is not None:
        inside = [s for s in segments if s.start < span[1] and s.end > span[0]]
        lower = inside[0].start
        text = document_text(db, document_id, lower, inside[-1].end)
        snapped = snap_to_words(text, span[0] - lower, span[1] - lower)
        span = None if snapped is None else (snapped[0] + lower, snapped[1] + lower)
    if span is None:
        raise UsageError("Markér nogle ord i teksten først.")
    return span, segments


def _preview(db: Database, document_id: int, span: tuple[int, int]) -> str:
    quoted = document_text(db, document_id, *span)
    return quoted if len(quoted) <= QUOTE_PREVIEW else quoted[:QUOTE_PREVIEW - 1].rstrip() + "…"


def code_selection(db: Database, document_id: int, start: int, end: int, code_key: str,
                   coder: str, label: str = "") -> str:
    """Code the words selected in the reader; one coding, also when the selection runs over
    several segments."""
    require("code")
    if not code_key:
        raise UsageError("Vælg en kode.")
    span, segments = selection_span(db, document_id, start, end)
    first = next(s for s in segments if s.end > span[0])
    add_manual_coding(db, first.id, code_key, coder, span=span)
    return f"»{_preview(db, document_id, span)}« er kodet med »{label or code_key}«."


def mark_personal_data(db: Database, document_id: int, start: int, end: int, type_: str,
                       coder: str) -> str:
    """Mark the words selected in the reader as personal data of TYPE_ (a confirmed finding, so
    pseudonymised exports replace it). The toast does not repeat the text."""
    require("code")
    span, _ = selection_span(db, document_id, start, end)
    add_manual(db, document_id, *span, type_, coder)
    return f"Markeret som personoplysning ({TYPE_LABELS.get(type_, type_)})."


def remove(db: Database, coding_id: int, coder: str) -> str:
    """Remove a manual coding, or reject a suggestion so it does not come back."""
    require("code")
    remove_coding(db, coding_id, coder)
    return "Kodningen er fjernet."


def review(db: Database, coding_ids: Sequence[int], status: str, coder: str) -> str:
    """Accept or reject suggestions."""
    require("code")
    if not coding_ids:
        raise UsageError("Der er ingen forslag at behandle.")
    changed = decide(db, coding_ids, status, coder)
    verb = {"accepted": "accepteret", "rejected": "afvist", "suggested": "sat tilbage"}[status]
    return "Forslaget er " + verb + "." if changed == 1 else f"{changed} forslag er {verb}."


def toggle_key_quote(db: Database, coding_id: int, on: bool, coder: str) -> str:
    """Mark or unmark a coding as a key quote."""
    require("code")
    set_key_quote(db, coding_id, on, coder)
    return "Markeret som nøglecitat." if on else "Ikke længere nøglecitat."


def write_memo(db: Database, target_type: str, target: str | int, text: str, coder: str) -> str:
    """Save a memo on a coding, a document or a code."""
    require("code")
    save_memo(db, target_type, target, text.strip(), coder)
    return "Memoet er gemt."


def import_refiqda(db: Database, path: Path, name: str, report: QdpxImport) -> str:
    """Bring in the REFI-QDA project uploaded as NAME and staged at PATH. REPORT is filled as
    the import goes, with NAME for PATH in its lines, so it still tells what was found when the
    import fails; a failure is one Danish line naming NAME, and the project is then unchanged."""
    require("import")
    staged = str(path)
    try:
        import_qdpx(db, path, report)
    except KvaliError as exc:
        if exc.danish:
            raise
        reason = str(exc).replace(staged, name).removeprefix(f"{name}: ")
        danish = f"{name} er ikke importeret, og intet er ændret: {reason}"
        raise InputError(reason, source=name, danish=danish) from None
    finally:
        report.skipped = [line.replace(staged, name) for line in report.skipped]
        report.warnings = [line.replace(staged, name) for line in report.warnings]
    lost = f"; {len(report.missing)} kilde(r) kunne ikke placeres" if report.missing else ""
    return (f"{name} er importeret: {report.documents} dokument(er), {report.codings} "
            f"kodning(er){lost}.")
