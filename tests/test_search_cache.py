"""What a search keeps per process (kvali.search.facts and kvali.search.answers) gives exactly
what searching afresh in SQL gives, and follows every change of the project:
new and deleted documents, a segment's case, a speaker's or respondent's role, a document's
question, a case's municipality, codings (never kept)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_search import build

from kvali.coding.store import add_manual_coding
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.search import answers, engine, facts, search
from kvali.search.facts import forget_answers, remembers
from kvali.selection import Selection, Where
from kvali.store import open_db

QUERIES = [("netværk", {}), ("netværk", {"compounds": False}), ('"nære netværk"', {}),
           ("frivillig* ELLER civilsamfund", {}), ("netværg", {"fuzzy": True}), ("år", {}),
           ("Aabenraa", {}), ("netværk NEAR/5 familien", {}), ("midler IKKE hjørring", {})]
SELECTIONS = [Selection(), Selection(kommune=("Aabenraa",)), Selection(kommune=("851",)),
              Selection(region=("Nordjylland",)), Selection(size=("lille", "mellem")),
              Selection(kind=("survey",)), Selection(kind=("interview",), role=("chef",)),
              Selection(role=("leder",)), Selection(question=("Bemærkninger",)),
              Selection(document=("Interview om data",)),
              Selection(region=("Syddanmark",), kind=("interview",))]
PAGES = [(50, 0), (1, 0), (2, 1), (3, 2), (None, 0), (None, 1), (0, 0), (2, 40)]


@pytest.fixture
def project(tmp_path: Path) -> Database:
    """The search tests' project as a file, so the process keeps what it may."""
    return build(open_db(tmp_path / "project.db"), tmp_path / "files")


def both(db: Database, query: str, filters: Selection, **options) -> tuple[dict, dict]:
    """The JSON of a search through what the process keeps, and of one afresh in SQL."""
    kept = search(db, query, filters, **options).to_dict()
    fresh = search(db, query, filters, cached=False, **options).to_dict()
    return kept, fresh


def test_kept_searches_equal_searches_afresh_for_every_query_filter_and_page(project,
                                                                              monkeypatch):
    monkeypatch.setattr(answers, "WINDOW", 2)  # pages beyond the kept window, on a small project
    totals = set()
    for (query, options), filters in itertools.product(QUERIES, SELECTIONS):
        for limit, offset in PAGES:
            kept, fresh = both(project, query, filters, limit=limit, offset=offset, **options)
            assert kept == fresh, (query, filters, limit, offset)
            totals.add(kept["total"])
    assert len(totals) > 5  # the cases differ from each other


def test_with_more_cases_than_a_byte_holds_filters_read_segment_facts(project, monkeypatch):
    monkeypatch.setattr(facts, "_MAX_CASES", 2)
    for (query, options), filters in itertools.product(QUERIES[:4], SELECTIONS):
        kept, fresh = both(project, query, filters, **options)
        assert kept == fresh, (query, filters)


def test_an_in_memory_project_searches_the_same_without_keeping_anything(fresh_db, tmp_path):
    db = build(fresh_db, tmp_path / "files")
    for (query, options), filters in itertools.product(QUERIES[:4], SELECTIONS):
        kept, fresh = both(db, query, filters, **options)
        assert kept == fresh


def test_a_page_inside_the_kept_window_is_not_ranked_again(project, monkeypatch):
    expected = [h.segment_id for h in search(project, "netværk", limit=2, cached=False).hits]
    ranked = []
    real = engine._ranked
    monkeypatch.setattr(engine, "_ranked", lambda *a: ranked.append(a[2:]) or real(*a))
    first = search(project, "netværk", limit=1)
    second = search(project, "netværk", limit=1, offset=1)
    assert ranked == [(answers.WINDOW, 0)]
    assert [h.segment_id for h in first.hits + second.hits] == expected
    forget_answers()
    search(project, "netværk", limit=1)
    assert len(ranked) == 2


def kommuner(db: Database, query: str, filters: Selection | None = None) -> dict[str, int]:
    """Hits per municipality through what the process keeps, checked against SQL afresh."""
    kept, fresh = both(db, query, filters or Selection())
    assert kept == fresh
    return kept["by_kommune"]


def test_kept_facts_follow_imports_and_deletions(project, tmp_path):
    assert kommuner(project, "zebraforening") == {}
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "zebra.csv").write_text(
        "Respondent;Kommune;Rolle;Bemærkninger\n"
        "R9;Tønder;Leder;Zebraforeningen hjælper os meget med de frivillige hver uge.\n", "utf-8")
    assert not import_paths(project, [folder], ReadOptions(case_column="Kommune")).failed
    assert kommuner(project, "zebraforening") == {"Tønder": 1}
    assert kommuner(project, "zebraforening", Selection(kommune=("Tønder",))) == {"Tønder": 1}
    project.execute("DELETE FROM documents WHERE name LIKE 'zebra%'")
    assert kommuner(project, "zebraforening") == {}
    assert kommuner(project, "zebraforening", Selection(kommune=("Tønder",))) == {}


def test_kept_facts_follow_a_segments_case_and_a_cases_municipality(project):
    before = kommuner(project, "netværket", Selection(region=("Syddanmark",)))
    assert before.get("Aabenraa")
    segment, case = project.execute(
        "SELECT s.id, s.case_id FROM segments s WHERE s.text LIKE 'Netværket er%'").fetchone()
    other = project.execute("SELECT id FROM cases WHERE name = 'København'").fetchone()[0]
    project.execute("UPDATE segments SET case_id = ? WHERE id = ?", [other, segment])
    after = kommuner(project, "netværket", Selection(region=("Syddanmark",)))
    assert after.get("Aabenraa", 0) == before["Aabenraa"] - 1
    assert kommuner(project, "netværket", Selection(kommune=("København",))).get("København")
    project.execute("UPDATE segments SET case_id = ? WHERE id = ?", [case, segment])
    project.execute("UPDATE cases SET municipality_code = 461 WHERE id = ?", [case])  # Odense
    moved = kommuner(project, "netværket")
    assert "Aabenraa" not in moved and moved.get("Odense")


def test_kept_facts_follow_roles_and_questions(project):
    role = Selection(role=("chef",))
    assert search(project, "netværket", role).total
    project.execute("UPDATE speakers SET role = 'Konsulent' WHERE role = 'Socialchef'")
    project.execute("UPDATE respondents SET role = 'Konsulent' WHERE role = 'Socialchef'")
    with pytest.raises(Exception, match="role"):
        search(project, "netværket", role)
    assert both(project, "netværket", Selection(role=("konsulent",)))[0]["total"]
    question = Selection(question=("Bemærkninger",))
    assert search(project, "civilsamfundet", question).total == 1
    project.execute("UPDATE documents SET question = 'Andet', question_text = 'Andet' "
                    "WHERE question IS NOT NULL")
    with pytest.raises(Exception, match="question"):
        search(project, "civilsamfundet", question)
    kept, fresh = both(project, "civilsamfundet", Selection(question=("Andet",)))
    assert kept == fresh and kept["total"] == 1


def test_selections_by_code_are_never_kept_and_follow_codings(project):
    coded = Selection(code=("netvaerk",))
    assert not remembers(coded) and remembers(Selection(kind=("survey",)))
    assert search(project, "netværket", coded).total == 0
    segment = project.execute("SELECT id FROM segments WHERE text LIKE 'Netværket er%'"
                              ).fetchone()[0]
    add_manual_coding(project, segment, "netvaerk", "anna")
    kept, fresh = both(project, "netværket", coded)
    assert kept == fresh and kept["total"] == 1
    not_coded = both(project, "netværket", Selection(not_code=("netvaerk",)))
    assert not_coded[0] == not_coded[1]


def test_a_case_outside_the_municipalities_selects_by_place_too(project):
    project.execute("INSERT INTO cases (name) VALUES ('Frivilligcenter Syd')")
    case = project.execute("SELECT id FROM cases WHERE name = 'Frivilligcenter Syd'"
                           ).fetchone()[0]
    project.execute("UPDATE segments SET case_id = ? WHERE text LIKE 'Netværket er%'", [case])
    for filters in (Selection(kommune=("Frivilligcenter Syd",)),
                    Selection(kommune=("frivilligcenter syd", "Hjørring")),
                    Selection(kommune=("Aabenraa",), size=("lille", "mellem", "stor"))):
        for query in ("netværket", "netværk", "midler"):
            kept, fresh = both(project, query, filters)
            assert kept == fresh, (filters, query)
    assert both(project, "netværket", Selection(kommune=("Frivilligcenter Syd",)))[0]["total"]


def test_kept_document_facts_follow_a_renamed_document(project):
    names = {h["document"] for h in search(project, "netværket").to_dict()["hits"]}
    assert "Interview om netværk" in names and "Interview A" not in names
    project.execute("UPDATE documents SET name = 'Interview A' WHERE name = 'Interview om netværk'")
    kept, fresh = both(project, "netværket", Selection())
    assert kept == fresh
    assert {h["document"] for h in kept["hits"]} == names - {"Interview om netværk"} | {
        "Interview A"}


def test_kept_highlights_follow_a_changed_text(project):
    assert any(h.kwic.match for h in search(project, "netværket").hits)  # highlights kept
    segment = project.execute("SELECT id FROM segments WHERE text LIKE 'Netværket er%'"
                              ).fetchone()[0]
    project.execute("UPDATE segments SET text = 'Se, netværket er afgørende.', "
                    "lemmas = 'se netværk være afgørende' WHERE id = ?", [segment])
    kept, fresh = both(project, "netværket", Selection())
    assert kept == fresh
    hit = next(h for h in kept["hits"] if h["segment_id"] == segment)
    assert (hit["kwic"]["left"], hit["kwic"]["match"]) == ("Se, ", "netværket")


def test_counts_leave_out_segments_the_scope_does_not_keep():
    found = facts.Scope(Where(), b"\x00\x01\x02", (101, None))
    assert found.counts("\x01\x02\x00\x01\x00") == {101: 2, None: 1}
    assert found.counts(None) == {}
