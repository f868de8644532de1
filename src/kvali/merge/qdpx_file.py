"""Read a REFI-QDA project (.qdpx) for a merge, through kvali's own REFI-QDA reader.

The archive is parsed by `kvali.refiqda.read.read_qdpx`, positions are mapped into kvali's
normalised text by `kvali.refiqda.positions`, and a source becomes a document the way
`kvali import-qdpx` makes one (`kvali.refiqda.load._document`). QDA-XML has no review status:
every coding arrives as a manual coding by its User, as an import would store it.
"""

from __future__ import annotations

import json
from pathlib import Path

from kvali.codebook.qdc import codes_from_element
from kvali.merge.model import (
    Incoming,
    IncomingCoding,
    IncomingDocument,
    IncomingImport,
    IncomingMemo,
)
from kvali.refiqda.load import DEFAULT_CODER, _document
from kvali.refiqda.positions import PositionMap, choose_convention
from kvali.refiqda.read import QdaProject, QdaSource, read_qdpx


def read_qdpx_file(path: Path, sha256: str) -> Incoming:
    """Documents, codes, codings and notes of the .qdpx project at PATH."""
    project = read_qdpx(path)
    codes = codes_from_element(project.codebook, str(path)) \
        if project.codebook is not None and project.code_guids else []
    keys = {guid: code.key for guid, code in zip(project.code_guids, codes, strict=True)}
    origin = IncomingImport(str(path), sha256, "qdpx")
    incoming = Incoming(source=str(path), sha256=sha256, documents=[], codes=codes, codings=[],
                        memos=[], skipped=list(project.skipped))
    variable_names = {guid: name.strip() for guid, name in project.variables.items()}
    case_of = {source: case.name for case in reversed(project.cases) for source in case.sources}
    for source in project.sources:
        positions = PositionMap(source.raw, choose_convention(
            source.raw, [(s.start, s.end) for s in source.selections]))
        parsed = _document(source, positions.text, variable_names, case_of.get(source.guid))
        incoming.documents.append(IncomingDocument(source.guid, parsed, origin))
        incoming.codings += _codings(project, source, positions, keys, incoming.skipped)
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
        found.append(IncomingCoding(
            source.guid, span[0], span[1], keys[coding.code_guid],
            project.users.get(user) or DEFAULT_CODER, "manual",
            memo="\n\n".join(memo.text for memo in _memos(project, notes, "coding", "")) or None,
            provenance=json.dumps({"source": "qdpx", "guid": coding.guid}),
            created_at=coding.created))
    return found


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
