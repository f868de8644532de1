"""The Cases of a REFI-QDA export: municipalities, speakers and survey respondents.

- A municipality case has the Variables region, size_class and kommunekode; it holds its
  documents (SourceRef) and, where a segment's case differs from its document's (a speaker's
  municipality in a group interview, a survey respondent's), runs of such segments as uncoded
  selections (SelectionRef).
- A speaker is a case ("IP1 – Fokusgruppe Aarhus", or the speaker's name) with the Variables
  role, municipality and interviewer, holding the selections of their turns.
- A survey respondent is a case ("Respondent 17") with their closed answers as Variables and
  role, holding the selections of their answers.

Other tools see people with attributes, as their users expect; kvali's own import restores
speakers and respondents from `kvali/project.json` and skips these cases (`person_cases`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree
from sqlite_utils import Database

from kvali.codebook.qdc import PROJECT_NS, stable_guid
from kvali.privacy.pseudonymise import Pseudonyms
from kvali.tabular import xml_safe

Q = f"{{{PROJECT_NS}}}"
MUNICIPALITY_VARIABLES = (("region", "Text"), ("size_class", "Text"),
                          ("kommunekode", "Integer"))
VALUE_TAGS = {"Integer": "IntegerValue", "Boolean": "BooleanValue", "Text": "TextValue"}


def guid(*parts: object) -> str:
    """A stable GUID for a kvali object (kind first: "document", 12, …)."""
    return stable_guid(":".join(map(str, parts)))


@dataclass
class CaseSelections:
    """The Cases element, the uncoded selections its cases hold, and the person cases."""

    element: etree._Element
    selections: dict[int, list[tuple[int, int, str]]] = field(
        default_factory=lambda: defaultdict(list))  # document -> (start, end, selection guid)
    person_cases: set[str] = field(default_factory=set)
    count: int = 0


def cases_element(db: Database, replacing: Pseudonyms,
                  variable: Callable[[str, str], str]) -> CaseSelections:
    """All cases; `variable(name, type)` gives (and registers) a Variable's GUID."""
    result = CaseSelections(etree.Element(f"{Q}Cases"))
    _municipalities(db, replacing, variable, result)
    _speakers(db, replacing, variable, result)
    _respondents(db, replacing, variable, result)
    return result


def variable_value(parent: etree._Element, variable_guid: str, kind: str,
                   value: object) -> None:
    """A VariableValue of VARIABLE_GUID, typed as the Variable is."""
    element = etree.SubElement(parent, f"{Q}VariableValue")
    etree.SubElement(element, f"{Q}VariableRef", targetGUID=variable_guid)
    text = ("true" if value else "false") if kind == "Boolean" else str(value)
    etree.SubElement(element, f"{Q}{VALUE_TAGS[kind]}").text = xml_safe(text)


def _case(result: CaseSelections, case_guid: str, name: str) -> etree._Element:
    result.count += 1
    return etree.SubElement(result.element, f"{Q}Case", guid=case_guid, name=xml_safe(name))


def _hold(result: CaseSelections, case: etree._Element, kind: str, document_id: int,
          start: int, end: int) -> None:
    selection_guid = guid(kind, document_id, start, end)
    result.selections[document_id].append((start, end, selection_guid))
    etree.SubElement(case, f"{Q}SelectionRef", targetGUID=selection_guid)


def _municipalities(db: Database, replacing: Pseudonyms, variable: Callable[[str, str], str],
                    result: CaseSelections) -> None:
    documents: dict[int, list[int]] = defaultdict(list)
    for document_id, case_id in db.execute(
            "SELECT id, case_id FROM documents WHERE case_id IS NOT NULL ORDER BY id"):
        documents[case_id].append(document_id)
    runs: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for case_id, document_id, start, end in _segment_runs(
            db, "s.case_id", "JOIN documents d ON d.id = s.document_id WHERE s.case_id IS NOT "
            "NULL AND (d.case_id IS NULL OR s.case_id != d.case_id)"):
        runs[case_id].append((document_id, start, end))
    for case_id, case_name, code, region, size_class in db.execute(
            "SELECT c.id, c.name, m.code, m.region, m.size_class FROM cases c "
            "LEFT JOIN municipalities m ON m.code = c.municipality_code ORDER BY c.id"):
        case_name = replacing.scrub(case_name)
        case = _case(result, guid("case", case_name), case_name)
        if code is not None:
            for (name, kind), value in zip(MUNICIPALITY_VARIABLES, (region, size_class, code),
                                           strict=True):
                variable_value(case, variable(name, kind), kind, value)
        for document_id in documents.get(case_id, []):
            etree.SubElement(case, f"{Q}SourceRef", targetGUID=guid("document", document_id))
        for document_id, start, end in runs.get(case_id, []):
            _hold(result, case, "case-selection", document_id, start, end)


def _speakers(db: Database, replacing: Pseudonyms, variable: Callable[[str, str], str],
              result: CaseSelections) -> None:
    turns: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for speaker_id, document_id, start, end in _segment_runs(
            db, "s.speaker_id", "WHERE s.speaker_id IS NOT NULL"):
        turns[speaker_id].append((document_id, start, end))
    for speaker_id, label, name, role, interviewer, document, municipality in db.execute(
            "SELECT s.id, s.label, s.name, s.role, s.is_interviewer, d.name, c.name "
            "FROM speakers s JOIN documents d ON d.id = s.document_id "
            "LEFT JOIN cases c ON c.id = s.case_id ORDER BY s.id"):
        shown = replacing.scrub(name or f"{label} – {document}")
        case_guid = guid("speaker", speaker_id)
        result.person_cases.add(case_guid)
        case = _case(result, case_guid, shown)
        for variable_name, kind, value in (("role", "Text", role),
                                           ("municipality", "Text", municipality),
                                           ("interviewer", "Boolean", bool(interviewer))):
            if value is not None:
                scrubbed = replacing.scrub(value) if isinstance(value, str) else value
                variable_value(case, variable(variable_name, kind), kind, scrubbed)
        for document_id, start, end in turns.get(speaker_id, []):
            _hold(result, case, "turn-selection", document_id, start, end)


def _respondents(db: Database, replacing: Pseudonyms, variable: Callable[[str, str], str],
                 result: CaseSelections) -> None:
    answers: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for respondent_id, document_id, start, end in db.execute(
            'SELECT respondent_id, document_id, start, "end" FROM responses '
            "ORDER BY respondent_id, document_id, start"):
        answers[respondent_id].append((document_id, start, end))
    values: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for respondent_id, key, value in db.execute(
            "SELECT respondent_id, key, value FROM respondent_attributes ORDER BY rowid"):
        values[respondent_id].append((key, value))
    for respondent_id, key, role in db.execute(
            "SELECT id, key, role FROM respondents ORDER BY id"):
        case_guid = guid("respondent", respondent_id)
        result.person_cases.add(case_guid)
        case = _case(result, case_guid, f"Respondent {key}")
        for name, value in [*values[respondent_id], ("role", role)]:
            if value:
                variable_value(case, variable(name, "Text"), "Text", replacing.scrub(value))
        for document_id, start, end in answers.get(respondent_id, []):
            _hold(result, case, "answer-selection", document_id, start, end)


def _segment_runs(db: Database, column: str, where: str) -> list[tuple[int, int, int, int]]:
    """(owner, document, start, end) of runs of consecutive segments with the same COLUMN."""
    runs: list[list[int]] = []
    previous: tuple[int, int, int] | None = None  # document, seq, owner
    for document_id, seq, start, end, owner in db.execute(
            f'SELECT s.document_id, s.seq, s.start, s."end", {column} FROM segments s {where} '
            "ORDER BY s.document_id, s.seq"):
        if previous == (document_id, seq - 1, owner):
            runs[-1][3] = end
        else:
            runs.append([owner, document_id, start, end])
        previous = (document_id, seq, owner)
    return [(run[0], run[1], run[2], run[3]) for run in runs]
