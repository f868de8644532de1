"""Survey answers as the national reports show them: for each open question, how many
municipalities answered (by region and size class), and the answers grouped by code.

`survey_questions` takes the open questions of the surveys in a selection (documents of kind
survey; each answer is a response of a respondent, whose case gives the municipality). The
selection's places, roles, questions and documents limit the answers; its statuses (the
summary's: accepted and manual unless suggestions are asked for) and codes limit the codings.
The groups are the top-level themes (or, with a code filter, the codes asked for), each counting
the answers coded with it or any of its sub-codes, as the summary rolls them up, and quoting from
the same codings, chosen by the caller's `QuoteChooser` so they are chosen as the summary's are.
Groups come by number of answers, ties in codebook order. With a code filter, a question without
an answer in any group is left out. `survey_table` is the same as a table (one row per question
and per group), for `kvali export survey`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from kvali.codebook.model import subtrees
from kvali.codebook.sync import stored_codebook
from kvali.domain import HUMAN_STATUSES
from kvali.export.coverage import Breakdown, coverage, group_totals
from kvali.export.quotes import Quote
from kvali.export.records import CodingLike, coding_records
from kvali.municipalities import REGIONS, SIZE_CLASSES
from kvali.privacy.pseudonymise import Pseudonyms
from kvali.selection import Selection, compile_selection, selected_codes

QuoteChooser = Callable[[Sequence[CodingLike], str, Collection[str]], list[Quote]]
"""Chooses and makes a group's quotes from (its codings in document order, the group's code
key, the keys of the code and its sub-codes)."""

Place = tuple[str, str | None, str | None]  # (municipality, region, size class)


@dataclass
class AnswerGroup:
    """The answers to one question coded with one code (sub-codes rolled up)."""

    code_key: str
    code_name: str
    answers: int
    municipalities: int
    quotes: list[Quote] = field(default_factory=list)
    by_region: list[Breakdown] = field(default_factory=list)
    by_size: list[Breakdown] = field(default_factory=list)


@dataclass
class SurveyQuestion:
    """One open question of a survey: who answered it and what they said, by code."""

    question: str  # the survey variable ("s_3")
    question_text: str
    answers: int  # non-empty answers
    municipalities: int  # municipalities with at least one answer
    total: int  # municipalities in the project (98)
    by_region: list[Breakdown] = field(default_factory=list)
    by_size: list[Breakdown] = field(default_factory=list)
    groups: list[AnswerGroup] = field(default_factory=list)
    document_id: int = 0  # the question's document
    document: str = ""  # its name ("Opfølgning 2026: Andet, skriv her")
    coded: int = 0  # answers in at least one group


@dataclass(frozen=True)
class _Answer:
    """One non-empty answer in the selection: its span and its respondent's place."""

    start: int
    end: int
    place: Place | None


def survey_questions(db: Database, selection: Selection, *, quotes: QuoteChooser | None = None,
                     replacing: Pseudonyms | None = None,
                     records: Sequence[CodingLike] | None = None) -> list[SurveyQuestion]:
    """The open questions of the selection's surveys, in document order (see the module
    docstring); without `quotes` the groups have none; `replacing` pseudonymises the question
    texts and document names. `records` are the selection's codings when the caller has read
    them already (with the statuses it counts; at least those of the group codes), so they
    are not read again; the ones of surveys are taken."""
    if selection.kind and "survey" not in selection.kind:
        return []
    replacing = replacing or Pseudonyms.none()
    answers = _answers(db, selection)
    if not answers:
        return []
    totals = group_totals(db)
    groups = _group_codes(db, selection)
    coded: dict[int, list[CodingLike]] = defaultdict(list)
    if records is None:
        statuses = selection.status or HUMAN_STATUSES
        records = coding_records(db, replace(selection, kind=("survey",), status=statuses))
    for record in records:
        if record.kind == "survey":
            coded[record.document_id].append(record)
    documents = {row[0]: row[1:] for row in db.execute(
        "SELECT id, name, question, question_text FROM documents WHERE kind = 'survey' "
        "AND question IS NOT NULL")}
    questions = []
    for document_id in sorted(set(answers) & set(documents)):
        name, question, text = documents[document_id]
        given = answers[document_id]
        reached = coverage((a.place for a in given if a.place), totals)
        item = SurveyQuestion(
            question=replacing.scrub(question), question_text=replacing.scrub(text or ""),
            answers=len(given), municipalities=reached.municipalities,
            total=totals[("all", "all")], by_region=reached.by_region,
            by_size=reached.by_size, document_id=document_id, document=replacing.scrub(name))
        _fill_groups(item, given, coded.get(document_id, []), groups, totals, quotes)
        if item.groups or not selection.code:
            questions.append(item)
    return questions


def _answers(db: Database, selection: Selection) -> dict[int, list[_Answer]]:
    """The non-empty answers per survey document whose segments the selection takes (its
    places, roles, questions and documents; not its codes, coders or statuses)."""
    base = replace(selection, kind=("survey",), code=(), not_code=(), coder=(), status=())
    where = compile_selection(db, base, "segments")
    rows = db.execute(
        'SELECT DISTINCT r.document_id, r.start, r."end", f.kommune, f.region, f.size_class '
        "FROM segment_facts f JOIN responses r ON r.id = f.response_id"
        + where.clause("WHERE") + " ORDER BY r.document_id, r.start", where.params)
    found: dict[int, list[_Answer]] = defaultdict(list)
    for document_id, start, end, kommune, region, size_class in rows:
        place = (kommune, region, size_class) if kommune else None
        found[document_id].append(_Answer(start, end, place))
    return found


def _group_codes(db: Database, selection: Selection) -> list[tuple[str, str, set[str]]]:
    """(key, name, keys rolled into it) of each group code, in codebook order: the top-level
    themes, or the highest of the codes a code filter asks for."""
    codes = stored_codebook(db).codes
    chosen = selected_codes(db, selection)
    wanted = {code.key for code in codes} if chosen is None else set(chosen)
    tree = subtrees((code.key, code.parent_key) for code in codes)
    return [(code.key, code.name, set(tree[code.key]) & wanted) for code in codes
            if code.key in wanted and code.parent_key not in wanted]


def _fill_groups(item: SurveyQuestion, given: list[_Answer], records: list[CodingLike],
                 groups: list[tuple[str, str, set[str]]], totals: dict[tuple[str, str], int],
                 quotes: QuoteChooser | None) -> None:
    """Count, place and quote the question's answers per group code."""
    starts = [answer.start for answer in given]
    in_groups: dict[str, list[int]] = defaultdict(list)  # code -> positions of its groups
    for position, (_, _, keys) in enumerate(groups):
        for code in keys:
            in_groups[code].append(position)
    members: dict[int, list[CodingLike]] = defaultdict(list)  # in document order
    indices: dict[int, set[int]] = defaultdict(set)  # the answers each group's codings are in
    for record in records:
        if record.code not in in_groups:
            continue
        index = bisect.bisect_right(starts, record.start) - 1
        if index < 0 or record.start >= given[index].end:
            continue  # not inside an answer
        for position in in_groups[record.code]:
            members[position].append(record)
            indices[position].add(index)
    found = []
    for position, (key, name, keys) in enumerate(groups):
        if position not in members:
            continue
        reached = coverage((given[i].place for i in indices[position] if given[i].place),
                           totals)
        group = AnswerGroup(key, name, len(indices[position]), reached.municipalities,
                            quotes=quotes(members[position], key, keys) if quotes else [],
                            by_region=reached.by_region,
                            by_size=reached.by_size)
        found.append((-group.answers, position, group))
    item.groups = [group for *_, group in sorted(found, key=lambda f: f[:2])]
    item.coded = len(set().union(*indices.values()))


TABLE_COLUMNS = ["document", "question", "question_text", "code", "code_name", "answers",
                 "municipalities", "of_municipalities", "share_percent", *REGIONS,
                 *SIZE_CLASSES]
"""The columns of `survey_table`: per region and size class the municipalities counted."""


def survey_table(questions: list[SurveyQuestion]) -> tuple[list[str], list[list]]:
    """The questions as rows: one for all the answers of each question (code empty), then one
    per group, with the municipalities in all and per region and size class."""
    rows = []
    for question in questions:
        head = [question.document, question.question, question.question_text]
        parts = [(None, None, question.answers, question.municipalities, question.by_region,
                  question.by_size)]
        parts += [(g.code_key, g.code_name, g.answers, g.municipalities, g.by_region,
                   g.by_size) for g in question.groups]
        for key, name, answers, municipalities, by_region, by_size in parts:
            share = round(100 * municipalities / question.total, 1) if question.total else None
            rows.append([*head, key, name, answers, municipalities, question.total, share,
                         *(b.municipalities for b in by_region),
                         *(b.municipalities for b in by_size)])
    return TABLE_COLUMNS, rows
