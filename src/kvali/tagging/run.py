"""`kvali tag`: store codebook matches as suggested codings, never touching human decisions.

Only codes whose rules changed since they were last tagged are re-run (unless asked for). For
those codes, pending suggestions that no longer match are removed, new matches are added, and
a segment that a human accepted, coded by hand, or rejected under the same rules is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from sqlite_utils import Database

from kvali.codebook.sync import stored_codebook
from kvali.coding.store import log_event, now
from kvali.nlp import load_pipeline
from kvali.nlp.lemmas import lemmatize
from kvali.tagging.matcher import CodeMatch, SegmentContext, matcher_for

SEGMENT_BATCH = 5000
AUTO_CODER = "kvali"


@dataclass
class TagReport:
    """What one tagging run did, per code."""

    codes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules unchanged since the last run
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    segments: int = 0

    def to_dict(self) -> dict:
        """JSON-friendly."""
        return {"codes": self.codes, "skipped": self.skipped, "added": self.added,
                "removed": self.removed, "kept": self.kept, "segments": self.segments}


def form_lemma(word: str) -> str:
    """The lower-cased lemma of one word form, from kvali's Danish lemma rules; used for both
    the codebook's words and the corpus, so the two always meet."""
    return lemmatize(word).lower()


def codes_to_tag(db: Database, keys: list[str] | None, force: bool) -> tuple[list[str], list[str]]:
    """(codes to run, codes skipped because their rules are unchanged)."""
    rows = db.execute(
        "SELECT c.key, c.rules_hash, t.rules_hash FROM codes c "
        "LEFT JOIN tagged_codes t ON t.code_key = c.key WHERE c.active = 1 AND c.rules != '{}'"
    ).fetchall()
    wanted = set(keys) if keys else None
    run, skipped = [], []
    for key, current, tagged in rows:
        if wanted is not None and key not in wanted:
            continue
        (run if force or wanted is not None or current != tagged else skipped).append(key)
    return run, skipped


def tag_project(
    db: Database,
    keys: list[str] | None = None,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> TagReport:
    """Suggest codings for the given (or all changed) codes over every segment."""
    report = TagReport()
    codebook = stored_codebook(db)
    report.codes, report.skipped = codes_to_tag(db, keys, force)
    if not report.codes:
        return report
    nlp = load_pipeline()
    matcher = matcher_for(codebook, form_lemma, report.codes)
    hashes = {c.key: c.rules.digest() for c in codebook.codes}
    total = db.execute("SELECT count(*) FROM segments").fetchone()[0]
    with db.atomic():
        for low, high, batch in _segment_batches(db, nlp):
            found = {}
            for segment_id, document_id, offset, text, doc, context in batch:
                for key, match in matcher.match(doc, context, text).items():
                    # atoms only (no lists or objects), so the garbage collector ignores them
                    found[(segment_id, key)] = (document_id, offset, len(text),
                                                *_explanation(offset, match))
                report.segments += 1
            _store(db, found, report, hashes, codebook.version, (low, high))
            if progress:
                progress(report.segments, total)
        db.conn.executemany(
            "INSERT OR REPLACE INTO tagged_codes (code_key, rules_hash, tagged_at) "
            "VALUES (?, ?, ?)", [(key, hashes[key], now()) for key in report.codes])
        log_event(db, AUTO_CODER, "tag", report.to_dict())
    return report


def _segment_batches(db: Database, nlp: Language) -> Iterator[tuple[int, int, list[tuple]]]:
    """Batches of (segment id, document id, start, text, Doc, context), each with the segment id
    range it covers (low, high], so memory stays flat however large the project is.

    The interviewer's own questions are not what a study codes, so they get no suggestions.
    """
    low = 0
    last = db.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]
    while low < last:
        rows = db.execute(
            "SELECT s.id, s.document_id, s.start, s.text, d.kind, d.question, sp.role, "
            "coalesce(sp.is_interviewer, 0) FROM segments s "
            "JOIN documents d ON d.id = s.document_id "
            "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
            "WHERE s.id > ? ORDER BY s.id LIMIT ?", [low, SEGMENT_BATCH]).fetchall()
        high = rows[-1][0] if len(rows) == SEGMENT_BATCH else last
        coded = [row for row in rows if not row[7]]
        docs = nlp.tokenizer.pipe((row[3] for row in coded), batch_size=1000)
        yield low, high, [(row[0], row[1], row[2], row[3], doc,
                           SegmentContext(row[4], row[5], row[6]))
                          for row, doc in zip(coded, docs, strict=True)]
        low = high


def _store(db: Database, found: dict, report: TagReport, hashes: dict[str, str],
           version: str, segment_range: tuple[int, int]) -> None:
    """Diff one batch's matches against the stored codings of the tagged codes on the same
    segments and write the difference."""
    codes = set(report.codes)
    blocked: set[tuple[int, str]] = set()
    pending: dict[tuple[int, str], tuple[int, str]] = {}
    for coding_id, segment_id, key, status, rules_hash in db.execute(
        "SELECT id, segment_id, code_key, status, rules_hash FROM codings "
        "WHERE segment_id > ? AND segment_id <= ?", segment_range,
    ):
        if key not in codes:
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
    for (segment_id, key), (document_id, offset, length, *explanation) in found.items():
        if (segment_id, key) in blocked or (segment_id, key) in kept:
            continue
        rows.append((document_id, segment_id, offset, offset + length, key, AUTO_CODER,
                     *explanation, hashes[key], version, stamp, stamp))
        report.added[key] = report.added.get(key, 0) + 1
    db.conn.executemany(
        'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
        "status, rule, score, matched, rules_hash, codebook_version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'auto', 'suggested', ?, ?, ?, ?, ?, ?, ?)", rows)


def _explanation(offset: int, match: CodeMatch) -> tuple[str, float, str]:
    """(rules, score, matched spans as JSON in document offsets) of one suggestion."""
    matched = [[offset + s, offset + e] for s, e in sorted(match.spans)]
    return "; ".join(match.rules), match.score, json.dumps(matched)
