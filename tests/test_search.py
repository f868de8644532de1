"""Search: Danish matching, filters, distribution, KWIC, paging, code-all and the CLI."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from kvali.cli import cli, main
from kvali.coding.store import add_manual_coding
from kvali.errors import QueryError, UsageError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.search import code_hits, distribution, search
from kvali.search.expand import is_compound_of
from kvali.search.results import OUTSIDE
from kvali.search.vocabulary import vocabulary
from kvali.selection import Selection
from kvali.store import open_db

INTERVIEW_A = """---
title: Interview om netværk
kind: interview
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aabenraa}
  IP2: {role: Myndighedsleder, kommune: Hjørring}
---

I: Hvordan arbejder I med borgerens nære netværk?

IP1: Netværket er afgørende for os. Vi holder netværksmøder med familien, og min far var selv \
frivillig.

IP2: I Hjørring får civilsamfundsaktørerne § 18-midler hvert år. Det er vigtigt for de små \
foreninger.

IP1: Vi gik i gang med at samarbejde med frivillige i Åbenrå for to år siden.
"""

INTERVIEW_B = """---
title: Interview om data
kind: interview
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Udviklingskonsulent, kommune: København}
---

I: Hvad med data og opfølgning?

IP1: Vi har et ar efter den gamle it-løsning. Data bruges til opfølgning hvert kvartal, og \
netværkene omkring borgerne er svære at måle. Vi har lært meget af Aabenraa.
"""

SURVEY = (
    "Respondent;Kommune;Rolle;Bemærkninger\n"
    "R1;Læsø;Socialchef;Samarbejdet med civilsamfundet fungerer godt, og § 18-midler hjælper.\n"
    'R2;Odense;Sagsbehandler;"=HYPERLINK(""http://x"") vi mangler netværk"\n'
    "R3;Aalborg;Tilbudsleder;Ingen bemærkninger om år og dag.\n"
)


def build(db: Database, folder: Path) -> Database:
    """Import the three small files and a tiny codebook into `db`."""
    folder.mkdir(exist_ok=True)
    (folder / "interview_a.md").write_text(INTERVIEW_A, "utf-8")
    (folder / "interview_b.md").write_text(INTERVIEW_B, "utf-8")
    (folder / "survey.csv").write_text(SURVEY, "utf-8")
    report = import_paths(db, [folder], ReadOptions())
    assert not report.failed, report.failed
    db["codes"].insert_all([
        {"key": "netvaerk", "name": "Netværk"},
        {"key": "netvaerk.moeder", "name": "Netværksmøder", "parent_key": "netvaerk"},
        {"key": "civil", "name": "Civilsamfund"},
    ])
    return db


@pytest.fixture
def db(fresh_db: Database, tmp_path: Path) -> Database:
    return build(fresh_db, tmp_path / "files")


def texts(db: Database, query: str, filters: Selection | None = None, **options) -> set[str]:
    """The texts of every hit."""
    return {hit.text for hit in search(db, query, filters, limit=None, **options).hits}


def segment_id(db: Database, fragment: str) -> int:
    return db.execute("SELECT id FROM segments WHERE text LIKE ?", [f"%{fragment}%"]).fetchone()[0]


# --- Danish matching -------------------------------------------------------------------------

def test_inflected_forms_match_through_lemmas(db):
    found = texts(db, "netværk")
    assert "Netværket er afgørende for os." in found
    assert any(t.startswith("Data bruges") for t in found)  # "netværkene"
    assert texts(db, "netværket") >= {"Hvordan arbejder I med borgerens nære netværk?",
                                      "Netværket er afgørende for os."}


def test_irregular_form_matches_through_lemma_and_kwic_points_at_it(db):
    result = search(db, "gå")
    hit = next(h for h in result.hits if "gik" in h.text)
    assert hit.kwic.match == "gik"
    assert hit.text[hit.kwic.start:hit.kwic.end] == "gik"


def test_compound_parts_are_found_and_can_be_switched_off(db):
    assert any("civilsamfundsaktørerne" in t for t in texts(db, "civilsamfund"))
    assert any("netværksmøder" in t for t in texts(db, "netværk"))
    whole = texts(db, "netværk", compounds=False)
    assert not any("netværksmøder" in t for t in whole)
    assert "Netværket er afgørende for os." in whole


def test_ae_oe_aa_are_distinct_letters(db):
    assert texts(db, "far") == {
        "Vi holder netværksmøder med familien, og min far var selv frivillig."}
    year = texts(db, "år")
    assert not any(" ar " in t for t in year)
    assert any("hvert år" in t for t in year)
    assert texts(db, "ar") == {"Vi har et ar efter den gamle it-løsning."}


@pytest.mark.parametrize("spelling", ["Aabenraa", "Åbenrå", "aabenraa"])
def test_aa_and_å_spellings_of_names_find_each_other(db, spelling):
    found = texts(db, spelling)
    assert any("Åbenrå" in t for t in found)
    assert any("Aabenraa" in t for t in found)


def test_phrase_matches_as_written_or_by_lemmas(db):
    assert texts(db, '"nære netværk"') == {"Hvordan arbejder I med borgerens nære netværk?"}
    assert texts(db, '"borgernes nære netværket"') == {
        "Hvordan arbejder I med borgerens nære netværk?"}
    assert texts(db, '"netværk nære"') == set()


def test_paragraph_sign_and_hyphenated_words(db):
    found = texts(db, "§ 18-midler")
    assert len(found) == 2 and all("18-midler" in t for t in found)


def test_boolean_operators_in_english_and_danish(db):
    both = texts(db, "netværk OG data")
    assert both == texts(db, "netværk AND data") == texts(db, "netværk data")
    assert all("netværk" in t.lower() and "data" in t.lower() for t in both) and both
    either = texts(db, "far ELLER ar")
    assert either == texts(db, "far OR ar") and len(either) == 2
    without = texts(db, "netværk IKKE borger")
    assert without == texts(db, "netværk NOT borger") == texts(db, "netværk AND NOT borger")
    assert not any("borger" in t.lower() for t in without) and without
    grouped = texts(db, "(far OR ar) AND (familien OR it)")
    assert len(grouped) == 2


def test_near_and_prefix(db):
    assert texts(db, "samarbejdet NEAR/2 civilsamfundet") == {
        "Samarbejdet med civilsamfundet fungerer godt, og § 18-midler hjælper."}
    assert texts(db, "samarbejdet NEAR/0 hjælper") == set()
    assert texts(db, "civil*") == texts(db, "civilsamfund")


def test_fuzzy_expands_misspellings_and_reports_them(db):
    assert search(db, "netværg").total == 0
    result = search(db, "netværg", fuzzy=True)
    assert result.total > 0
    assert "netværk" in result.expansions[0]["fuzzy"]
    fuzzy = search(db, "civilsamfunnet", fuzzy=True)
    assert "civilsamfundet" in fuzzy.expansions[0]["fuzzy"]
    assert any("civilsamfundet" in hit.text for hit in fuzzy.hits)


def test_expansions_can_be_dropped(db):
    result = search(db, "netværk", drop=["netværksmøder", "netværksmøde"])
    assert set(result.dropped) == {"netværksmøder", "netværksmøde"}
    assert "netværksmøder" not in result.expansions[0]["compounds"]
    assert not any("netværksmøder" in hit.text for hit in result.hits)


@pytest.mark.parametrize("query", [
    'netværk"', "(netværk", "netværk)", "AND", "netværk OR", "NOT netværk", "ne*tværk",
    '"', "NEAR/x", "a NEAR (b OR c)", "()", "§", '""', "OG ELLER", "netværk AND NOT",
])
def test_malformed_queries_raise_query_error(db, query):
    with pytest.raises(QueryError):
        search(db, query)


@pytest.mark.parametrize("query", [
    "^netværk", "text:netværk", "{text lemmas}: netværk", "netværk + data", "-netværk",
    "lemmas:data", "netværk AND", "NEAR(a b)", "col:\"x\"", "a'b", "***", "x' OR 1=1 --",
])
def test_fts5_syntax_never_reaches_sqlite(db, query):
    try:
        search(db, query)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    except sqlite3.Error as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"{query!r} reached SQLite: {exc}")


PLACES = (
    "Respondent;Kommune;Rolle;Bemærkninger\n"
    "R1;Randers;Socialchef;Vi samarbejder tæt med Randers Bibliotek.\n"
    "R2;Odense;Sagsbehandler;Der er sket en stor forandring i sektoren.\n"
    "R3;Aalborg;Tilbudsleder;Vores leverandør af it er skiftet, og leverandørerne er dyre.\n"
    "R4;Vejle;Socialchef;Huset ligger ved skovens rand.\n"
    "R5;Holbæk;Sagsbehandler;Frivilligcentret og frivilligkoordinatoren hjælper os.\n"
    "R6;Horsens;Konsulent;Vi har mange frivillige og en frivillig kasserer.\n"
)


@pytest.fixture
def places(fresh_db: Database, tmp_path: Path) -> Database:
    """Answers that hold Randers, rand and words that merely contain "rand"."""
    folder = tmp_path / "places"
    folder.mkdir()
    (folder / "places.csv").write_text(PLACES, "utf-8")
    assert not import_paths(fresh_db, [folder], ReadOptions()).failed
    return fresh_db


@pytest.mark.parametrize("query", ["Randers", "randers"])
def test_a_municipality_name_finds_only_that_municipality(places, query):
    result = search(places, query, limit=None)
    assert {hit.text for hit in result.hits} == {"Vi samarbejder tæt med Randers Bibliotek."}
    assert result.distribution.by_kommune.get("Randers") == 1 and result.total == 1
    assert result.expansions[0]["lemma"] == "" and result.expansions[0]["compounds"] == []


def test_a_word_is_not_found_inside_other_words(places):
    assert texts(places, "rand") == {"Huset ligger ved skovens rand."}
    assert texts(places, "leverandør") == {
        "Vores leverandør af it er skiftet, og leverandørerne er dyre."}


@pytest.mark.parametrize(("term", "part", "expected"), [
    ("netværkene", "netværk", True), ("netværksmøder", "netværk", True),
    ("familienetværket", "netværk", True), ("sundhedsfremme", "fremme", True),
    ("fagforeningsarbejde", "forening", True), ("frivilligkoordinator", "frivillig", True),
    ("forandring", "rand", False), ("leverandør", "rand", False),
    ("leverandørerne", "rand", False), ("ufrivillig", "frivillig", False),
])
def test_compounds_need_a_plausible_boundary(term, part, expected):
    assert is_compound_of(term, part) is expected


def test_capitalised_common_words_still_match_through_lemmas(db):
    assert texts(db, "Netværket") == texts(db, "netværket")
    assert any("netværksmøder" in t for t in texts(db, "Netværk"))


def test_fuzzy_neighbours_of_a_misspelling_bring_their_compounds(places):
    exact = texts(places, "frivillig")
    assert "Frivilligcentret og frivilligkoordinatoren hjælper os." in exact
    result = search(places, "frivilig", fuzzy=True, limit=None)
    assert {hit.text for hit in result.hits} >= exact
    assert "frivilligcentret" in result.expansions[0]["compounds"]


# --- filters -----------------------------------------------------------------------------

def kommuner(db: Database, query: str, **filters) -> set[str | None]:
    return {hit.kommune for hit in search(db, query, Selection(**filters), limit=None).hits}


def test_filter_by_kommune_accepts_spelling_variants(db):
    assert kommuner(db, "netværk", kommune=("Åbenrå",)) == {"Aabenraa"}
    assert kommuner(db, "netværk", kommune=("Kbh.",)) == {"København"}
    assert kommuner(db, "netværk", kommune=("101",)) == {"København"}
    assert kommuner(db, "netværk", kommune=("Aabenraa", "Odense")) == {"Aabenraa", "Odense"}


def test_filter_by_region_and_size(db):
    assert kommuner(db, "18 OR år", region=("Nordjylland",)) == {"Hjørring", "Læsø", "Aalborg"}
    assert kommuner(db, "18 OR år", region=("nord",), size=("stor",)) == {"Aalborg"}
    assert kommuner(db, "netværk", size=("mellemstor",)) == {"Aabenraa"}


def test_filter_by_kind_question_document(db):
    survey = search(db, "18", Selection(kind=("survey",)), limit=None)
    assert {h.kind for h in survey.hits} == {"survey"} and survey.total == 1
    assert survey.hits[0].question == "Bemærkninger"
    assert search(db, "18", Selection(question=("bemærkninger",))).total == 1
    assert search(db, "18", Selection(document=("Interview om netværk",))).total == 1


def test_filter_by_role_covers_speakers_and_survey_respondents(db):
    hits = search(db, "netværk OR civilsamfund OR 18", Selection(role=("socialchef",)),
                  limit=None).hits
    assert {h.role for h in hits} == {"Socialchef"}
    assert {h.kind for h in hits} == {"interview", "survey"}
    leaders = search(db, "18 OR år", Selection(role=("leder",)), limit=None).hits
    assert {h.role for h in leaders} == {"Myndighedsleder", "Tilbudsleder"}
    assert next(h for h in leaders if h.kind == "survey").respondent == "R3"


def test_filter_by_code_not_code_and_coder(db):
    meeting = segment_id(db, "netværksmøder")
    add_manual_coding(db, meeting, "netvaerk.moeder", "anna")
    add_manual_coding(db, segment_id(db, "Netværket er"), "netvaerk", "bo")
    coded = texts(db, "netværk", Selection(code=("netvaerk",)))
    assert len(coded) == 2  # the sub-code counts for its parent
    assert len(texts(db, "netværk", Selection(code=("netvaerk",), coder=("anna",)))) == 1
    assert len(texts(db, "netværk", Selection(coder=("bo",)))) == 1
    uncoded = texts(db, "netværk", Selection(not_code=("netvaerk",)))
    assert uncoded and not uncoded & coded
    assert texts(db, "netværk", Selection(not_code=("netvaerk",), coder=("anna",))) == \
        texts(db, "netværk") - texts(db, "netværk", Selection(coder=("anna",)))


@pytest.mark.parametrize("filters", [
    Selection(kommune=("Atlantis",)), Selection(region=("Skåne",)),
    Selection(size=("kæmpe",)), Selection(kind=("podcast",)),
    Selection(question=("findes ikke",)), Selection(role=("astronaut",)),
    Selection(code=("ukendt",)), Selection(not_code=("ukendt",)),
    Selection(document=("intet",)),
])
def test_unknown_filter_values_are_usage_errors(db, filters):
    with pytest.raises(UsageError):
        search(db, "netværk", filters)


# --- results -----------------------------------------------------------------------------

def test_hits_carry_citation_fields_and_kwic(db):
    hit = search(db, "civilsamfund", Selection(kind=("interview",))).hits[0]
    assert hit.kommune == "Hjørring" and hit.region == "Region Nordjylland"
    assert hit.size_class == "mellemstor" and hit.role == "Myndighedsleder"
    assert hit.speaker == "IP2" and hit.turn == 3 and hit.kind == "interview"
    document = db.execute("SELECT text FROM documents WHERE id = ?", [hit.document_id]).fetchone()
    assert document[0][hit.start:hit.end] == hit.text
    assert hit.kwic.match == "civilsamfundsaktørerne"
    assert document[0][hit.match_start:hit.match_end] == "civilsamfundsaktørerne"
    assert hit.kwic.left + hit.kwic.match + hit.kwic.right == hit.text
    assert "Myndighedsleder" in hit.citation() and "Hjørring" in hit.citation()


def test_distribution_counts_regions_sizes_and_municipalities(db):
    spread = distribution(db, "netværk")
    assert spread.total == search(db, "netværk").total
    assert spread.by_kommune[OUTSIDE] == 1  # the interviewer's question has no municipality
    assert spread.by_kommune["Aabenraa"] == 2
    assert spread.municipalities_mentioning == 3  # Aabenraa, København, Odense
    assert spread.by_region["Region Syddanmark"] == 3
    assert spread.by_region["Region Nordjylland"] == 0
    assert spread.municipalities_by_size["stor"] == (2, 7)
    assert sum(spread.by_region.values()) + spread.by_kommune[OUTSIDE] == spread.total


def test_paging_is_stable_and_complete(db):
    everything = [h.segment_id for h in search(db, "netværk OR år OR 18", limit=None).hits]
    pages = [search(db, "netværk OR år OR 18", limit=3, offset=o) for o in (0, 3, 6, 9)]
    assert [h.segment_id for page in pages for h in page.hits] == everything
    assert {page.total for page in pages} == {len(everything)}
    again = [h.segment_id for h in search(db, "netværk OR år OR 18", limit=None).hits]
    assert again == everything
    scores = [h.score for h in search(db, "netværk OR år OR 18", limit=None).hits]
    assert scores == sorted(scores)


def test_index_follows_deleted_documents(db):
    assert search(db, "kvartal").total == 1
    db.execute("DELETE FROM documents WHERE name = 'Interview om data'")
    assert search(db, "kvartal").total == 0


def test_code_hits_records_query_as_provenance_once(db):
    result = search(db, "civilsamfund", limit=None)
    ids = code_hits(db, result.hits, "civil", "anna", "civilsamfund")
    assert len(ids) == result.total == 2
    rows = db.execute("SELECT status, origin, coder, provenance FROM codings").fetchall()
    assert {(r[0], r[1], r[2]) for r in rows} == {("manual", "manual", "anna")}
    assert {json.loads(r[3])["search"] for r in rows} == {"civilsamfund"}
    assert code_hits(db, [h.segment_id for h in result.hits], "civil", "anna", "x") == ids
    with pytest.raises(UsageError):
        code_hits(db, result.hits, "ukendt", "anna", "civilsamfund")


# --- command line ------------------------------------------------------------------------

@pytest.fixture
def project(db_path: Path, tmp_path: Path) -> Path:
    build(open_db(db_path), tmp_path / "files").close()
    return db_path


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(project), "search", *args])


def test_cli_json_contract(project):
    result = run(project, "netværk", "--region", "Syddanmark", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"query", "total", "hits", "by_kommune", "by_region"} <= set(payload)
    assert payload["total"] == 3 and payload["by_kommune"] == {"Aabenraa": 2, "Odense": 1}
    assert {"document", "segment_id", "start", "end", "text", "kommune", "region"} <= \
        set(payload["hits"][0])


def test_cli_text_output_shows_kwic_and_distribution(project):
    result = run(project, "civilsamfund", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "2 hits for civilsamfund" in result.output
    assert "[civilsamfundsaktørerne]" in result.output or "[civilsamfundet]" in result.output
    assert "Municipalities mentioning it: 2 of 98" in result.output
    assert "--offset 1" in result.output


def test_cli_malformed_query_is_one_line_error(project, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["kvali", "--db", str(project), "search", "(netværk"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "never closed" in err and "Traceback" not in err


def test_cli_export_csv_and_xlsx_neutralise_formulas(project, tmp_path):
    csv_path, xlsx_path = tmp_path / "hits.csv", tmp_path / "hits.xlsx"
    assert run(project, "netværk", "--export", str(csv_path)).exit_code == 0
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5
    injected = next(r for r in rows if "HYPERLINK" in r["text"])
    assert injected["text"].startswith("'=HYPERLINK")
    assert run(project, "netværk", "--export", str(xlsx_path)).exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_path).active
    cells = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" and c.value.startswith("=") for c in cells)
    bad = run(project, "netværk", "--export", str(tmp_path / "hits.pdf"))
    assert bad.exit_code != 0


def test_cli_code_all_needs_a_coder_and_codes_every_hit(project):
    refused = CliRunner().invoke(cli, ["--db", str(project), "search", "netværk",
                                       "--code-all", "netvaerk"], standalone_mode=False)
    assert isinstance(refused.exception, UsageError)
    result = run(project, "netværk", "--code-all", "netvaerk", "--coder", "anna", "--limit",
                 "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["coded"]["segments"] == 5
    coded = run(project, "netværk", "--code", "netvaerk", "--coder", "anna", "--json")
    assert json.loads(coded.output)["total"] == 5


def test_vocabulary_cache_follows_imports_and_deletions(project, tmp_path):
    db = open_db(project)
    assert "zebraforeningerne" not in vocabulary(db)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "note.txt").write_text("Zebraforeningerne søger § 18-midler.\n", "utf-8")
    assert not import_paths(db, [folder], ReadOptions()).failed
    assert "zebraforeningerne" in vocabulary(db)
    assert search(db, "zebraforening").total == 1
    db.execute("DELETE FROM documents WHERE name LIKE 'note%'")
    assert "zebraforeningerne" not in vocabulary(db)
    assert search(db, "zebraforening").total == 0


def integrity_ok(db: Database) -> bool:
    db.execute("INSERT INTO segments_fts (segments_fts, rank) VALUES ('integrity-check', 1)")
    return True


def test_index_is_complete_after_import_and_follows_direct_writes(db):
    assert db.execute("SELECT count(*) FROM segments_fts_pending").fetchone()[0] == 0
    assert integrity_ok(db)
    document_id = db.execute("SELECT id FROM documents LIMIT 1").fetchone()[0]

    def add(seq: int, text: str, lemmas: str) -> int:
        return db.execute('INSERT INTO segments (document_id, seq, start, "end", text, lemmas) '
                          "VALUES (?, ?, 0, 5, ?, ?)", [document_id, seq, text, lemmas]).lastrowid

    written = add(900, "Kolibrier tæller.", "kolibri tælle")
    assert search(db, "kolibri").total == 1  # indexed by the search itself
    dropped = add(901, "Kolibrier igen.", "kolibri igen")
    db.execute("DELETE FROM segments WHERE id = ?", [dropped])  # never indexed: leaves the queue
    db.execute("UPDATE segments SET lemmas = 'pelikan tælle' WHERE id = ?", [written])
    assert search(db, "pelikan").total == 1 and search(db, "kolibri").total == 1
    db.execute("DELETE FROM segments WHERE id = ?", [written])
    assert search(db, "kolibri OR pelikan").total == 0
    assert integrity_ok(db)


@pytest.mark.parametrize(("query", "options"), [
    ("netværg", {"fuzzy": True}), ("netværg OR opfølgning", {"fuzzy": True}),
    ("civilsamfunnet IKKE netværg", {"fuzzy": True}), ("netværket", {}), ("frivilige", {})])
def test_ranking_without_absent_alternatives_keeps_hits_and_scores(db, query, options):
    """The expression that ranks leaves out alternatives no segment holds; every hit, score and
    count is what the full expression gives."""
    from kvali.search import prepare

    prepared = prepare(db, query, **options)
    result = search(db, query, limit=None, **options)
    full = db.execute("SELECT rowid, bm25(segments_fts, 1.0, 0.5) AS s FROM segments_fts "
                      "WHERE segments_fts MATCH ? ORDER BY s, rowid", [prepared.fts]).fetchall()
    assert [(hit.segment_id, hit.score) for hit in result.hits] == [tuple(row) for row in full]
    assert result.total == len(full)
    if options:
        assert prepared.match != prepared.fts and len(prepared.match) < len(prepared.fts)
