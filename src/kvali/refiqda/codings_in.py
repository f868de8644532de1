"""The codings, notes and memos of a REFI-QDA project, stored on the documents its sources
became: a Coding becomes a coding by its User (with its status and provenance when the file's
`kvali/project.json` gives them, else a manual one), kvali/project.json's pending and rejected
suggestions come along, Notes become memos on the project, a document, a code or a coding, and
what kvali has no place for (descriptions, Sets of codes) becomes project memos. Codings and
memos that are already there are skipped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from sqlite_utils import Database

from kvali.codebook.qdc import code_guid as guid_of_key
from kvali.coding.store import now
from kvali.coding.write import insert_coding, is_settled, settle_suggestions
from kvali.domain import decision
from kvali.refiqda.extras import CodingState
from kvali.refiqda.model import QdaProject
from kvali.refiqda.sources import Placed

if TYPE_CHECKING:
    from kvali.refiqda.load import QdpxImport

DEFAULT_CODER = "qdpx"


def store_codings_and_memos(db: Database, project: QdaProject, codes: dict[str, str],
                             placed: dict[str, Placed], report: QdpxImport) -> None:
    users, extras = project.users, project.extras
    coding_notes: dict[int, list[str]] = defaultdict(list)
    memo_targets: list[tuple[str, str, str]] = []  # (note guid, target type, target)
    here = _Here(db, [where.document_id for where in placed.values()])
    stamp = now()
    for source in project.sources:
        where = placed[source.guid]
        memo_targets += [(n, "document", str(where.document_id)) for n in source.notes]
        whole = [(None, 0, len(where.positions.text), coding) for coding in source.codings]
        spans = [(s, *(where.positions.span(s.start, s.end) or (None, None)), c)
                 for s in source.selections for c in s.codings]
        for selection, start, end, coding in whole + spans:
            if start is None or end <= start:
                report.skipped.append(f"selection {selection.guid} in {source.name} lies "
                                      "outside the text or is empty; skipped")
                continue
            if coding.code_guid not in codes:
                report.skipped.append(f"coding {coding.guid} refers to an unknown code; skipped")
                continue
            coder = users.get(coding.user or "") or users.get(
                (selection.user if selection else None) or "") or DEFAULT_CODER
            identity = (where.document_id, start, end, codes[coding.code_guid], coder)
            facts = (extras.codings.get(coding.guid) if extras else None) or CodingState(
                provenance=json.dumps({"source": "qdpx", "guid": coding.guid}))
            found = here.same(identity, facts.status)
            if found is None:
                if here.contradicts(identity, facts.status, report):
                    continue
                found = _insert_coding(db, where, start, end, identity[3], coder, facts,
                                       coding.created or stamp, None, stamp)
                here.add(identity, found, facts.status)
                report.codings += 1
            elif here.held_before(found):
                report.codings_existing += 1
                continue
            notes = coding.notes + (selection.notes if selection else [])
            coding_notes[found].extend(notes)
        for selection in source.selections:
            if selection.notes and not selection.codings:
                memo_targets += [(n, "document", str(where.document_id))
                                 for n in selection.notes]
    _store_extra_codings(db, project, codes, placed, here, report, stamp)
    for code_guid, notes in project.code_notes.items():
        if code_guid in codes:
            memo_targets += [(n, "code", codes[code_guid]) for n in notes]
    memo_targets += [(n, "project", "project") for n in project.project_notes]
    referenced = {n for n, _, _ in memo_targets} | {n for ns in coding_notes.values() for n in ns}
    memo_targets += [(n, "project", "project") for n in project.notes if n not in referenced]
    _store_memos(db, project, memo_targets, coding_notes, report, stamp)
    for text in _project_texts(project, codes):
        _insert_memo(db, "project", "project", DEFAULT_CODER, text, report, stamp)


def _project_texts(project: QdaProject, codes: dict[str, str]) -> list[str]:
    """Project memos for what kvali has no place for: descriptions of the project and the
    cases, and Sets of codes (their names and codes)."""
    texts = [project.description] if project.description else []
    texts += [f"{case.name}: {case.description}" for case in project.cases if case.description]
    names = {code.get("guid"): code.get("name") or "" for code in project.codebook.iter("Code")} \
        if project.codebook is not None else {}
    for qda_set in project.sets:
        members = [names[guid] for guid in qda_set.codes if guid in codes and guid in names]
        if members:
            text = f"{qda_set.name}: {', '.join(members)}"
            texts.append(f"{text}\n\n{qda_set.description}" if qda_set.description else text)
    return texts


class _Here:
    """The human codings (accepted, manual, rejected) of the documents, by (document, start,
    end, code, coder), as `kvali merge` sees them: one with the same decision is already here,
    one with the other decision by the same coder is a conflict, and this project's stands."""

    def __init__(self, db: Database, document_ids: list[int]) -> None:
        self.codings: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
        for document_id in set(document_ids):
            for coding_id, start, end, code_key, coder, status in db.execute(
                    'SELECT id, start, "end", code_key, coder, status FROM codings '
                    "WHERE document_id = ? AND status != 'suggested'", [document_id]):
                self.codings[(document_id, start, end, code_key, coder)].append(
                    (coding_id, status))
        self.before = {i for found in self.codings.values() for i, _ in found}

    def same(self, identity: tuple, status: str) -> int | None:
        """The id of a coding here with the same decision, if any."""
        return next((i for i, held in self.codings.get(identity, ())
                     if decision(held) == decision(status)), None)

    def contradicts(self, identity: tuple, status: str, report: QdpxImport) -> bool:
        """Whether the same coder decided the other way here (listed in REPORT as skipped)."""
        held = self.codings.get(identity)
        if not held:
            return False
        document_id, start, end, code_key, coder = identity
        report.skipped.append(f"coding of {code_key!r} by {coder} at {start}-{end} in document "
                              f"{document_id}: {held[0][1]} here, {status} in the file; kept "
                              "this project's")
        return True

    def add(self, identity: tuple, coding_id: int, status: str) -> None:
        """Remember a coding this import stored."""
        self.codings[identity].append((coding_id, status))

    def held_before(self, coding_id: int) -> bool:
        """Whether the coding was in the project before this import."""
        return coding_id in self.before


def _insert_memo(db: Database, target_type: str, target: str, coder: str, text: str,
                 report: QdpxImport, stamp: str) -> None:
    """Store one memo unless the same memo is already there."""
    if db.execute("SELECT 1 FROM memos WHERE target_type = ? AND target = ? AND coder = ? "
                  "AND text = ?", [target_type, target, coder, text]).fetchone():
        return
    db.execute("INSERT INTO memos (target_type, target, coder, text, created_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?)", [target_type, target, coder, text, stamp, stamp])
    report.memos += 1


def _store_extra_codings(db: Database, project: QdaProject, codes: dict[str, str],
                         placed: dict[str, Placed], here: _Here, report: QdpxImport,
                         stamp: str) -> None:
    """The codings kvali/project.json carries beside the Coding elements (pending and rejected
    suggestions), on the sources whose text it describes; a rejection as a human coding is
    (`_Here`), a pending suggestion unless it is there or a human decision here settles it."""
    if project.extras is None:
        return
    documents = {where.document_id for where in placed.values()}
    pending = {tuple(row) for document_id in documents for row in db.execute(
        'SELECT document_id, start, "end", code_key, coder FROM codings '
        "WHERE document_id = ? AND status = 'suggested'", [document_id])}
    for extra in project.extras.extra_codings:
        where = placed.get(extra.source)
        key = codes.get(guid_of_key(extra.code))
        if where is None or project.extras.document(extra.source, where.positions.text) is None \
                or key is None or extra.end > len(where.positions.text):
            report.skipped.append(f"a {extra.facts.status} coding of {extra.code!r} in "
                                  f"kvali/project.json has no place in this file; skipped")
            continue
        identity = (where.document_id, extra.start, extra.end, key, extra.coder)
        if extra.facts.status == "suggested":
            if identity in pending or is_settled(db, *identity[:4]):
                report.codings_existing += 1
                continue
            pending.add(identity)
        elif here.same(identity, extra.facts.status) is not None:
            report.codings_existing += 1
            continue
        elif here.contradicts(identity, extra.facts.status, report):
            continue
        coding_id = _insert_coding(db, where, extra.start, extra.end, key, extra.coder,
                                   extra.facts, extra.created or stamp, extra.memo, stamp)
        if extra.facts.status != "suggested":
            here.add(identity, coding_id, extra.facts.status)
        report.codings += 1


def _insert_coding(db: Database, where: Placed, start: int, end: int, code_key: str,
                   coder: str, facts: CodingState, created: str, memo: str | None,
                   stamp: str) -> int:
    """Store one coding on its segment; a human one first settles the pending suggestions its
    decision settles (`kvali.coding.write`)."""
    if facts.status != "suggested":
        settle_suggestions(db, where.document_id, code_key, start, end, facts.status)
    return insert_coding(
        db, document_id=where.document_id, segment_id=where.segments.segment_for(start, end),
        start=start, end=end, code_key=code_key, coder=coder, origin=facts.origin,
        status=facts.status, rule=facts.rule, score=facts.score, matched=facts.matched,
        rules_hash=facts.rules_hash, codebook_version=facts.codebook_version,
        provenance=facts.provenance, key_quote=int(facts.key_quote), memo=memo,
        created_at=created, updated_at=stamp)


def _store_memos(db: Database, project: QdaProject, targets: list[tuple[str, str, str]],
                 coding_notes: dict[int, list[str]], report: QdpxImport, stamp: str) -> None:
    texts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for note_guid, target_type, target in targets:
        note = project.notes.get(note_guid)
        if note is not None and note.text.strip():
            coder = project.users.get(note.user or "") or DEFAULT_CODER
            texts[(target_type, target, coder)].append(note.text.strip())
    for (target_type, target, coder), parts in texts.items():
        _insert_memo(db, target_type, target, coder, "\n\n".join(parts), report, stamp)
    for coding_id, note_guids in coding_notes.items():
        parts = [project.notes[n].text.strip() for n in dict.fromkeys(note_guids)
                 if n in project.notes and project.notes[n].text.strip()]
        if parts:
            db.execute("UPDATE codings SET memo = ? WHERE id = ?", ["\n\n".join(parts), coding_id])
            report.memos += 1
