"""Read survey tables (.csv/.tsv with , ; or tab, .xlsx): open questions become answer documents.

`--case-col` names the municipality or respondent column (found by name or by its values when
omitted); each `--text-col` is an open question (free-text columns are detected when none are
given); every other column becomes an attribute of the respondent.
"""

from __future__ import annotations

from pathlib import Path

from kvali.errors import InputError, UsageError
from kvali.ingest.model import ParsedSource, ReadOptions, Respondent
from kvali.ingest.rows import header_and_records, read_table_rows
from kvali.ingest.survey import find_case_column, find_role_column, question_document

RESPONDENT_COLUMNS = ("respondent", "respondent_id", "respondentid", "id", "løbenr", "lbnr")
MIN_FREE_TEXT_CHARS = 25
MIN_FREE_TEXT_WORDS = 4


def read_table(path: Path, options: ReadOptions) -> ParsedSource:
    """Respondents and one document per open question from a survey table."""
    header, records = header_and_records(read_table_rows(path), str(path))
    if not records:
        raise InputError("has a header row but no answers", source=str(path))
    columns = {name: [cells[i] for _, cells in records] for i, name in enumerate(header)}
    case_column = _case_column(header, columns, options)
    role_column = find_role_column(header, options.role_column)
    text_columns = _text_columns(header, columns, options, (case_column, role_column))
    key_column = next((n for n in header if n.casefold() in RESPONDENT_COLUMNS
                       and n not in text_columns and n != case_column), None)
    respondents: dict[str, Respondent] = {}
    keys: list[str] = []
    for line, cells in records:
        row = dict(zip(header, cells, strict=True))
        key = row[key_column] if key_column and row[key_column] else f"række {line}"
        if key in respondents:
            key = f"{key} (række {line})"
        keys.append(key)
        attributes = {n: v for n, v in row.items() if v and n not in text_columns
                      and n not in (case_column, key_column)}
        case = row[case_column] if case_column else options.case
        role = row[role_column] if role_column else ""
        respondents[key] = Respondent(key=key, case=case or None, attributes=attributes,
                                      role=role or None)
    documents = []
    for column in text_columns:
        document = question_document(f"{path.stem}: {column}", column, column,
                                     zip(keys, columns[column], strict=True))
        if document is not None:
            documents.append(document)
    if not documents:
        raise InputError("has no answers in its text columns", source=str(path))
    return ParsedSource(documents=documents, respondents=respondents)


def _case_column(header: list[str], columns: dict[str, list[str]],
                 options: ReadOptions) -> str | None:
    if options.case_column is None:
        return find_case_column(header, columns)
    if options.case_column not in header:
        raise UsageError(f"--case-col {options.case_column!r}: no such column; "
                         f"the columns are {', '.join(header)}")
    return options.case_column


def _text_columns(header: list[str], columns: dict[str, list[str]], options: ReadOptions,
                  other_columns: tuple[str | None, ...]) -> list[str]:
    if options.text_columns:
        for name in options.text_columns:
            if name not in header:
                raise UsageError(f"--text-col {name!r}: no such column; "
                                 f"the columns are {', '.join(header)}")
        return list(options.text_columns)
    found = [n for n in header if n not in other_columns and looks_like_free_text(columns[n])]
    if not found:
        raise UsageError("no free-text column found; name the open questions with --text-col")
    return found


def looks_like_free_text(values: list[str]) -> bool:
    """Mostly non-numeric, varied answers of some length: a comment column, not a category."""
    filled = [v for v in values if v.strip()]
    if not filled:
        return False
    numeric = sum(v.replace(",", "").replace(".", "").strip().isdigit() for v in filled)
    if numeric > len(filled) / 2:
        return False
    mean_chars = sum(len(v) for v in filled) / len(filled)
    mean_words = sum(len(v.split()) for v in filled) / len(filled)
    varied = len(set(filled)) >= 0.5 * len(filled)
    return varied and (mean_chars >= MIN_FREE_TEXT_CHARS or mean_words >= MIN_FREE_TEXT_WORDS)
