"""What survey tables and SurveyXact exports share: one document per open question.

Each non-empty answer is one block of its question's document, tied to its respondent; answers are
separated by a blank line, so a document reads as the list of answers to one question.
"""

from __future__ import annotations

from collections.abc import Iterable

from kvali.domain import role_column
from kvali.errors import UsageError
from kvali.ingest.encoding import normalise_text
from kvali.ingest.model import Block, ParsedDocument
from kvali.municipalities import match_municipality

ANSWER_SEPARATOR = "\n\n"
CASE_COLUMN_NAMES = ("kommune", "kommunenavn", "kommune_navn", "municipality", "kommunenr")
EMPTY_ANSWERS = {"", "-", "."}
MUNICIPALITY_SHARE = 0.8


def question_document(
    name: str, question: str, question_text: str, answers: Iterable[tuple[str, str]]
) -> ParsedDocument | None:
    """The document of one question from (respondent key, answer) pairs; None without answers."""
    parts: list[str] = []
    blocks: list[Block] = []
    position = 0
    for respondent, answer in answers:
        answer = normalise_text(answer).strip()
        if answer in EMPTY_ANSWERS:
            continue
        if parts:
            parts.append(ANSWER_SEPARATOR)
            position += len(ANSWER_SEPARATOR)
        parts.append(answer)
        blocks.append(Block(position, position + len(answer), respondent=respondent))
        position += len(answer)
    if not blocks:
        return None
    return ParsedDocument(name=name, kind="survey", text="".join(parts), blocks=blocks,
                          question=question, question_text=question_text)


def find_case_column(names: list[str], values_of: dict[str, list[str]]) -> str | None:
    """The column that names the municipality: by its name, else by its values."""
    for name in names:
        if name.casefold().strip() in CASE_COLUMN_NAMES:
            return name
    for name in names:
        values = {v for v in values_of.get(name, []) if v and not v.isdigit()}
        if len(values) >= 3:
            matched = sum(match_municipality(v) is not None for v in values)
            if matched >= MUNICIPALITY_SHARE * len(values):
                return name
    return None


def find_role_column(names: list[str], chosen: str | None,
                     descriptions: dict[str, str] | None = None) -> str | None:
    """The column with the respondent's role: `--role-col` (which must exist; "" for none), else
    the first column whose name or question text names a role ("Respondentens rolle")."""
    if chosen == "":
        return None
    if chosen is not None:
        if chosen not in names:
            raise UsageError(f"--role-col {chosen!r}: no such column; "
                             f"the columns are {', '.join(names)}")
        return chosen
    found = role_column(names)
    if found is None and descriptions:
        found = next((name for name in names
                      if role_column([descriptions.get(name, "")]) is not None), None)
    return found
