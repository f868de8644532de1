"""Mend a wrong import: delete documents, or change a document between interview and report.

Each call runs in one transaction and writes one `events` row holding ids and counts only (never
names or text). Deleting removes a document's segments (the FTS index follows through the delete
trigger), codings, speakers, responses, attributes, memos and tagging state; an import left
without documents goes too, with its respondents, so the same file can be imported again.

Changing the kind never touches `documents.text` (the offsets rule). The blocks are rebuilt from
the stored text (paragraphs for a report, speaker turns for an interview), the document is
segmented again, every human coding (accepted, manual, rejected) keeps its offsets and moves to
the new segment that holds its start, and pending auto suggestions and the document's tagging
state are dropped, so the next `kvali tag` suggests afresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.placement import SegmentPlaces
from kvali.coding.store import log_event
from kvali.domain import DOCUMENT_KINDS
from kvali.errors import UsageError
from kvali.ingest.model import Block, Speaker
from kvali.ingest.transcript import paragraph_blocks, parse_transcript
from kvali.store.parsed import keep_pages, stored_speakers
from kvali.store.schema_search import FLUSH_PENDING

if TYPE_CHECKING:
    from kvali.nlp import SegmentSpan

CHANGEABLE_KINDS = tuple(kind for kind in DOCUMENT_KINDS if kind != "survey")
"""The kinds a document can be changed between; a survey question stays a survey question."""


@dataclass(frozen=True)
class DeleteReport:
    """What `delete_documents` removed."""

    documents: list[int]
    segments: int
    codings: int
    imports: list[int]  # imports removed because none of their documents was left

    def to_dict(self) -> dict:
        """JSON-friendly (the same ids and counts as the events row)."""
        return {"documents": self.documents, "segments": self.segments,
                "codings": self.codings, "imports": self.imports}


@dataclass(frozen=True)
class KindChange:
    """What `set_document_kind` did to one document."""

    document: int
    old: str
    new: str
    segments: int = 0
    speakers: int = 0
    codings_kept: int = 0
    suggestions_dropped: int = 0

    @property
    def changed(self) -> bool:
        """False when the document already had the kind asked for."""
        return self.old != self.new

    def to_dict(self) -> dict:
        """JSON-friendly (the same ids and counts as the events row)."""
        return {"document": self.document, "from": self.old, "to": self.new,
                "segments": self.segments, "speakers": self.speakers,
                "codings_kept": self.codings_kept,
                "suggestions_dropped": self.suggestions_dropped}


def document_summaries(db: Database) -> list[dict]:
    """Every document by id: id, name, kind and number of segments."""
    rows = db.execute("SELECT d.id, d.name, d.kind, (SELECT count(*) FROM segments s "
                      "WHERE s.document_id = d.id) FROM documents d ORDER BY d.id")
    return [{"id": i, "name": name, "kind": kind, "segments": segments}
            for i, name, kind, segments in rows]


def delete_documents(db: Database, ids: Iterable[int], actor: str) -> DeleteReport:
    """Delete documents with everything that hangs on them; unknown ids delete nothing."""
    require("documents")
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        raise UsageError("no document ids given")
    marks = json.dumps(wanted)
    with db.atomic():
        found = dict(db.execute("SELECT id, import_id FROM documents "
                                "WHERE id IN (SELECT value FROM json_each(?))", [marks]))
        _require_all(wanted, found)
        in_docs = "document_id IN (SELECT value FROM json_each(?))"
        db.execute(f"DELETE FROM memos WHERE target_type = 'coding' AND target IN "
                   f"(SELECT CAST(id AS TEXT) FROM codings WHERE {in_docs})", [marks])
        db.execute("DELETE FROM memos WHERE target_type = 'document' AND target IN "
                   "(SELECT CAST(value AS TEXT) FROM json_each(?))", [marks])
        codings = db.execute(f"DELETE FROM codings WHERE {in_docs}", [marks]).rowcount
        segments = db.execute(f"DELETE FROM segments WHERE {in_docs}", [marks]).rowcount
        for table in ("responses", "speakers", "document_attributes"):
            db.execute(f"DELETE FROM {table} WHERE {in_docs}", [marks])
        _clear_tagging_state(db, wanted)
        db.execute("DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?))", [marks])
        emptied = [import_id for import_id in sorted(set(found.values())) if not db.execute(
            "SELECT 1 FROM documents WHERE import_id = ? LIMIT 1", [import_id]).fetchone()]
        for import_id in emptied:  # respondents and their answers cascade
            db.execute("DELETE FROM imports WHERE id = ?", [import_id])
        report = DeleteReport(wanted, segments, codings, emptied)
        log_event(db, actor, "delete_documents", report.to_dict())
    return report


def set_document_kind(db: Database, document_id: int, kind: str, actor: str) -> KindChange:
    """Make an interview a report or a report an interview, rebuilding its segments."""
    require("documents")
    if kind not in CHANGEABLE_KINDS:
        raise UsageError(f"kind {kind!r}: a document can only become "
                         f"{' or '.join(CHANGEABLE_KINDS)}")
    old, text = _document(db, document_id)
    if old == kind:
        return KindChange(document_id, old, kind)
    known = stored_speakers(db, document_id) if kind == "interview" else {}
    if kind == "interview":
        blocks, speakers = parse_transcript(text, known, known_interview=True)
    else:
        blocks, speakers = paragraph_blocks(text), {}
    keep_pages(db, document_id, blocks)
    from kvali.nlp import load_pipeline, pipeline_label, segment_blocks  # spaCy: only here

    nlp = load_pipeline()
    spans = segment_blocks(text, blocks, nlp=nlp)
    with db.atomic():
        if _document(db, document_id)[0] != old:
            raise UsageError(f"document {document_id} changed meanwhile; try again")
        dropped = db.execute("DELETE FROM codings WHERE document_id = ? AND origin = 'auto' "
                             "AND status = 'suggested'", [document_id]).rowcount
        db.execute("DELETE FROM segments WHERE document_id = ?", [document_id])
        if kind == "report":
            db.execute("DELETE FROM speakers WHERE document_id = ?", [document_id])
        segments = _store_segments(db, document_id, text, blocks, speakers, spans)
        for statement in FLUSH_PENDING:
            db.execute(statement)
        kept = _relink_codings(db, document_id)
        db.execute("UPDATE documents SET kind = ?, pipeline = ? WHERE id = ?",
                   [kind, pipeline_label(nlp), document_id])
        _clear_tagging_state(db, [document_id])
        count = db.execute("SELECT count(*) FROM speakers WHERE document_id = ?",
                           [document_id]).fetchone()[0]
        change = KindChange(document_id, old, kind, segments, count, kept, dropped)
        log_event(db, actor, "set_kind", change.to_dict())
    return change


def _require_all(wanted: list[int], found: dict[int, int]) -> None:
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise UsageError(f"no document with id {', '.join(missing)}; nothing was deleted "
                         "(see `kvali documents list`)")


def _document(db: Database, document_id: int) -> tuple[str, str]:
    """(kind, text) of a document that may change kind."""
    row = db.execute("SELECT kind, text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise UsageError(f"no document with id {document_id} (see `kvali documents list`)")
    if row[0] not in CHANGEABLE_KINDS:
        raise UsageError(f"document {document_id} is a {row[0]} document; only interviews "
                         "and reports can change kind")
    return row[0], row[1]


def _store_segments(db: Database, document_id: int, text: str, blocks: list[Block],
                    speakers: dict[str, Speaker], spans: list[SegmentSpan]) -> int:
    """Insert the new segments (and any speaker the new turns name); returns how many."""
    document_case = db.execute("SELECT case_id FROM documents WHERE id = ?",
                               [document_id]).fetchone()[0]
    rows = {label: (speaker_id, case_id) for speaker_id, label, case_id in db.execute(
        "SELECT id, label, case_id FROM speakers WHERE document_id = ?", [document_id])}
    for label, speaker in speakers.items():
        if label not in rows:
            rows[label] = (db.execute(
                "INSERT INTO speakers (document_id, label, name, role, case_id, is_interviewer) "
                "VALUES (?, ?, ?, ?, ?, ?)", [document_id, label, speaker.name, speaker.role,
                                              document_case, int(speaker.is_interviewer)],
            ).lastrowid, document_case)
    turns: list[int | None] = []
    turn = 0
    for block in blocks:
        turn += block.speaker is not None
        turns.append(turn if block.speaker is not None else None)
    values = []
    for seq, span in enumerate(spans):
        block = blocks[span.block_index]
        speaker_id, case_id = rows.get(block.speaker or "", (None, document_case))
        values.append((document_id, seq, span.start, span.end, text[span.start:span.end],
                       span.lemmas, speaker_id, case_id or document_case,
                       turns[span.block_index], block.time, block.page))
    db.conn.executemany(
        'INSERT INTO segments (document_id, seq, start, "end", text, lemmas, speaker_id, '
        "case_id, turn, time, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    return len(values)


def _relink_codings(db: Database, document_id: int) -> int:
    """Point each remaining coding at the new segment holding its start (else the first one it
    overlaps); returns how many codings the document keeps."""
    places = SegmentPlaces.of_document(db, document_id)
    codings = db.execute('SELECT id, start, "end" FROM codings WHERE document_id = ?',
                         [document_id]).fetchall()
    db.conn.executemany("UPDATE codings SET segment_id = ? WHERE id = ?",
                        [(places.segment_for(start, end), coding_id)
                         for coding_id, start, end in codings])
    return len(codings)


def _clear_tagging_state(db: Database, document_ids: list[int]) -> None:
    """Forget that the documents were tagged, so the next `kvali tag` tags them afresh."""
    db.execute("DELETE FROM tagged_documents WHERE document_id IN "
               "(SELECT value FROM json_each(?))", [json.dumps(document_ids)])
