"""Import files into a project: read, segment and store each file in one transaction."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from lxml.etree import LxmlError
from sqlite_utils import Database

from kvali.access import require
from kvali.errors import InputError, KvaliError
from kvali.ingest.model import ParsedDocument, ParsedSource, ReadOptions
from kvali.ingest.registry import expand_paths, fingerprint, read_source
from kvali.privacy.scan.numbers import count_cpr
from kvali.store.cases import CaseResolver

if TYPE_CHECKING:
    from kvali.nlp.segment import SegmentSpan

# What readers and the libraries under them raise on a damaged or unexpected file: corrupt zip
# members and deflate streams, text that is not in the declared encoding, nesting too deep to
# parse, malformed XML, and the ValueError/KeyError/TypeError of openpyxl, python-docx and pypdf.
READ_FAILURES: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, UnicodeError, RecursionError, LxmlError,
    ParseError, ValueError, TypeError, KeyError, IndexError, OSError,
)


@dataclass
class FileOutcome:
    """What happened to one path."""

    path: str
    status: str  # imported | duplicate | failed
    documents: int = 0
    segments: int = 0
    responses: int = 0
    words: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    unmatched_municipalities: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportReport:
    """The outcome of one `kvali import` run."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        """The paths that could not be imported."""
        return [f for f in self.files if f.status == "failed"]

    def to_dict(self) -> dict:
        """A JSON-friendly summary."""
        counts = {s: sum(f.status == s for f in self.files) for s in
                  ("imported", "duplicate", "failed")}
        return {**counts, "files": [asdict(f) for f in self.files]}


def now() -> str:
    """UTC timestamp used in every table."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def import_paths(
    db: Database,
    paths: Iterable[str | Path],
    options: ReadOptions,
    *,
    progress: Callable[[int, int, FileOutcome], None] | None = None,
) -> ImportReport:
    """Import files and folders; each file commits alone, a failure leaves nothing behind."""
    require("import")
    report = ImportReport()
    files = expand_paths(Path(p) for p in paths)
    with statement_journals_in_memory(db):
        for index, path in enumerate(files):
            outcome = import_one(db, path, options)
            report.files.append(outcome)
            if progress:
                progress(index + 1, len(files), outcome)
    return report


@contextmanager
def statement_journals_in_memory(db: Database) -> Iterator[None]:
    """`PRAGMA temp_store = MEMORY` while importing, the previous setting afterwards.

    The search-queue trigger on `segments` makes every segment insert a statement SQLite may
    have to undo alone, so it keeps a statement journal for it, by default in a temporary file;
    in memory that halves the cost of the inserts. Only where SQLite keeps its scratch data
    changes: each file still commits or rolls back as a whole. The setting cannot change inside
    a transaction, so an import inside one keeps the connection's.
    """
    if db.conn.in_transaction:
        yield
        return
    previous = db.execute("PRAGMA temp_store").fetchone()[0]
    db.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        if not db.conn.in_transaction:
            db.execute(f"PRAGMA temp_store = {int(previous)}")


def import_one(db: Database, path: Path, options: ReadOptions) -> FileOutcome:
    """Import one file or SurveyXact folder: read and segment it, then write it in one short
    transaction. Any failure of this file becomes its one-line outcome; the batch goes on."""
    try:
        sha = _fingerprint(path)
        previous = db.execute("SELECT path FROM imports WHERE sha256 = ?", [sha]).fetchone()
        if previous:
            return _duplicate(path, previous[0])
        source, segmented = _read_and_segment(path, options)
        with db.atomic():
            return store_parsed_source(db, source, path=str(path), sha256=sha,
                                       kind=options.kind, options=options, segmented=segmented)
    except KvaliError as exc:
        return FileOutcome(str(path), "failed", error=str(exc))
    except sqlite3.IntegrityError:  # another import of the same bytes committed first
        previous = db.execute("SELECT path FROM imports WHERE sha256 = ?", [sha]).fetchone()
        if previous is None:
            raise
        return _duplicate(path, previous[0])
    except sqlite3.Error as exc:
        if not isinstance(exc, sqlite3.ProgrammingError | sqlite3.InterfaceError):
            raise  # the project, not this file: locked, corrupt or full (the CLI says which)
        return _internal(path, exc)
    except Exception as exc:  # a bug must not cost the files after this one
        return _internal(path, exc)


def _internal(path: Path, exc: Exception) -> FileOutcome:
    """An unexpected failure as the file's one line (re-raised with KVALI_DEBUG=1)."""
    if os.environ.get("KVALI_DEBUG"):
        raise exc
    return FileOutcome(str(path), "failed", error=f"internal error reading {path} "
                       f"({type(exc).__name__}); rerun with KVALI_DEBUG=1")


def _duplicate(path: Path, previous: str) -> FileOutcome:
    return FileOutcome(str(path), "duplicate",
                       warnings=[f"identical to {previous}, already imported"])


def _fingerprint(path: Path) -> str:
    """The path's SHA-256, after refusing a FIFO, device or socket (reading one may block)."""
    try:
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise InputError("is not a regular file (a pipe, device or socket); kvali reads "
                             "files", source=str(path))
        return fingerprint(path)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from None


def _read_and_segment(path: Path, options: ReadOptions
                      ) -> tuple[ParsedSource, list[list[SegmentSpan]]]:
    """Read and segment one path outside any transaction; a damaged file is an InputError."""
    try:
        source = read_source(path, options)
        apply_options(source, options)
        return source, segment_source(source)
    except READ_FAILURES as exc:
        raise InputError(f"cannot be read: {_reason(exc)}", source=str(path)) from None


def _reason(exc: BaseException) -> str:
    """A short reason for a library failure: its type and the first line of its message."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, zlib.error | zipfile.BadZipFile | EOFError):
        return f"damaged compressed data ({exc})"
    if isinstance(exc, ParseError | LxmlError):
        return f"malformed XML ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid {exc.encoding} text at byte {exc.start}"
    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def segment_source(source: ParsedSource) -> list[list[SegmentSpan]]:
    """The segments of each document of a parsed source, in document order."""
    from kvali.nlp.pipeline import load_pipeline  # spaCy: only once something is segmented
    from kvali.nlp.segment import segment_documents

    return list(segment_documents(((d.text, d.blocks) for d in source.documents),
                                  nlp=load_pipeline()))


def apply_options(source: ParsedSource, options: ReadOptions) -> None:
    """--case and --attr apply to every document read from the path."""
    for document in source.documents:
        if options.case:
            document.case = options.case
        document.attributes.update(options.attributes)


def store_parsed_source(
    db: Database,
    source: ParsedSource,
    *,
    path: str,
    sha256: str,
    kind: str,
    options: ReadOptions | None = None,
    segmented: list[list[SegmentSpan]] | None = None,
) -> FileOutcome:
    """Write one parsed source (documents, speakers, respondents, responses, segments),
    segmenting it first unless `segmented` (from `segment_source`) is given.

    The caller owns the transaction; nothing here commits.
    """
    from kvali.nlp.pipeline import load_pipeline, pipeline_label

    nlp = load_pipeline()
    label = pipeline_label(nlp)
    cases = CaseResolver(db)
    outcome = FileOutcome(path, "imported", warnings=list(source.warnings))
    import_id = db.execute(
        "INSERT INTO imports (path, sha256, kind, imported_at, options) VALUES (?, ?, ?, ?, ?)",
        [path, sha256, kind, now(), json.dumps(_options_record(options), ensure_ascii=False)],
    ).lastrowid
    respondent_ids = _store_respondents(db, source, import_id, cases)
    if segmented is None:
        segmented = segment_source(source)
    for document, segments in zip(source.documents, segmented, strict=True):
        _store_document(db, document, segments, import_id, label, cases, respondent_ids, outcome)
    outcome.unmatched_municipalities = dict(cases.unmatched)
    cpr = sum(count_cpr(document.text) for document in source.documents)
    if cpr:
        outcome.warnings.append(f"{path}: holds {cpr} CPR-like number{'s' * (cpr > 1)}; run "
                                "`kvali pii scan` to review the personal data")
    db.execute(
        "UPDATE imports SET summary = ? WHERE id = ?",
        [json.dumps(_summary_record(outcome), ensure_ascii=False), import_id],
    )
    return outcome


def _options_record(options: ReadOptions | None) -> dict:
    if options is None:
        return {}
    return {"kind": options.kind, "case": options.case, "attributes": options.attributes,
            "case_column": options.case_column, "role_column": options.role_column,
            "text_columns": options.text_columns}


def _summary_record(outcome: FileOutcome) -> dict:
    return {"documents": outcome.documents, "segments": outcome.segments,
            "responses": outcome.responses, "words": outcome.words,
            "unmatched_municipalities": outcome.unmatched_municipalities,
            "warnings": outcome.warnings}


def _store_respondents(db: Database, source: ParsedSource, import_id: int,
                       cases: CaseResolver) -> dict[str, tuple[int, int | None]]:
    """Insert respondents; returns key -> (respondent id, case id)."""
    ids: dict[str, tuple[int, int | None]] = {}
    rows: list[tuple[int, int, str, int | None, str | None]] = []
    attributes: list[tuple[int, str, str]] = []
    for respondent_id, (key, respondent) in zip(next_ids(db, "respondents"),
                                                source.respondents.items(), strict=False):
        case_id = cases.case_id(respondent.case)
        rows.append((respondent_id, import_id, key, case_id, respondent.role))
        attributes.extend((respondent_id, k, v) for k, v in respondent.attributes.items())
        ids[key] = (respondent_id, case_id)
    db.conn.executemany("INSERT INTO respondents (id, import_id, key, case_id, role) "
                        "VALUES (?, ?, ?, ?, ?)", rows)
    db.conn.executemany(
        "INSERT INTO respondent_attributes (respondent_id, key, value) VALUES (?, ?, ?)",
        attributes,
    )
    return ids


def next_ids(db: Database, table: str) -> Iterator[int]:
    """The ids SQLite would give rows inserted into TABLE one by one from now (one more than
    the largest, 1 in an empty table), so that a batch insert can name them itself. Only valid
    inside a write transaction, and while nothing else inserts into TABLE."""
    largest = db.execute(f"SELECT max(id) FROM [{table}]").fetchone()[0]  # noqa: S608
    return itertools.count((largest or 0) + 1)


def _store_document(
    db: Database,
    document: ParsedDocument,
    segments: list[SegmentSpan],
    import_id: int,
    pipeline: str,
    cases: CaseResolver,
    respondent_ids: dict[str, tuple[int, int | None]],
    outcome: FileOutcome,
) -> None:
    """Insert one document with its speakers, responses and segments."""
    document_case = cases.case_id(document.case)
    document_id = db.execute(
        "INSERT INTO documents (import_id, name, kind, text, sha256, case_id, question, "
        "question_text, pipeline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, document.name, document.kind, document.text,
         hashlib.sha256(document.text.encode()).hexdigest(), document_case,
         document.question, document.question_text, pipeline, now()],
    ).lastrowid
    db.conn.executemany(
        "INSERT INTO document_attributes (document_id, key, value) VALUES (?, ?, ?)",
        [(document_id, k, str(v)) for k, v in document.attributes.items()],
    )
    speaker_rows: dict[str, tuple[int, int | None]] = {}
    for speaker in document.speakers.values():
        speaker_case = cases.case_id(speaker.municipality) or document_case
        speaker_id = db.execute(
            "INSERT INTO speakers (document_id, label, name, role, case_id, is_interviewer) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [document_id, speaker.label, speaker.name, speaker.role, speaker_case,
             int(speaker.is_interviewer)],
        ).lastrowid
        speaker_rows[speaker.label] = (speaker_id, speaker_case)
    block_links: list[tuple[int | None, int | None, int | None, int | None]] = []
    responses: list[tuple[int, int, int, int, int]] = []
    response_ids = next_ids(db, "responses") if respondent_ids else None
    turn = 0
    for block in document.blocks:
        speaker_id, case_id = speaker_rows.get(block.speaker or "", (None, document_case))
        response_id = None
        if block.respondent is not None and block.respondent in respondent_ids:
            respondent_id, case_id = respondent_ids[block.respondent]
            response_id = next(response_ids)  # type: ignore[arg-type]
            responses.append((response_id, document_id, respondent_id, block.start, block.end))
        if block.speaker is not None:
            turn += 1
        block_links.append((speaker_id, response_id, case_id, turn if block.speaker else None))
    db.conn.executemany("INSERT INTO responses (id, document_id, respondent_id, start, \"end\") "
                        "VALUES (?, ?, ?, ?, ?)", responses)
    outcome.responses += len(responses)
    db.conn.executemany(
        "INSERT INTO segments (document_id, seq, start, \"end\", text, lemmas, speaker_id, "
        "response_id, case_id, turn, time, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _segment_rows(document, document_id, segments, block_links),
    )
    outcome.documents += 1
    outcome.segments += len(segments)
    outcome.words += sum(len(segment.lemmas.split()) for segment in segments)


def _segment_rows(
    document: ParsedDocument,
    document_id: int,
    segments: list[SegmentSpan],
    block_links: list[tuple[int | None, int | None, int | None, int | None]],
) -> Iterator[tuple]:
    """The `segments` rows of one document, made as they are inserted (a long document's rows
    are never all in memory at once)."""
    for seq, segment in enumerate(segments):
        block = document.blocks[segment.block_index]
        speaker_id, response_id, case_id, turn_no = block_links[segment.block_index]
        yield (document_id, seq, segment.start, segment.end,
               document.text[segment.start:segment.end], segment.lemmas, speaker_id,
               response_id, case_id, turn_no, block.time, block.page)
