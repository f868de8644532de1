"""Survey answers as the reports show them: per open question the answers and the share of
municipalities that gave them, by region and size class, and the answers grouped by code with
sub-codes rolled up into their theme; suggestions only when asked for."""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_export_project import CODEBOOK, code_phrase

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.domain import HUMAN_STATUSES
from kvali.export.citations import citation_for
from kvali.export.quotes import Quote, QuotePart
from kvali.export.records import CodingRecord
from kvali.export.survey_answers import SurveyQuestion, survey_questions
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.selection import Selection
from kvali.store import open_db

STRUCTURE = [["questionName", "variableName", "questionType", "subType", "questionText"],
             ["kommune", "kommune", "Closed", "Single", "Kommune"],
             ["rolle", "rolle", "Closed", "Single", "Hvad er din funktion?"],
             ["s_1", "s_1", "Open", "String", "Hvordan inddrager I netværket?"],
             ["s_2", "s_2", "Open", "String", "Andet, skriv her"]]
LABELS = [["kommune", "1", "Aarhus"], ["kommune", "2", "Viborg"], ["kommune", "3", "Odense"],
          ["kommune", "4", "Gentofte"], ["kommune", "5", "Aalborg"], ["kommune", "6", "Fanø"],
          ["rolle", "1", "Socialchef"], ["rolle", "2", "Sagsbehandler"]]
DATASET = [["kommune", "rolle", "s_1", "s_2"],
           ["1", "1", "Vi holder netværksmøder med familien, før vi beslutter noget.",
            "Frivillige hjælper os meget."],
           ["1", "2", "Netværket forsvinder, når den unge fylder 18 år.", ""],
           ["2", "1", "Vi bruger familierådslagning i børnesager og netværksmøder.", "-"],
           ["3", "2", "Netværket er vigtigt for os.",
            "Vi samarbejder med foreningerne om aktiviteter."],
           ["4", "1", "Foreningerne deltager i møderne.", ""],
           ["5", "1", "", "."],
           ["6", "2", "-", "Ingen bemærkninger."]]
S1, S2 = "eksport: Hvordan inddrager I netværket?", "eksport: Andet, skriv her"
CODINGS = [  # (question document, phrase, code, status)
    (S1, "Vi holder netværksmøder med familien", "netvaerk.moeder", "manual"),
    (S1, "Netværket forsvinder, når den unge fylder 18 år.", "netvaerk.overgange", "manual"),
    (S1, "familierådslagning i børnesager", "netvaerk.moeder", "manual"),
    (S1, "netværksmøder.", "netvaerk.moeder", "manual"),
    (S1, "Netværket er vigtigt for os.", "netvaerk", "manual"),
    (S1, "Foreningerne deltager i møderne.", "civil", "suggested"),
    (S2, "Frivillige hjælper os meget.", "civil", "accepted"),
    (S2, "Vi samarbejder med foreningerne", "civil", "manual"),
]
HUMAN = Selection(status=HUMAN_STATUSES)


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Database:
    folder = tmp_path_factory.mktemp("survey") / "eksport"
    folder.mkdir()
    for name, rows in (("structure", STRUCTURE), ("labels", LABELS), ("dataset", DATASET)):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
    db = open_db(folder.parent / "survey.db")
    assert not import_paths(db, [folder], ReadOptions(kind="surveyxact")).failed
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems
    sync_codebook(db, codebook)
    for document, phrase, code, status in CODINGS:
        coding = code_phrase(db, document, phrase, code, "mette")
        db.execute("UPDATE codings SET status = ?, origin = ? WHERE id = ?",
                   [status, "auto" if status != "manual" else "manual", coding])
    return db


class Chooser:
    """Quotes the first two codings it is given, exactly, and remembers every call."""

    def __init__(self, db: Database) -> None:
        self.texts = dict(db.execute("SELECT id, text FROM documents"))
        self.calls: list[tuple[list[CodingRecord], str, set[str]]] = []

    def __call__(self, records: Sequence[CodingRecord], key: str,
                 keys: Collection[str]) -> list[Quote]:
        self.calls.append((list(records), key, set(keys)))
        text = self.texts
        return [Quote(r, (QuotePart(r.start, r.end, text[r.document_id][r.start:r.end]),),
                      citation_for(r)) for r in records[:2]]


def by_text(questions: list[SurveyQuestion]) -> dict[str, SurveyQuestion]:
    return {question.question_text: question for question in questions}


def test_answers_and_municipalities_by_region_and_size_match_a_hand_count(survey) -> None:
    questions = by_text(survey_questions(survey, HUMAN, quotes=Chooser(survey)))
    first = questions["Hvordan inddrager I netværket?"]
    # rows 1-5 answered; Aarhus twice, Aalborg empty, Fanø "-"
    assert (first.question, first.answers, first.municipalities, first.total) == \
        ("s_1", 5, 4, 98)
    assert {b.group: (b.municipalities, b.total) for b in first.by_region} == {
        "Region Hovedstaden": (1, 29), "Region Midtjylland": (2, 19),
        "Region Nordjylland": (0, 11), "Region Sjælland": (0, 17), "Region Syddanmark": (1, 22)}
    assert [(b.group, b.municipalities, b.total) for b in first.by_size] == [
        ("lille", 0, 58), ("mellemstor", 2, 33), ("stor", 2, 7)]
    other = questions["Andet, skriv her"]  # Aarhus, Odense, Fanø
    assert (other.answers, other.municipalities) == (3, 3)
    assert {b.group: b.municipalities for b in other.by_region if b.municipalities} == {
        "Region Midtjylland": 1, "Region Syddanmark": 2}
    assert first.document == S1 and first.document_id != other.document_id


def test_groups_roll_sub_codes_into_their_theme(survey) -> None:
    chooser = Chooser(survey)
    first = by_text(survey_questions(survey, HUMAN, quotes=chooser))[
        "Hvordan inddrager I netværket?"]
    [group] = first.groups  # the suggestion for civil does not count
    assert (group.code_key, group.code_name) == ("netvaerk", "Borgerens nære netværk")
    # rows 1-4: two sub-codes and the theme itself; row 3 coded twice counts once
    assert (group.answers, group.municipalities, first.coded) == (4, 3, 4)
    assert {b.group: b.municipalities for b in group.by_region if b.municipalities} == {
        "Region Midtjylland": 2, "Region Syddanmark": 1}
    [(records, key, keys)] = [call for call in chooser.calls if call[1] == "netvaerk"
                              and call[0][0].document_id == first.document_id]
    assert keys == {"netvaerk", "netvaerk.moeder", "netvaerk.overgange"}
    assert [r.code for r in records] == ["netvaerk.moeder", "netvaerk.overgange",
                                         "netvaerk.moeder", "netvaerk.moeder", "netvaerk"]
    assert [r.start for r in records] == sorted(r.start for r in records)


def test_suggestions_count_only_when_asked_for(survey) -> None:
    asked = Selection(status=("suggested", "accepted", "manual"))
    first = by_text(survey_questions(survey, asked, quotes=Chooser(survey)))[
        "Hvordan inddrager I netværket?"]
    assert [(g.code_key, g.answers) for g in first.groups] == [("netvaerk", 4), ("civil", 1)]
    assert [q.record.status for q in first.groups[1].quotes] == ["suggested"]
    human = by_text(survey_questions(survey, HUMAN, quotes=Chooser(survey)))
    statuses = {q.record.status for question in human.values() for group in question.groups
                for q in group.quotes}
    assert statuses == {"manual", "accepted"}


def test_quotes_are_exact_and_from_their_own_question(survey) -> None:
    texts = dict(survey.execute("SELECT id, text FROM documents"))
    questions = survey_questions(survey, HUMAN, quotes=Chooser(survey))
    quoted = 0
    for question in questions:
        for group in question.groups:
            for quote in group.quotes:
                assert quote.record.document_id == question.document_id
                assert quote.text == texts[question.document_id][
                    quote.record.start:quote.record.end]
                assert quote.citation.reference.startswith(f"doc:{question.document_id}:")
                quoted += 1
    assert quoted == 4
    [other] = [q for q in questions if q.question == "s_2"]
    assert [(g.code_key, g.answers, g.municipalities) for g in other.groups] == [("civil", 2, 2)]


def test_the_selection_limits_answers_and_groups(survey) -> None:
    west = by_text(survey_questions(survey, Selection(region=("Midtjylland",),
                                                      status=HUMAN_STATUSES),
                                    quotes=Chooser(survey)))
    assert west["Hvordan inddrager I netværket?"].answers == 3
    assert west["Andet, skriv her"].answers == 1
    meetings = survey_questions(survey, Selection(code=("netvaerk.moeder",),
                                                  status=HUMAN_STATUSES),
                                quotes=Chooser(survey))
    [question] = meetings  # s_2 has no answer coded with meetings and is left out
    assert question.answers == 5  # the code filter limits the groups, not the answers
    assert [(g.code_key, g.answers) for g in question.groups] == [("netvaerk.moeder", 2)]
    assert survey_questions(survey, Selection(kind=("interview",)), quotes=Chooser(survey)) == []


def test_a_project_without_surveys_has_no_questions(tmp_path: Path) -> None:
    db = open_db(tmp_path / "p.db")
    (tmp_path / "a.md").write_text("I: Hej?\nIP1: Hej med dig.\n", encoding="utf-8")
    assert not import_paths(db, [tmp_path / "a.md"], ReadOptions(kind="interview")).failed
    assert survey_questions(db, HUMAN, quotes=Chooser(db)) == []


def test_export_survey_writes_the_table(survey, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kvali.cli.export import export
    from kvali.export.output import project_file

    target = tmp_path / "svar.csv"
    result = CliRunner().invoke(export, ["survey", "-o", str(target),
                                         "--db", str(project_file(survey))])
    assert result.exit_code == 0, result.output
    assert "2 questions, 4 rows" in result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["question"], r["code"], r["answers"], r["municipalities"]) for r in rows] == [
        ("s_1", "", "5", "4"), ("s_1", "netvaerk", "4", "3"),
        ("s_2", "", "3", "3"), ("s_2", "civil", "2", "2")]
    assert (rows[0]["Region Midtjylland"], rows[0]["stor"], rows[0]["share_percent"]) == \
        ("2", "2", "4.1")
    CliRunner().invoke(export, ["survey", "-o", str(target), "--status", "suggested",
                                "--status", "manual", "--db", str(project_file(survey))])
    with target.open(encoding="utf-8-sig", newline="") as handle:
        assert ("s_1", "civil") in {(r["question"], r["code"]) for r in csv.DictReader(handle)}
