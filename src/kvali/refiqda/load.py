"""Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder or kvali.

- Sources become documents: the text is normalised like every kvali import, split into blocks by
  `parse_transcript` (speaker turns when found, else paragraphs) and segmented by kvali's
  pipeline. The kind is the source's `kind` variable when it has one, else interview when turns
  were found, else report. Other variables become document attributes.
- Codes become codes: the key written by kvali (`kvali-key:` in the description) when present,
  else a key derived from the name (see `kvali.codebook.qdc`). A code whose key the project
  already has is the same code when the key came from kvali or the name and parent agree;
  otherwise the imported code gets a new key.
- Selections land on the same text: positions are read with the convention the file turns out
  to use (`kvali.refiqda.positions`, with the Project's `origin` as a prior); the report names
  the reading used for each source. Codings become manual codings by their User, and every
  User becomes a coder.
- A source whose text already is in the project (the same `documents.sha256`) is not stored
  again: its codings land on the existing document, and codings (same document, span, code and
  coder) and memos that are already there are skipped, so re-importing an overlapping project
  adds only what is new.
- A source whose text is missing from the file is skipped and listed (name, path, reason, the
  codings lost); users, the codebook, notes and the other sources are still imported.
- Notes become memos on the project, a document, a code or a coding; Cases become cases (and
  the documents and segments they hold get that case, and the case's variable values as
  attributes). A source's `Description` and the Sets it belongs to become the attributes
  `description` and `sets`; the project's and the cases' descriptions and the sets of codes
  become project memos (kvali has no code groups).

Everything happens in one transaction: a failure leaves the project as it was.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.qdc import KEY_LABEL, codes_from_element
from kvali.codebook.qdc import code_guid as guid_of_key
from kvali.codebook.sync import code_from_row
from kvali.coding.store import log_event, now
from kvali.domain import DOCUMENT_KINDS
from kvali.errors import InputError
from kvali.importer import segment_source, store_parsed_source
from kvali.ingest.model import ParsedDocument, ParsedSource, Respondent
from kvali.ingest.transcript import parse_transcript
from kvali.nlp.segment import SegmentSpan
from kvali.refiqda.codes import description_of, insert_code, unused_key
from kvali.refiqda.extras import CodingFacts, SourceExtras
from kvali.refiqda.positions import PositionMap, choose_convention
from kvali.refiqda.read import QdaProject, QdaSource, read_qdpx
from kvali.store.cases import CaseResolver

DEFAULT_CODER = "qdpx"


@dataclass
class QdpxImport:
    """What an import brought in."""

    documents: int = 0
    segments: int = 0
    codes: int = 0
    codes_reused: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    documents_matched: int = 0  # sources placed on a stored document with the same text
    codings_existing: int = 0  # codings skipped because the same one was already there
    conventions: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-friendly."""
        return asdict(self)


def import_qdpx(db: Database, path: str | Path, report: QdpxImport | None = None) -> QdpxImport:
    """Bring a .qdpx project into the open kvali project (see the module docstring).

    A `report` passed in is filled as the import goes, so a caller still has the warnings
    gathered before a failure."""
    require("import")
    require("code")
    path = Path(path)
    report = QdpxImport() if report is None else report
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", source=str(path)) from None
    if db.execute("SELECT 1 FROM imports WHERE sha256 = ?", [sha]).fetchone():
        raise InputError("this project file has already been imported", source=str(path))
    project = read_qdpx(path)
    report.skipped += project.skipped
    report.missing += [asdict(missing) for missing in project.missing]
    prepared = _prepare_documents(project, report)
    with db.atomic():
        _store_users(db, project)
        codes = _store_codes(db, project, str(path), report)
        maps = _store_documents(db, project, prepared, path, sha, report)
        _store_cases(db, project, maps, report)
        _store_codings_and_memos(db, project, codes, maps, report)
        log_event(db, "kvali", "import_qdpx", {
            "path": str(path), **{k: v for k, v in report.to_dict().items()
                                  if k not in ("skipped", "conventions", "missing", "warnings")},
            "missing_sources": len(report.missing)})
    return report


@dataclass
class _Placed:
    """A source stored as a document: its id, position map and segment starts."""

    document_id: int
    positions: PositionMap
    segment_starts: list[int]
    segment_rows: list[tuple[int, int, int]]  # (start, end, id)


def _store_users(db: Database, project: QdaProject) -> None:
    """Every User of the project becomes a coder (one already known stays as it is)."""
    for name in dict.fromkeys(project.users.values()):
        if name:
            db.execute("INSERT OR IGNORE INTO coders (name) VALUES (?)", [name])


def _store_codes(db: Database, project: QdaProject, source: str,
                 report: QdpxImport) -> dict[str, str]:
    """Insert the codes; returns code GUID -> kvali key."""
    if project.codebook is None or not project.code_guids:
        return {}
    existing = {row["key"]: row for row in db.query("SELECT key, name, parent_key FROM codes")}
    elements = {code.get("guid"): code for code in project.codebook.iter("Code")}
    imported = codes_from_element(project.codebook, source)
    renamed: dict[str, str] = {}
    top = db.execute("SELECT coalesce(max(position) + 1, 0) FROM codes "
                     "WHERE parent_key IS NULL").fetchone()[0]
    keys: dict[str, str] = {}
    for code_guid, code in zip(project.code_guids, imported, strict=True):
        parent = renamed.get(code.parent_key or "", code.parent_key)
        key = code.key
        if key in existing:
            row = existing[key]
            explicit = f"{KEY_LABEL}: {key}" in description_of(elements.get(code_guid))
            if explicit or (row["name"] == code.name and row["parent_key"] == parent):
                keys[code_guid] = key
                report.codes_reused += 1
                continue
            key = unused_key(key, existing)
            renamed[code.key] = key
        insert_code(db, code, key, parent, top)
        if project.extras and code.key in project.extras.codes:
            _restore_rules(db, key, project.extras.codes[code.key], report)
        existing[key] = {"key": key, "name": code.name, "parent_key": parent}
        keys[code_guid] = key
        report.codes += 1
    if project.extras and project.extras.codebook_version:
        db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('codebook_version', ?)",
                   [project.extras.codebook_version])
    return keys


def _restore_rules(db: Database, key: str, stored: dict, report: QdpxImport) -> None:
    """A new code gets back what kvali/project.json keeps of it: inclusion, exclusion and
    example, its auto-coding rules (only when they read as kvali rules) and whether it is
    active."""
    try:
        rules = code_from_row({"key": key, "name": key, "description": "", "inclusion": None,
                               "exclusion": None, "example": None, "color": "#888888",
                               "parent_key": None, "position": 0,
                               "rules": stored.get("rules") or "{}"}).rules
    except (TypeError, ValueError, AttributeError):
        report.skipped.append(f"the rules of code {key!r} in kvali/project.json are not "
                              "kvali rules; the code comes without rules")
        rules = None
    db.execute(
        "UPDATE codes SET inclusion = coalesce(?, inclusion), exclusion = coalesce(?, exclusion), "
        "example = coalesce(?, example), active = ? WHERE key = ?",
        [stored.get("inclusion"), stored.get("exclusion"), stored.get("example"),
         0 if stored.get("active") == 0 else 1, key])
    if rules is not None and stored.get("rules"):
        db.execute("UPDATE codes SET rules = ?, rules_hash = ? WHERE key = ?",
                   [rules.to_json(), rules.digest(), key])


@dataclass
class _Prepared:
    """The sources as documents, read and segmented before the write transaction begins."""

    source: ParsedSource
    positions: list[PositionMap]
    segmented: list[list[SegmentSpan]]
    kvali_sources: set[str] = field(default_factory=set)  # structure from kvali/project.json


def _prepare_documents(project: QdaProject, report: QdpxImport) -> _Prepared:
    """Map positions, split blocks and segment every source."""
    variable_names = {guid: name.strip() for guid, name in project.variables.items()}
    case_of = {}
    for case in project.cases:
        for source_guid in case.sources:
            case_of.setdefault(source_guid, case.name)
    documents, maps, structured = [], [], []
    for source in project.sources:
        positions = source_positions(project, source)
        report.conventions[source.name] = positions.convention.describe()
        maps.append(positions)
        document, extra = source_document(project, source, positions.text, variable_names,
                                          case_of.get(source.guid))
        documents.append(document)
        structured.append((document, extra))
    parsed = ParsedSource(documents=documents, respondents=respondents_of(structured, project))
    kvali_sources = {source.guid for source, (_, extra) in zip(project.sources, structured,
                                                               strict=True) if extra}
    return _Prepared(parsed, maps, segment_source(parsed), kvali_sources)


def source_positions(project: QdaProject, source: QdaSource) -> PositionMap:
    """How the source's selections are read: the convention the file turns out to use, with
    the project's origin as a prior and the selections' names as a check."""
    spans = [(s.start, s.end) for s in source.selections]
    return PositionMap(source.raw, choose_convention(
        source.raw, spans, origin=project.origin, names=[s.name for s in source.selections]))


def source_document(project: QdaProject, source: QdaSource, text: str,
                    variable_names: dict[str, str], case: str | None
                    ) -> tuple[ParsedDocument, SourceExtras | None]:
    """The source as a document: with kvali's structure (turns, answers, pages) when the
    file's `kvali/project.json` describes exactly this text, else read afresh."""
    extra = project.extras.document(source.guid, text) if project.extras else None
    if extra is None:
        return _document(source, text, variable_names, case), None
    stored = extra.document
    return ParsedDocument(
        name=source.name, kind=stored.kind, text=text, blocks=[replace(b) for b in stored.blocks],
        attributes={**stored.attributes, "refi_guid": source.guid}, case=stored.case,
        speakers=dict(stored.speakers), question=stored.question,
        question_text=stored.question_text), extra


def respondents_of(structured: list[tuple[ParsedDocument, SourceExtras | None]],
                   project: QdaProject) -> dict[str, Respondent]:
    """The survey respondents the documents' answers belong to. Keys that two of the exported
    imports share are told apart ("17 (2)") and the answers follow."""
    if project.extras is None:
        return {}
    refs = list(dict.fromkeys(extra.respondents for _, extra in structured
                              if extra and extra.respondents))
    counts: dict[str, int] = defaultdict(int)
    for ref in refs:
        for key in project.extras.respondents.get(ref, {}):
            counts[key] += 1
    found: dict[str, Respondent] = {}
    renamed: dict[tuple[str, str], str] = {}
    for ref in refs:
        for key, respondent in project.extras.respondents.get(ref, {}).items():
            new_key = key if counts[key] == 1 else f"{key} ({ref})"
            renamed[(ref, key)] = new_key
            found[new_key] = replace(respondent, key=new_key,
                                     attributes=dict(respondent.attributes))
    for document, extra in structured:
        if extra and extra.respondents:
            for block in document.blocks:
                if block.respondent is not None:
                    block.respondent = renamed[(extra.respondents, block.respondent)]
    return found


def _store_documents(db: Database, project: QdaProject, prepared: _Prepared, path: Path,
                     sha: str, report: QdpxImport) -> dict[str, _Placed]:
    """Store every source whose text is new; returns source GUID -> where it landed."""
    hashes = [hashlib.sha256(d.text.encode()).hexdigest() for d in prepared.source.documents]
    known = [_known_document(db, sha256) for sha256 in hashes]
    first: dict[str, int] = {}  # a text twice in the project is stored once
    for index, document_id in enumerate(known):
        if document_id is None:
            first.setdefault(hashes[index], index)
    new = sorted(first.values())
    fresh = ParsedSource(documents=[prepared.source.documents[i] for i in new],
                         respondents=prepared.source.respondents)
    outcome = store_parsed_source(db, fresh, path=str(path), sha256=sha, kind="qdpx",
                                  segmented=[prepared.segmented[i] for i in new])
    report.documents, report.segments = outcome.documents, outcome.segments
    report.documents_matched = len(known) - len(new)
    report.warnings += outcome.warnings
    import_id = db.execute("SELECT id FROM imports WHERE sha256 = ?", [sha]).fetchone()[0]
    stored = dict(zip(new, (row[0] for row in db.execute(
        "SELECT id FROM documents WHERE import_id = ? ORDER BY id", [import_id])), strict=True))
    placed = {}
    for index, (source, positions) in enumerate(zip(project.sources, prepared.positions,
                                                    strict=True)):
        document_id = known[index] or stored[first[hashes[index]]]
        rows = [tuple(row) for row in db.execute(
            'SELECT start, "end", id FROM segments WHERE document_id = ? ORDER BY start',
            [document_id])]
        placed[source.guid] = _Placed(document_id, positions, [r[0] for r in rows], rows)
    return placed


def _known_document(db: Database, sha256: str) -> int | None:
    """The id of the project's first document whose text has this SHA-256, if any."""
    row = db.execute("SELECT min(id) FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None

def _document(source: QdaSource, text: str, variable_names: dict[str, str],
              case: str | None) -> ParsedDocument:
    values = {variable_names.get(guid, guid): value for guid, value in source.variables.items()}
    blocks, speakers = parse_transcript(text)
    kind = values.pop("kind", "").strip().lower()
    if kind not in DOCUMENT_KINDS:
        kind = "interview" if any(block.speaker for block in blocks) else "report"
    question = values.pop("question", None) or None
    if source.description:
        values["description"] = source.description
    if source.sets:
        values["sets"] = "; ".join(source.sets)
    return ParsedDocument(name=source.name, kind=kind, text=text, blocks=blocks,
                          attributes={**values, "refi_guid": source.guid}, case=case,
                          speakers=speakers, question=question)


def _store_cases(db: Database, project: QdaProject, placed: dict[str, _Placed],
                 report: QdpxImport) -> None:
    """Create every case; segments inside a case's selections get that case."""
    resolver = CaseResolver(db)
    selections = {s.guid: (source.guid, s) for source in project.sources
                  for s in source.selections}
    people = project.extras.person_cases if project.extras else set()
    for case in project.cases:
        if case.guid in people:  # a speaker or respondent, restored from kvali's structure
            continue
        if not case.name:
            report.skipped.append(f"case {case.guid} has no name; skipped")
            continue
        case_id = resolver.case_id(case.name)
        report.cases += 1
        for selection_guid in case.selections:
            if selection_guid not in selections:
                continue
            source_guid, selection = selections[selection_guid]
            where = placed.get(source_guid)
            span = where.positions.span(selection.start, selection.end) if where else None
            if span is None:
                continue
            db.execute('UPDATE segments SET case_id = ? WHERE document_id = ? AND start >= ? '
                       'AND "end" <= ?', [case_id, where.document_id, *span])


def _store_codings_and_memos(db: Database, project: QdaProject, codes: dict[str, str],
                             placed: dict[str, _Placed], report: QdpxImport) -> None:
    users, extras = project.users, project.extras
    coding_notes: dict[int, list[str]] = defaultdict(list)
    memo_targets: list[tuple[str, str, str]] = []  # (note guid, target type, target)
    seen = _existing_codings(db, [where.document_id for where in placed.values()])
    existing = set(seen.values())
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
            if identity not in seen:
                facts = extras.codings.get(coding.guid) if extras else None
                provenance = {"source": "qdpx", "guid": coding.guid}
                seen[identity] = _insert_coding(
                    db, where, start, end, codes[coding.code_guid], coder,
                    facts or CodingFacts(provenance=json.dumps(provenance)),
                    coding.created or stamp, None, stamp)
                report.codings += 1
            elif seen[identity] in existing:
                report.codings_existing += 1
                continue
            notes = coding.notes + (selection.notes if selection else [])
            coding_notes[seen[identity]].extend(notes)
        for selection in source.selections:
            if selection.notes and not selection.codings:
                memo_targets += [(n, "document", str(where.document_id))
                                 for n in selection.notes]
    _store_extra_codings(db, project, codes, placed, report, stamp)
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


def _existing_codings(db: Database, document_ids: list[int]) -> dict[tuple, int]:
    """(document, start, end, code, coder) -> id of the codings already stored."""
    found: dict[tuple, int] = {}
    for document_id in set(document_ids):
        for row in db.execute('SELECT id, document_id, start, "end", code_key, coder '
                              "FROM codings WHERE document_id = ?",
                              [document_id]):
            found.setdefault(tuple(row[1:]), row[0])
    return found


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
                         placed: dict[str, _Placed], report: QdpxImport, stamp: str) -> None:
    """The codings kvali/project.json carries beside the Coding elements (pending and rejected
    suggestions), on the sources whose text it describes."""
    if project.extras is None:
        return
    here = {where.document_id for where in placed.values()}
    stored = {tuple(row) for document_id in here for row in db.execute(
        'SELECT document_id, start, "end", code_key, coder, status FROM codings '
        "WHERE document_id = ?", [document_id])}
    for extra in project.extras.extra_codings:
        where = placed.get(extra.source)
        key = codes.get(guid_of_key(extra.code))
        if where is None or project.extras.document(extra.source, where.positions.text) is None \
                or key is None or extra.end > len(where.positions.text):
            report.skipped.append(f"a {extra.facts.status} coding of {extra.code!r} in "
                                  f"kvali/project.json has no place in this file; skipped")
            continue
        identity = (where.document_id, extra.start, extra.end, key, extra.coder,
                    extra.facts.status)
        if identity in stored:
            report.codings_existing += 1
            continue
        stored.add(identity)
        _insert_coding(db, where, extra.start, extra.end, key, extra.coder, extra.facts,
                       extra.created or stamp, extra.memo, stamp)
        report.codings += 1


def _insert_coding(db: Database, where: _Placed, start: int, end: int, code_key: str,
                   coder: str, facts: CodingFacts, created: str, memo: str | None,
                   stamp: str) -> int:
    index = bisect.bisect_right(where.segment_starts, start) - 1
    segment_id = None
    for row in where.segment_rows[max(index, 0):index + 2]:
        if row[0] < end and row[1] > start:
            segment_id = row[2]
            break
    return db.execute(
        'INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, '
        "status, rule, score, matched, rules_hash, codebook_version, provenance, key_quote, "
        "memo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)",
        [where.document_id, segment_id, start, end, code_key, coder, facts.origin, facts.status,
         facts.rule, facts.score, facts.matched, facts.rules_hash, facts.codebook_version,
         facts.provenance, int(facts.key_quote), memo, created, stamp]).lastrowid


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
