"""What the import page shows: a survey table's preview with suggested columns, and past imports."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from kvali.domain import IMPORT_KIND_LABELS
from kvali.ingest.rows import header_and_records, read_table_rows
from kvali.ingest.survey import find_case_column, find_role_column
from kvali.ingest.surveyxact import looks_like_surveyxact, preview_surveyxact
from kvali.ingest.table import looks_like_free_text

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")


@dataclass(frozen=True)
class TablePreview:
    """The first rows of a survey table and the columns kvali would pick by itself."""

    columns: list[str]
    rows: list[list[str]]
    total_rows: int
    case_column: str | None
    role_column: str | None
    text_columns: list[str]


def is_table(path: Path) -> bool:
    """True for files read as survey tables (CSV, TSV, XLSX)."""
    return path.suffix.lower() in TABLE_SUFFIXES


def table_preview(path: Path, rows: int = 5) -> TablePreview:
    """Header, first rows, and the suggested case and free-text columns of a survey table."""
    header, records = header_and_records(read_table_rows(path), str(path))
    columns = {name: [cells[i] for _, cells in records] for i, name in enumerate(header)}
    case_column = find_case_column(header, columns)
    role_column = find_role_column(header, None)
    text_columns = [name for name in header if name not in (case_column, role_column)
                    and looks_like_free_text(columns[name])]
    return TablePreview(columns=header, rows=[cells for _, cells in records[:rows]],
                        total_rows=len(records), case_column=case_column,
                        role_column=role_column, text_columns=text_columns)


@dataclass(frozen=True)
class SurveyXactPreview:
    """A SurveyXact export's answers by open question, one row per question."""

    respondents: int
    answers: int
    rows: list[dict[str, str | int]]  # {"Spørgsmål", "Svar", "Første svar"}


def is_surveyxact(path: Path) -> bool:
    """True for a SurveyXact workbook or a staged folder of its CSV parts (a damaged workbook is
    not one: its table preview names the problem)."""
    try:
        return looks_like_surveyxact(path)
    except (OSError, zipfile.BadZipFile):
        return False


def surveyxact_preview(path: Path, answers: int = 3) -> SurveyXactPreview:
    """Per open question: its text (or variable name), how many answers, and the first answers."""
    questions, respondents = preview_surveyxact(path, answers)
    return SurveyXactPreview(
        respondents=respondents, answers=sum(q.answers for q in questions),
        rows=[{"Spørgsmål": q.question_text or q.variable, "Svar": q.answers,
               "Første svar": " | ".join(q.first_answers)} for q in questions])


def import_history(db: Database, limit: int = 200) -> list[dict]:
    """Past imports, newest first, with their stored summaries."""
    history = []
    for path, kind, at, summary in db.execute(
            "SELECT path, kind, imported_at, summary FROM imports ORDER BY id DESC LIMIT ?",
            [limit]):
        data = json.loads(summary or "{}")
        history.append({"Fil": Path(path).name, "Type": IMPORT_KIND_LABELS.get(kind, kind),
                        "Importeret": at,
                        "Dokumenter": data.get("documents", 0),
                        "Segmenter": data.get("segments", 0),
                        "Svar": data.get("responses", 0),
                        "Ikke genkendte kommuner": ", ".join(
                            sorted(data.get("unmatched_municipalities") or {}))})
    return history
