"""`kvali tag`: store codebook matches as suggested codings, never touching human decisions.

Tagging is incremental by document and by rule: `tagged_documents` records, per document and
code, the rules it was last tagged with, so a run tags the documents that are new and re-runs
the codes whose rules changed, nothing else (unless asked to). For each code it runs, pending
suggestions that no longer match are removed and new matches added; a segment that a human
accepted or coded by hand (any part of it), or rejected under the same rules, is left alone.

The work is committed in batches of segments, each its own short write transaction, and a
document counts as tagged in the transaction of its last batch: a run that is stopped resumes
where it stopped, and running again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.sync import stored_codebook
from kvali.coding.store import log_event, now
from kvali.domain import AUTO_CODER, HUMAN_STATUSES
from kvali.errors import UsageError
from kvali.nlp.lemma_rules import query_lemmas

if TYPE_CHECKING:
    from kvali.tagging.matcher import CodebookMatcher

SEGMENT_BATCH = 5000
NO_CODEBOOK = "no codebook is loaded; load one with `kvali codebook load codebook.yaml`"
SEGMENTS_SQL = (
    "SELECT f.segment_id, f.document_id, f.seq, f.start, f.\"end\", f.text, s.lemmas, f.kind, "
    "f.question, f.role, f.is_interviewer FROM segment_facts f "
    "JOIN segments s ON s.id = f.segment_id "
    "WHERE f.document_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?")


@dataclass
class TagReport:
    """What one tagging run did, per code, and over how many documents."""

    codes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # nothing to do for them anywhere
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    segments: int = 0
    documents: int = 0
    new_documents: int = 0  # never tagged before
    unaligned: int = 0  # segments lemmatised word by word (stored lemmas did not line up)

    def to_dict(self) -> dict:
        """JSON-friendly."""
        return {"codes": self.codes, "skipped": self.skipped, "added": self.added,
                "removed": self.removed, "kept": self.kept, "segments": self.segments,
                "documents": self.documents, "new_documents": self.new_documents,
                "unaligned": self.unaligned}


class _Segment(NamedTuple):
    """One row of SEGMENTS_SQL."""

    segment_id: int
    document_id: int
    seq: int
    start: int
    end: int
    text: str
    lemmas: str
    kind: str
    question: str | None
    role: str | None
    is_interviewer: int


@dataclass
class _Batch:
    """Segments to match (rows of SEGMENTS_SQL), the parts of documents they are (document,
    first seq, last seq, start, end), and the documents whose last segment is in the batch."""

    rows: list[_Segment] = field(default_factory=list)
    parts: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)


def form_lemma(word: str) -> str:
    """The lemma of one word out of context, as `query_lemmas` gives it."""
    return query_lemmas([word])[word]


def codebook_has_rules(db: Database) -> bool:
    """Whether any active code has rules to tag with."""
    return db.execute("SELECT 1 FROM codes WHERE active = 1 AND rules != '{}' LIMIT 1"
                      ).fetchone() is not None


def _plan(db: Database, keys: list[str] | None, force: bool
         ) -> tuple[dict[tuple[str, ...], list[int]], dict[str, str]]:
    """(documents grouped by the codes they need, each code's current rules hash).

    A document needs a code when it was never tagged with the code's current rules; with
    `keys` or `force`, it needs every chosen code.
    """
    hashes = dict(db.execute("SELECT key, rules_hash FROM codes WHERE active = 1 "
                             "AND rules != '{}' ORDER BY id").fetchall())
    if not hashes:
        raise UsageError(NO_CODEBOOK)
    unknown = sorted(set(keys or ()) - set(hashes))
    if unknown:
        raise UsageError(f"--codes: no code with rules named {', '.join(unknown)}")
    chosen = [key for key in hashes if not keys or key in keys]
    needs: dict[int, list[str]] = {}
    if keys or force:
        for (document_id,) in db.execute("SELECT id FROM documents ORDER BY id"):
            needs[document_id] = chosen
    else:
        for document_id, key in db.execute(
            "SELECT d.id, c.key FROM documents d JOIN codes c ON c.active = 1 "
            "AND c.rules != '{}' LEFT JOIN tagged_documents t ON t.document_id = d.id "
            "AND t.code_key = c.key WHERE t.rules_hash IS NOT c.rules_hash ORDER BY d.id, c.id"
        ):
            needs.setdefault(document_id, []).append(key)
    groups: dict[tuple[str, ...], list[int]] = {}
    for document_id, codes in needs.items():
        groups.setdefault(tuple(codes), []).append(document_id)
    return groups, hashes


def tag_project(
    db: Database,
    keys: list[str] | None = None,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = SEGMENT_BATCH,
) -> TagReport:
    """Suggest codings where documents are new or rules changed (or for the given codes, or
    everywhere with `force`); raises UsageError when no codebook with rules is loaded."""
    require("tag")
    groups, hashes = _plan(db, keys, force)
    report = TagReport()
    run = {key for codes in groups for key in codes}
    report.codes = [key for key in hashes if key in run]
    report.skipped = [key for key in hashes if key not in run]
    if not groups:
        return report
    tagged = {row[0] for row in db.execute("SELECT DISTINCT document_id FROM tagged_documents")}
    documents = [document_id for group in groups.values() for document_id in group]
    report.documents = len(documents)
    report.new_documents = sum(document_id not in tagged for document_id in documents)
    counts = dict(db.execute("SELECT document_id, count(*) FROM segments GROUP BY document_id"))
    total, done = sum(counts.get(document_id, 0) for document_id in documents), 0
    from kvali.tagging.matcher import matcher_for  # spaCy's tokenizer: only when there is work

    codebook = stored_codebook(db)
    for codes, group in groups.items():
        matcher = matcher_for(codebook, form_lemma, codes)
        for batch in _batches(db, group, batch_size):
            found = _match(matcher, batch, report)
            with db.atomic():  # BEGIN IMMEDIATE: the codings read cannot change before the write
                _store(db, found, batch, codes, hashes, codebook.version, report)
                _mark_tagged(db, batch.finished, codes, hashes)
            done += len(batch.rows)
            if progress:
                progress(done, total)
        report.unaligned += matcher.unaligned
    with db.atomic():
        log_event(db, AUTO_CODER, "tag", report.to_dict())
    return report


def _batches(db: Database, documents: list[int], size: int) -> Iterator[_Batch]:
    """The segments of the documents, in document order, at most `size` per batch, so memory
    and write transactions stay small however large the project is."""
    batch = _Batch()
    for document_id in documents:
        seq = -1
        while True:
            rows = list(map(_Segment._make, db.execute(
                SEGMENTS_SQL, [document_id, seq, size - len(batch.rows)])))
            if rows:
                seq = rows[-1].seq
                batch.rows.extend(rows)
                batch.parts.append((document_id, rows[0].seq, seq, rows[0].start,
                                    max(row.end for row in rows)))
            if len(batch.rows) < size:
                batch.finished.append(document_id)
                break
            yield batch
            batch = _Batch()
    yield batch


def _match(matcher: CodebookMatcher, batch: _Batch, report: TagReport) -> dict:
    """(segment id, code) → (document id, start, end, rules, score, matched) for one batch.
    The interviewer's own questions are not what a study codes, so they get no suggestions."""
    from kvali.tagging.matcher import SegmentContext

    coded = [row for row in batch.rows if not row.is_interviewer]
    matcher.chunks.prepare(row.text for row in coded)
    found = {}
    for row in coded:
        context = SegmentContext(row.kind, row.question, row.role)
        for key, rules, score, matched in matcher.suggestions(row.text, row.lemmas, context,
                                                              row.start):
            # atoms only (no lists or objects), so the garbage collector ignores them
            found[(row.segment_id, key)] = (row.document_id, row.start, row.end, rules, score,
                                            matched)
    report.segments += len(coded)
    return found


def _store(db: Database, found: dict, batch: _Batch, codes: tuple[str, ...],
           hashes: dict[str, str], version: str, report: TagReport) -> None:
    """Diff one batch's matches against the stored codings of the codes on the same segments
    and write the difference."""
    wanted = set(codes)
    blocked = _human_covered(db, batch, wanted)
    pending: dict[tuple[int, str], tuple[int, str]] = {}
    for document_id, first, last, _, _ in batch.parts:
        for coding_id, segment_id, key, status, rules_hash in db.execute(
            "SELECT id, segment_id, code_key, status, rules_hash FROM codings WHERE segment_id "
            "IN (SELECT id FROM segments WHERE document_id = ? AND seq BETWEEN ? AND ?)",
            [document_id, first, last],
        ):
            if key not in wanted:
                continue
            if status == "suggested":
                pending[(segment_id, key)] = (coding_id, rules_hash)
            elif status != "rejected" or rules_hash == hashes[key]:
                blocked.add((segment_id, key))
    stale = {cid for pair, (cid, _) in pending.items() if pair not in found or pair in blocked}
    for pair, (cid, _) in pending.items():
        counter = report.removed if cid in stale else report.kept
        counter[pair[1]] = counter.get(pair[1], 0) + 1
    db.conn.executemany("DELETE FROM codings WHERE id = ?", [(cid,) for cid in stale])
    kept = {pair: cid for pair, (cid, _) in pending.items() if cid not in stale}
    db.conn.executemany(
        "UPDATE codings SET rule = ?, score = ?, matched = ?, rules_hash = ?, "
        "codebook_version = ? WHERE id = ?",
        [(*found[pair][3:], hashes[pair[1]], version, cid)
         for pair, cid in kept.items() if pending[pair][1] != hashes[pair[1]]])
    stamp = now()
    rows = []
    for (segment_id, key), (document_id, start, end, *explanation) in found.items():
        if (segment_id, key) in blocked or (segment_id, key) in kept:
            continue
        rows.append((document_id, segment_id, start, end, key, AUTO_CODER, *explanation,
                     hashes[key], version, stamp, stamp))
        report.added[key] = report.added.get(key, 0) + 1
    db.conn.executemany(
        'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
        "status, rule, score, matched, rules_hash, codebook_version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'auto', 'suggested', ?, ?, ?, ?, ?, ?, ?)", rows)


def _human_covered(db: Database, batch: _Batch, wanted: set[str]) -> set[tuple[int, str]]:
    """(segment, code) pairs of the batch whose segment overlaps a human coding of the code,
    however small the coded span: a coding by hand or an accepted suggestion speaks for the
    segment, whichever segment it was made on."""
    human: dict[tuple[int, str], list[tuple[int, int]]] = {}
    marks = ", ".join("?" * len(HUMAN_STATUSES))
    for document_id, _, _, start, end in batch.parts:
        for key, coded_start, coded_end in db.execute(
            f'SELECT code_key, start, "end" FROM codings WHERE document_id = ? '
            f'AND status IN ({marks}) AND start < ? AND "end" > ?',
            [document_id, *HUMAN_STATUSES, end, start],
        ):
            if key in wanted:
                human.setdefault((document_id, key), []).append((coded_start, coded_end))
    if not human:
        return set()
    keys: dict[int, list[str]] = {}
    for document_id, key in human:
        keys.setdefault(document_id, []).append(key)
    return {(row.segment_id, key) for row in batch.rows for key in keys.get(row.document_id, ())
            if any(s < row.end and e > row.start for s, e in human[(row.document_id, key)])}


def _mark_tagged(db: Database, documents: list[int], codes: tuple[str, ...],
                 hashes: dict[str, str]) -> None:
    """Record that the documents are tagged with the codes' current rules."""
    if not documents:
        return
    stamp = now()
    db.conn.executemany(
        "INSERT OR REPLACE INTO tagged_documents (document_id, code_key, rules_hash, tagged_at) "
        "VALUES (?, ?, ?, ?)",
        [(document_id, key, hashes[key], stamp) for document_id in documents for key in codes])
    db.conn.executemany(
        "INSERT INTO tagged_codes (code_key, rules_hash, tagged_at) VALUES (?, ?, ?) "
        "ON CONFLICT (code_key) DO UPDATE SET rules_hash = excluded.rules_hash, "
        "tagged_at = excluded.tagged_at", [(key, hashes[key], stamp) for key in codes])
