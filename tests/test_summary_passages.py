"""The summary's one read of the codings (kvali.export.records.coding_facts) and its passages
index (kvali.export.passages): the light facts say what the whole records say, and a survey
group's quotes chosen among some codings of the shared index are the ones an index of those
codings alone would choose."""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_export_project import open_export_project

from kvali.codebook.load import parse_codebook
from kvali.domain import STATUSES
from kvali.export.passages import Passages, Texts
from kvali.export.quote_words import ThemeWords
from kvali.export.records import CodingFacts, CodingRecord, coding_facts, coding_records
from kvali.export.survey_answers import survey_questions
from kvali.selection import Selection

CODEBOOK = """\
name: Prøve
version: "1"
codes:
  - key: t
    name: Tema
    rules: {keywords: [netværk]}
    children:
      - key: t.a
        name: A
        rules: {keywords: [møde]}
      - key: t.b
        name: B
        rules: {keywords: [frivillig]}
  - key: u
    name: Andet
    rules: {keywords: [skole]}
"""
WORDS = ["netværk", "Netværk", "møde", "frivillig", "skole", "og", "vi", "holder", "mange"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_export_project(tmp_path_factory.mktemp("passages"))


def test_the_facts_are_the_records_fields_in_the_same_order(project: Database) -> None:
    everything = Selection(status=STATUSES)
    records = coding_records(project, everything)
    facts = coding_facts(project, everything)
    assert len(records) == len(facts) > 5
    names = {f.name for f in fields(CodingRecord)}
    assert set(CodingFacts._fields) <= names
    for record, fact in zip(records, facts, strict=True):
        assert {name: getattr(record, name) for name in CodingFacts._fields} == fact._asdict()
        assert record.matched_spans == fact.matched_spans
        assert record.matched_count == fact.matched_count
    west = Selection(region=("Midtjylland",), status=("manual",))
    assert [f.coding_id for f in coding_facts(project, west)] == \
        [r.coding_id for r in coding_records(project, west)]


def test_the_survey_counts_the_same_from_codings_read_already(project: Database) -> None:
    selection = Selection(status=("accepted", "manual", "suggested"))
    own = survey_questions(project, selection)
    shared = survey_questions(project, selection, records=coding_facts(project, selection))
    assert own and own == shared
    assert any(question.groups for question in own)


def _random_project(rng: random.Random) -> tuple[Database, list[CodingFacts]]:
    """Two documents of random words and codings on a few passages of them."""
    db = Database(memory=True)
    texts = {d: " ".join(rng.choice(WORDS) for _ in range(800)) for d in (1, 2)}
    db["documents"].insert_all([{"id": d, "text": t} for d, t in texts.items()], pk="id")
    passages = []
    for _ in range(rng.randint(3, 14)):
        document = rng.choice([1, 2])
        start = rng.randrange(0, 2000)
        passages.append((document, start, start + rng.choice([20, 90, 300, 700])))
    facts = []
    for number in range(1, rng.randint(4, 30)):
        document, start, end = rng.choice(passages)
        text = texts[document]
        matched = [(m, m + 5) for m in sorted(rng.sample(range(start, end - 5), 3))
                   if text[m:m + 5].strip()][:rng.randint(0, 3)]
        facts.append(CodingFacts(
            coding_id=number, code=rng.choice(["t", "t.a", "t.b", "u"]), document_id=document,
            kind="survey", question="s_1", start=start, end=end,
            status=rng.choice(["manual", "accepted", "suggested"]), origin="auto",
            coder=rng.choice(["x", "y"]), key_quote=int(rng.random() < 0.15), speaker=None,
            is_interviewer=0, role=rng.choice(["A", "B", None]),
            case=None, kommune=rng.choice(["Aarhus", "Odense", "Viborg", None]),
            region="Region Midtjylland", size_class=None, matched=json.dumps(matched)))
    facts.sort(key=lambda f: (f.document_id, f.start, f.end, f.code, f.coding_id))
    return db, facts


def test_choosing_among_some_codings_chooses_what_an_index_of_them_would() -> None:
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems
    words = ThemeWords(codebook)
    rng = random.Random(16)
    compared = 0
    for _ in range(300):
        db, facts = _random_project(rng)
        texts = Texts(db, rng.choice([80, 200, 500]))
        shared = Passages(facts, texts, words)
        key, subtree = rng.choice([("t", {"t", "t.a", "t.b"}), ("t.a", {"t.a"}), ("u", {"u"})])
        document = rng.choice([1, 2])
        among = [f for f in facts if f.document_id == document and f.code in subtree
                 and rng.random() < 0.8]
        limit, anonymise = rng.randint(1, 4), rng.random() < 0.3
        alone = Passages(among, texts, words).choose(key, subtree, limit, anonymise)
        chosen = shared.choose(key, subtree, limit, anonymise, among=among)
        assert [(c.record.coding_id, c.reasons) for c in chosen] == \
            [(c.record.coding_id, c.reasons) for c in alone]
        compared += bool(alone)
    assert compared > 100


def test_a_survey_group_reads_only_what_could_be_quoted(tmp_path: Path) -> None:
    """One question's answers share one document: once it is quoted, the rest of a quality
    class need not be made to know that none of it is from a new document."""
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems
    db = Database(tmp_path / "p.db")
    db["documents"].insert({"id": 1, "text": "netværk og møde " * 2000}, pk="id")
    facts = [CodingFacts(n, "t", 1, "survey", "s_1", n * 16, n * 16 + 15, "suggested", "auto",
                         "kvali", 0, None, 0, ["A", "B"][n % 2], None, f"K{n}", None, None,
                         json.dumps([[n * 16, n * 16 + 7]]))
             for n in range(1, 1500)]
    passages = Passages(facts, Texts(db, 500), ThemeWords(codebook))
    made = []
    making = passages._candidate

    def counted(*args: object) -> object:
        made.append(args[0])
        return making(*args)

    passages._candidate = counted  # type: ignore[method-assign]
    chosen = passages.choose("t", {"t"}, 3, False, among=facts)
    assert [c.record.kommune for c in chosen] == ["K1", "K2", "K3"]
    assert len(made) < 10


def test_the_collector_is_paused_for_the_block_and_restored_after() -> None:
    import gc

    from kvali.export.bulk import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("stop")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before, so off after
    finally:
        gc.enable()
