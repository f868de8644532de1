"""Where a stored span stands in the file it was imported from.

Stored offsets point into kvali's normalised text (NFC, `\\n` line ends, front matter left out,
hard-wrapped and PDF paragraphs unwrapped, a survey split into one document per question), not
into the file a reader has. `locate_in_source` finds the span in the file again, but only when
the file is still at `imports.path` (or at the path given) with the SHA-256 it was imported
with; otherwise it says in one line why not, and the caller gives the stored position instead.

- Text files (.txt, .md, .srt, .vtt): the file is decoded as the import decoded it and
  normalised with a map back to the file's own characters; when the stored text is the
  normalised body, the map is exact, otherwise (an unwrapped report, subtitle cues) the span is
  found by its letters and digits (see `find_by_letters`). Lines are counted at the file's own
  line ends (CRLF, CR or LF), columns in characters of the file (an "å" written as "a" plus a
  combining ring counts two), pages at form feeds.
- PDFs: the page (or pages) whose text layer holds the span, found by its letters and digits.
- Word documents: the paragraph, counting the paragraphs (and table cells) that hold text.
- Survey tables and SurveyXact exports: the file (the dataset sheet or `dataset.csv`), the
  respondent's row and the question's column, as a spreadsheet shows them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from kvali.errors import KvaliError
from kvali.export.output import project_file
from kvali.export.text_map import FileLines, FilePosition, find_by_letters, normalise_mapped
from kvali.ingest.docx import read_docx
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.frontmatter import FRONT_MATTER
from kvali.ingest.model import ReadOptions
from kvali.ingest.pdf import extract_lines, read_pdf
from kvali.ingest.pdf_layout import Line, clean_line, drop_running_heads
from kvali.ingest.registry import choose_reader, fingerprint
from kvali.ingest.rows import Rows, header_and_records, read_csv_rows, read_xlsx_sheets
from kvali.ingest.subtitles import read_subtitles
from kvali.ingest.survey import EMPTY_ANSWERS
from kvali.ingest.surveyxact import read_surveyxact
from kvali.ingest.table import read_table
from kvali.ingest.text import read_text_file


@dataclass(frozen=True)
class SourceLocation:
    """Where a span stands in its imported file; `note` says why it could not be found."""

    path: str  # the file (or SurveyXact folder) as stored, or as given
    file: str  # the name a reader looks for ("dataset.csv", "eksport.xlsx, ark Dataset")
    state: str  # found | missing | changed | not_found | unsupported
    start: FilePosition | None = None
    end: FilePosition | None = None  # the span's last character
    pages: tuple[int, int] | None = None
    paragraph: int | None = None
    row: int | None = None
    column: str | None = None  # the spreadsheet column letter
    question: str | None = None  # the column's name (the survey variable)
    note: str | None = None

    @property
    def found(self) -> bool:
        """True when the span was found in the file."""
        return self.state == "found"

    def text(self) -> str:
        """One Danish line: "netvaerk.md, linje 8, kolonne 17-58", or the note."""
        if not self.found:
            return self.note or ""
        parts = [self.file]
        if self.start and self.end:
            parts.append(_lines(self.start, self.end))
        if self.pages:
            first, last = self.pages
            parts.append(f"s. {first}" if first == last else f"s. {first}-{last}")
        if self.paragraph is not None:
            parts.append(f"afsnit {self.paragraph} (afsnit med tekst, tabelceller medregnet)")
        if self.row is not None:
            parts += [f"række {self.row}", f"kolonne {self.column} ({self.question})"]
        return ", ".join(parts)

    def to_dict(self) -> dict:
        """JSON-friendly fields (positions flattened)."""
        return {"path": self.path, "file": self.file, "state": self.state,
                "line": self.start.line if self.start else None,
                "column": self.start.column if self.start else None,
                "end_line": self.end.line if self.end else None,
                "end_column": self.end.column if self.end else None,
                "page": self.pages[0] if self.pages else None,
                "end_page": self.pages[1] if self.pages else None,
                "paragraph": self.paragraph, "row": self.row,
                "spreadsheet_column": self.column, "question": self.question,
                "note": self.note, "text": self.text()}


def _lines(start: FilePosition, end: FilePosition) -> str:
    if start.line == end.line:
        return f"linje {start.line}, kolonne {start.column}-{end.column}"
    return f"linje {start.line}, kolonne {start.column} til linje {end.line}, kolonne {end.column}"


@dataclass(frozen=True)
class _Stored:
    """What the project knows of a document's import."""

    path: str
    sha256: str
    options: ReadOptions
    text: str
    question: str | None
    responses: list[tuple[int, int]]  # the document's answers (start, end), in text order


def locate_in_source(db: Database, document_id: int, start: int, end: int, *,
                     path: str | Path | None = None) -> SourceLocation:
    """Where `documents.text[start:end]` stands in the file it came from (see the module
    docstring); `path` is where the file is now, when it has moved."""
    stored = _stored(db, document_id)
    given = Path(path) if path is not None else _existing(stored.path, db)
    shown = str(path) if path is not None else stored.path
    if stored.options.kind == "qdpx":
        return SourceLocation(shown, Path(shown).name, "unsupported", note=(
            f"Dokumentet kom fra REFI-QDA-projektet {shown}; en placering i den oprindelige "
            "fil kendes ikke."))
    if given is None or not given.exists():
        return SourceLocation(shown, Path(shown).name, "missing", note=(
            f"Filen {shown} findes ikke længere (flyttet eller slettet); placeringen er fra "
            "projektets data."))
    try:
        same = fingerprint(given) == stored.sha256
    except OSError:
        same = False
    if not same:
        return SourceLocation(str(given), given.name, "changed", note=(
            f"Filen {given} er ikke den, der blev importeret (ændret siden, SHA-256 afviger); "
            "placeringen er fra projektets data."))
    try:
        reader = choose_reader(given, stored.options)
        locate = _LOCATORS.get(reader)
        if locate is None:
            return SourceLocation(str(given), given.name, "unsupported",
                                  note=f"Filen {given} er af en type, kvali ikke kan slå op i.")
        return locate(given, stored, start, end)
    except (KvaliError, OSError) as exc:  # a timeout, or a file no longer readable
        return SourceLocation(str(given), given.name, "not_found",
                              note=f"Filen {given} kunne ikke læses igen ({exc}).")


def _stored(db: Database, document_id: int) -> _Stored:
    row = db.execute("SELECT i.path, i.sha256, i.kind, i.options, d.text, d.question "
                     "FROM documents d JOIN imports i ON i.id = d.import_id WHERE d.id = ?",
                     [document_id]).fetchone()
    if row is None:
        raise KeyError(document_id)
    path, sha, kind, options, text, question = row
    recorded = json.loads(options or "{}")
    read = ReadOptions(kind=kind, case=recorded.get("case"),
                       case_column=recorded.get("case_column"),
                       role_column=recorded.get("role_column"),
                       text_columns=list(recorded.get("text_columns") or []))
    answers = [(r[0], r[1]) for r in db.execute(
        'SELECT start, "end" FROM responses WHERE document_id = ? ORDER BY start',
        [document_id])]
    return _Stored(path, sha, read, text, question, answers)


def _existing(stored: str, db: Database) -> Path | None:
    """The stored path as given at import, else (when relative) beside the project file."""
    candidate = Path(stored)
    if candidate.exists() or candidate.is_absolute():
        return candidate
    project = project_file(db)
    if project is not None and (project.parent / candidate).exists():
        return project.parent / candidate
    return candidate


# Text files --------------------------------------------------------------------------------

def _locate_text(path: Path, stored: _Stored, start: int, end: int) -> SourceLocation:
    raw = decode_bytes(path.read_bytes(), str(path))
    try:
        normalised, offsets = normalise_mapped(raw)
    except ValueError:
        return _not_found(path, "dens tegn kan ikke følges gennem normaliseringen")
    matter = FRONT_MATTER.match(normalised)
    body = matter.end() if matter and path.suffix.lower() in (".txt", ".md") else 0
    if normalised[body:] == stored.text:
        span: tuple[int, int] | None = (body + start, body + end)
    else:
        span = find_by_letters(stored.text, start, end, normalised, body)
    if span is None:
        return _not_found(path, "citatets bogstaver findes ikke i filen")
    first, past = offsets[span[0]], offsets[span[1]] - 1
    pages = (raw.count("\f", 0, first) + 1, raw.count("\f", 0, past) + 1) if "\f" in raw \
        else None
    lines = FileLines(raw)
    return SourceLocation(str(path), path.name, "found", start=lines.position(first),
                          end=lines.position(past), pages=pages)


def _not_found(path: Path, why: str) -> SourceLocation:
    return SourceLocation(str(path), path.name, "not_found",
                          note=f"Citatet blev ikke fundet i {path} ({why}); placeringen er fra "
                               "projektets data.")


# PDFs and Word documents -------------------------------------------------------------------

def _locate_pdf(path: Path, stored: _Stored, start: int, end: int) -> SourceLocation:
    """The pages of the PDF's text layer, without running heads as the import drops them."""
    pages, _ = extract_lines(path, ReadOptions().pdf_timeout_s)
    cleaned = [[Line(clean_line(text), y, size) for text, y, size in page] for page in pages]
    kept = drop_running_heads([[line for line in page if line.text] for page in cleaned])
    text, page_starts = "", []
    for page in kept:
        page_starts.append(len(text))
        text += "".join(line.text + "\n" for line in page)
    span = find_by_letters(stored.text, start, end, text)
    if span is None:
        return _not_found(path, "citatets bogstaver findes ikke i PDF'ens tekstlag")
    first = bisect.bisect_right(page_starts, span[0])
    last = bisect.bisect_right(page_starts, span[1] - 1)
    return SourceLocation(str(path), path.name, "found", pages=(first, last))


def _locate_docx(path: Path, stored: _Stored, start: int, end: int) -> SourceLocation:
    texts = [d.text for d in read_docx(path, stored.options).documents]
    if stored.text not in texts:
        return _not_found(path, "Word-dokumentets tekst læses nu anderledes")
    return SourceLocation(str(path), path.name, "found",
                          paragraph=stored.text.count("\n\n", 0, start) + 1)


# Survey tables -----------------------------------------------------------------------------

def _locate_table(path: Path, stored: _Stored, start: int, end: int) -> SourceLocation:
    if path.suffix.lower() == ".xlsx":
        name, rows = next(iter(read_xlsx_sheets(path).items()), ("", []))
        return _locate_answer(path, f"{path.name}, ark {name}", rows, stored, start)
    return _locate_answer(path, path.name, read_csv_rows(path), stored, start)


def _locate_surveyxact(path: Path, stored: _Stored, start: int, end: int) -> SourceLocation:
    if path.is_dir():
        member = next(p for p in sorted(path.iterdir()) if p.name.casefold() == "dataset.csv")
        return _locate_answer(path, f"{path.name}/{member.name}", read_csv_rows(member),
                              stored, start)
    sheets = read_xlsx_sheets(path)
    name = next(title for title in sheets if title.casefold() == "dataset")
    return _locate_answer(path, f"{path.name}, ark {name}", sheets[name], stored, start)


def _locate_answer(path: Path, shown: str, rows: Rows, stored: _Stored,
                   start: int) -> SourceLocation:
    """The row and column of the answer holding `start`: the k-th non-empty cell of the
    question's column is the document's k-th answer; its text must be the stored answer."""
    from openpyxl.utils import get_column_letter

    header, records = header_and_records(rows, shown)
    answer = bisect.bisect_right(stored.responses, (start, len(stored.text) + 1)) - 1
    if stored.question not in header or answer < 0:
        return _not_found(path, f"spørgsmålet {stored.question} er ikke en kolonne i filen")
    column = header.index(stored.question)
    filled = [(line, cells[column]) for line, cells in records
              if normalise_text(cells[column]).strip() not in EMPTY_ANSWERS]
    answer_start, answer_end = stored.responses[answer]
    if answer >= len(filled) or normalise_text(filled[answer][1]).strip() != \
            stored.text[answer_start:answer_end]:
        return _not_found(path, "svaret står ikke i den række, hvor det blev læst")
    return SourceLocation(str(path), shown, "found", row=filled[answer][0],
                          column=get_column_letter(column + 1), question=stored.question)


_LOCATORS: dict[Callable, Callable[[Path, _Stored, int, int], SourceLocation]] = {
    read_text_file: _locate_text, read_subtitles: _locate_text, read_pdf: _locate_pdf,
    read_docx: _locate_docx, read_table: _locate_table, read_surveyxact: _locate_surveyxact,
}
"""The locator for each reader an import may have used."""
