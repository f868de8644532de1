"""Read a REFI-QDA project (.qdpx) for a merge, through kvali's own REFI-QDA reader.

The archive is parsed by `kvali.refiqda.read.read_qdpx`, positions are mapped into kvali's
normalised text by `kvali.refiqda.positions`, and a source becomes a document the way
`kvali import-qdpx` makes one (`kvali.refiqda.sources.source_document`: with kvali's own
structure when the file's `kvali/project.json` describes the text). QDA-XML has no review
status: a coding arrives as a manual coding by its User, unless kvali/project.json gives its
status and provenance; rejected suggestions kept there come along too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kvali.codebook.model import Code
from kvali.codebook.qdc import codes_from_element
from kvali.merge.model import (
    Incoming,
    IncomingCoding,
    IncomingDocument,
    IncomingImport,
    IncomingMemo,
)
from kvali.refiqda.codings_in import DEFAULT_CODER
from kvali.refiqda.extras import CodingState
from kvali.refiqda.positions import PositionMap
from kvali.refiqda.read import QdaProject, QdaSource, read_qdpx
from kvali.refiqda.sources import source_document, source_positions
from kvali.store.reimport import CARRIED_STATUSES


def read_qdpx_file(path: Path, sha256: str) -> Incoming:
    """Documents, codes, codings and notes of the .qdpx project at PATH."""
    project = read_qdpx(path)
    codes = codes_from_element(project.codebook, str(path)) \
        if project.codebook is not None and project.code_guids else []
    keys = {guid: code.key for guid, code in zip(project.code_guids, codes, strict=True)}
    origins: dict[str | None, IncomingImport] = {}
    incoming = Incoming(source=str(path), sha256=sha256, documents=[], codes=codes, codings=[],
                        memos=[], skipped=list(project.skipped))
    variable_names = {guid: name.strip() for guid, name in project.variables.items()}
    case_of = {source: case.name for case in reversed(project.cases) for source in case.sources}
    for source in project.sources:
        positions = source_positions(project, source)
        parsed, extra = source_document(project, source, positions.text, variable_names,
                                        case_of.get(source.guid))
        ref = extra.respondents if extra else None
        if ref not in origins:
            origins[ref] = _origin(project, path, sha256, ref)
        incoming.documents.append(IncomingDocument(source.guid, parsed, origins[ref]))
        incoming.codings += _codings(project, source, positions, keys, incoming.skipped)
        if extra:
            incoming.codings += _carried_extra_codings(project, source.guid, codes)
        incoming.memos += _memos(project, source.notes, "document", source.guid)
    for code_guid, notes in project.code_notes.items():
        if code_guid in keys:
            incoming.memos += _memos(project, notes, "code", keys[code_guid])
    incoming.memos += _memos(project, project.project_notes, "project", "project")
    return incoming


def _codings(project: QdaProject, source: QdaSource, positions: PositionMap,
             keys: dict[str, str], skipped: list[str]) -> list[IncomingCoding]:
    whole = [(None, (0, len(positions.text)), coding) for coding in source.codings]
    spans = [(s, positions.span(s.start, s.end), c) for s in source.selections for c in s.codings]
    found = []
    for selection, span, coding in whole + spans:
        if span is None or coding.code_guid not in keys:
            skipped.append(f"coding {coding.guid} in {source.name} lies outside the text or "
                           "refers to an unknown code; skipped")
            continue
        user = coding.user or (selection.user if selection else None) or ""
        notes = coding.notes + (selection.notes if selection else [])
        facts = project.extras.codings.get(coding.guid) if project.extras else None
        facts = facts or CodingState(provenance=json.dumps({"source": "qdpx",
                                                            "guid": coding.guid}))
        found.append(_incoming(
            source.guid, span[0], span[1], keys[coding.code_guid],
            project.users.get(user) or DEFAULT_CODER, facts,
            "\n\n".join(memo.text for memo in _memos(project, notes, "coding", "")) or None,
            coding.created))
    return found


def _origin(project: QdaProject, path: Path, sha256: str, ref: str | None) -> IncomingImport:
    """The import the documents come in: the file, or per exported survey import (so its
    respondents stay together) one derived from it."""
    if ref is None or project.extras is None:
        return IncomingImport(str(path), sha256, "qdpx")
    return IncomingImport(str(path), hashlib.sha256(f"{sha256}:{ref}".encode()).hexdigest(),
                          "qdpx", respondents=project.extras.respondents.get(ref, {}))


def _carried_extra_codings(project: QdaProject, source_guid: str,
                           codes: list[Code]) -> list[IncomingCoding]:
    """The rejected suggestions kvali/project.json holds for the source (a merge carries the
    human decisions; pending suggestions stay behind, as from a project file)."""
    known = {code.key for code in codes}
    return [_incoming(extra.source, extra.start, extra.end, extra.code, extra.coder,
                      extra.facts, extra.memo, extra.created)
            for extra in (project.extras.extra_codings if project.extras else [])
            if extra.source == source_guid and extra.code in known
            and extra.facts.status in CARRIED_STATUSES]


def _incoming(source_guid: str, start: int, end: int, key: str, coder: str,
              facts: CodingState, memo: str | None, created: str | None) -> IncomingCoding:
    return IncomingCoding(source_guid, start, end, key, coder, facts.status, facts.origin,
                          memo, facts.key_quote, facts.provenance, facts.rule, facts.score,
                          facts.matched, facts.rules_hash, facts.codebook_version, created)


def _memos(project: QdaProject, note_guids: list[str], target_type: str,
           target: str) -> list[IncomingMemo]:
    """The non-empty notes NOTE_GUIDS as memos on one target."""
    memos = []
    for note_guid in dict.fromkeys(note_guids):
        note = project.notes.get(note_guid)
        if note is not None and note.text.strip():
            memos.append(IncomingMemo(target_type, target,
                                      project.users.get(note.user or "") or DEFAULT_CODER,
                                      note.text.strip()))
    return memos
