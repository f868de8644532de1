"""Read SurveyXact exports: the XLSX with sheets Dataset/Structure/Labels, or a folder of CSVs.

Structure describes every variable (`questionType` Open or Closed, `questionText`); Labels maps
closed values to their texts. Every non-empty Open answer becomes a response carrying its
question text; closed answers become respondent attributes, with their labels. Dataset columns
that Structure does not describe (contact fields such as e-mail) are left out and reported.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from kvali.errors import InputError, UsageError
from kvali.ingest.model import ParsedSource, ReadOptions, Respondent
from kvali.ingest.rows import Rows, header_and_records, read_csv_rows, read_xlsx_sheets
from kvali.ingest.survey import find_case_column, find_role_column, question_document

PARTS = ("dataset", "structure", "labels")
STRUCTURE_COLUMNS = ("variablename", "questiontype", "questiontext")


@dataclass
class Variable:
    """One column of the dataset as Structure describes it."""

    name: str
    is_open: bool
    question_text: str


def looks_like_surveyxact(path: Path) -> bool:
    """A folder with dataset.csv and structure.csv, or a workbook with Dataset/Structure sheets."""
    if path.is_dir():
        names = {p.name.casefold() for p in path.iterdir()}
        return {"dataset.csv", "structure.csv"} <= names
    if path.suffix.casefold() == ".xlsx" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            try:
                with archive.open("xl/workbook.xml") as part:
                    workbook = part.read(1_000_000).lower()
            except KeyError:
                return False
        return b'name="dataset"' in workbook and b'name="structure"' in workbook
    return False


def read_surveyxact(path: Path, options: ReadOptions) -> ParsedSource:
    """Respondents with labelled closed answers, and one document per open question."""
    parts = _read_parts(path)
    variables = _variables(parts["structure"], str(path))
    labels = _labels(parts.get("labels", []))
    header, records = header_and_records(parts["dataset"], f"{path}: dataset")
    skipped = [name for name in header if name not in variables]
    columns = {name: [labels.get((name, cells[i]), cells[i]) for _, cells in records]
               for i, name in enumerate(header) if name in variables}
    case_variable = _case_variable(header, columns, options)
    role_variable = find_role_column(list(columns), options.role_column,
                                     {n: variables[n].question_text for n in columns})
    open_names = [n for n in columns if variables[n].is_open
                  and n not in (case_variable, role_variable)]
    respondents: dict[str, Respondent] = {}
    keys = []
    for index, (line, _) in enumerate(records):
        key = f"respondent {line - 1}"
        keys.append(key)
        attributes = {n: values[index] for n, values in columns.items()
                      if values[index] and n not in open_names and n != case_variable}
        case = columns[case_variable][index] if case_variable else options.case
        role = columns[role_variable][index] if role_variable else ""
        respondents[key] = Respondent(key=key, case=case or None, attributes=attributes,
                                      role=role or None)
    documents = []
    for name in open_names:
        document = question_document(f"{path.stem}: {variables[name].question_text or name}",
                                     name, variables[name].question_text,
                                     zip(keys, columns[name], strict=True))
        if document is not None:
            documents.append(document)
    if not documents:
        raise InputError("has no answers to open questions", source=str(path))
    warnings = [f"{len(skipped)} dataset columns not described in Structure were left out: "
                f"{', '.join(skipped)}"] if skipped else []
    return ParsedSource(documents=documents, respondents=respondents, warnings=warnings)


@dataclass(frozen=True)
class QuestionPreview:
    """One open question of an export as the import reads it: its text and its first answers."""

    variable: str
    question_text: str
    answers: int
    first_answers: list[str]


def preview_surveyxact(path: Path, answers: int = 3) -> tuple[list[QuestionPreview], int]:
    """The open questions with their answer counts and first answers, and the respondent count,
    read exactly as `read_surveyxact` reads them for an import."""
    parsed = read_surveyxact(path, ReadOptions(kind="surveyxact"))
    questions = [QuestionPreview(
        variable=document.question or "", question_text=document.question_text or "",
        answers=len(document.blocks),
        first_answers=[document.text[b.start:b.end] for b in document.blocks[:answers]],
    ) for document in parsed.documents]
    return questions, len(parsed.respondents)


def _read_parts(path: Path) -> dict[str, Rows]:
    """Rows of dataset, structure and labels from a folder or a workbook."""
    if path.is_dir():
        files = {p.stem.casefold(): p for p in path.iterdir() if p.suffix.casefold() == ".csv"}
        parts = {part: read_csv_rows(files[part]) for part in PARTS if part in files}
    else:
        sheets = read_xlsx_sheets(path)
        parts = {title.casefold(): rows for title, rows in sheets.items()
                 if title.casefold() in PARTS}
    for part in ("dataset", "structure"):
        if part not in parts:
            raise InputError(f"is not a SurveyXact export: no {part} sheet or file",
                             source=str(path))
    return parts


def _variables(rows: Rows, source: str) -> dict[str, Variable]:
    header, records = header_and_records(rows, f"{source}: structure")
    lookup = {name.casefold(): i for i, name in enumerate(header)}
    missing = [c for c in STRUCTURE_COLUMNS if c not in lookup]
    if missing:
        raise InputError(f"structure has no column {missing[0]!r}", source=source)
    variables = {}
    for _, cells in records:
        name = cells[lookup["variablename"]]
        if name and name not in variables:
            variables[name] = Variable(
                name=name,
                is_open=cells[lookup["questiontype"]].casefold() == "open",
                question_text=" ".join(cells[lookup["questiontext"]].split()),
            )
    return variables


def _labels(rows: Rows) -> dict[tuple[str, str], str]:
    """(variable, value) -> label; a header row, if any, is ignored."""
    labels = {}
    for row in rows:
        if len(row) >= 3 and row[0] and row[1]:
            labels[(row[0], row[1])] = row[2]
    return labels


def _case_variable(header: list[str], columns: dict[str, list[str]],
                   options: ReadOptions) -> str | None:
    if options.case_column is None:
        return find_case_column([n for n in header if n in columns], columns)
    if options.case_column not in columns:
        raise UsageError(f"--case-col {options.case_column!r}: no such variable in the export")
    return options.case_column
