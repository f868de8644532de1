"""Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder or kvali.

- Sources become documents (`kvali.refiqda.sources`): the text is normalised like every kvali
  import and segmented by kvali's pipeline — with kvali's own structure when the file's
  `kvali/project.json` (`kvali.refiqda.extras`) describes exactly that text, else split afresh.
- Codes become codes: the key written by kvali (`kvali-key:` in the description) when present,
  else a key derived from the name (see `kvali.codebook.qdc`). A code whose key the project
  already has is the same code when the key came from kvali or the name and parent agree;
  otherwise the imported code gets a new key. A new code gets back its kvali rules,
  inclusion/exclusion/example and active flag from kvali/project.json.
- Selections land on the same text: positions are read with the convention the file turns out
  to use (`kvali.refiqda.positions`, with the Project's `origin` as a prior); the report names
  the reading used for each source. Codings, notes and memos: `kvali.refiqda.codings_in`; every
  User becomes a coder.
- A source whose text already is in the project (the same `documents.sha256`) is not stored
  again: its codings land on the existing document, and codings and memos that are already
  there are skipped, so re-importing an overlapping project adds only what is new.
- A source whose text is missing from the file is skipped and listed (name, path, reason, the
  codings lost); users, the codebook, notes and the other sources are still imported.
- Cases become cases (and the documents and segments they hold get that case, and the case's
  variable values as attributes), except the speakers and respondents kvali exported as cases,
  which come back as speakers and respondents. A source's `Description` and the Sets it belongs
  to become the attributes `description` and `sets`.

Everything happens in one transaction: a failure leaves the project as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.codebook.qdc import KEY_LABEL, codes_from_element
from kvali.codebook.sync import code_from_row
from kvali.coding.placement import SegmentPlaces
from kvali.coding.store import log_event
from kvali.errors import InputError
from kvali.importer import store_parsed_source
from kvali.ingest.model import ParsedSource
from kvali.refiqda.codes import description_of, insert_code, unused_key
from kvali.refiqda.codings_in import store_codings_and_memos
from kvali.refiqda.read import QdaProject, read_qdpx
from kvali.refiqda.sources import Placed, Prepared, prepare_documents
from kvali.store.cases import CaseResolver


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
    prepared = prepare_documents(project, report.conventions)
    with db.atomic():
        _store_users(db, project)
        codes = _store_codes(db, project, str(path), report)
        maps = _store_documents(db, project, prepared, path, sha, report)
        _store_cases(db, project, maps, report)
        store_codings_and_memos(db, project, codes, maps, report)
        log_event(db, "kvali", "import_qdpx", {
            "path": str(path), **{k: v for k, v in report.to_dict().items()
                                  if k not in ("skipped", "conventions", "missing", "warnings")},
            "missing_sources": len(report.missing)})
    return report


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

def _store_documents(db: Database, project: QdaProject, prepared: Prepared, path: Path,
                     sha: str, report: QdpxImport) -> dict[str, Placed]:
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
        placed[source.guid] = Placed(document_id, positions,
                                     SegmentPlaces.of_document(db, document_id))
    return placed


def _known_document(db: Database, sha256: str) -> int | None:
    """The id of the project's first document whose text has this SHA-256, if any."""
    row = db.execute("SELECT min(id) FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def _store_cases(db: Database, project: QdaProject, placed: dict[str, Placed],
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
