"""The app as a whole: navigation, Overblik, Søg, a missing or empty project, two sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_support import APP, no_failures, page_test, toasts

from kvali.coding.store import add_manual_coding
from kvali.store import open_db


def test_app_opens_on_the_overview_with_the_coder_in_the_sidebar(project: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    no_failures(at)
    assert at.title[0].value == "Overblik"
    assert at.sidebar.text_input(key="kvali.coder").value == ""
    assert "Skriv dit navn" in at.sidebar.caption[0].value
    assert at.session_state["kvali.project"] == str(project)
    at.sidebar.text_input(key="kvali.coder").input("Mette").run()
    assert at.session_state["kvali.coder"] == "Mette"


def test_overview_counts_and_charts(project: Path) -> None:
    at = page_test("overview")
    no_failures(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Dokumenter": "3", "Segmenter": "12", "Survey-svar": "3",
                       "Kommuner": "3 af 98"}
    assert len(at.get("vega_lite_chart")) == 4
    progress = at.dataframe[0].value
    assert progress.loc["forslag (automatisk)", "Forslag"] > 0


def test_overview_of_an_empty_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tom.db"
    open_db(path).close()
    monkeypatch.setenv("KVALI_DB", str(path))
    at = page_test("overview")
    no_failures(at)
    assert "Projektet er tomt" in at.info[0].value


@pytest.mark.parametrize("page", ["overview", "documents", "suggestions", "codebook", "importer",
                                  "search", "privacy", "agreement"])
def test_a_missing_project_is_a_message_not_a_traceback(
        page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVALI_DB", str(tmp_path / "findes-ikke.db"))
    at = page_test(page)
    assert not at.exception
    assert "Projektet kunne ikke åbnes" in at.error[0].value
    assert not (tmp_path / "findes-ikke.db").exists()


def test_search_shows_hits_in_context_and_codes_them(project: Path) -> None:
    at = page_test("search")
    no_failures(at)
    at.text_input(key="kvali.search.query").input("frivillig").run()
    no_failures(at)
    assert at.markdown[0].value.startswith("**4** hits i **3** af 98 kommuner")
    html = at.get("html")[-1].proto.body
    assert "<mark>frivillige</mark>" in html
    at.selectbox(key="kvali.search.code_key").set_value("civil")
    at.button(key="kvali.search.code_all").click().run()
    no_failures(at)
    assert toasts(at) == ["4 hits er kodet."]
    db = open_db(project, create=False)
    assert db.execute("SELECT count(*), min(provenance) FROM codings WHERE origin = 'manual' AND "
                      "code_key = 'civil' AND coder = 'mette'").fetchone() == (
        4, '{"search": "frivillig"}')


def test_a_malformed_query_is_explained(project: Path) -> None:
    at = page_test("search")
    at.text_input(key="kvali.search.query").input('"ikke lukket').run()
    assert not at.exception
    assert at.error and "1" in at.error[0].value


def test_two_sessions_see_each_others_work_and_lose_nothing(project: Path) -> None:
    mette = page_test("suggestions", coder="mette")
    jonas = page_test("suggestions", coder="jonas")
    assert mette.session_state["kvali.db"][1] is not jonas.session_state["kvali.db"][1]
    mette.button(key="kvali.review.accept").click().run()
    jonas.run()
    jonas.button(key="kvali.review.accept").click().run()
    mette.run()
    db = open_db(project, create=False)
    assert sorted(row[0] for row in db.execute(
        "SELECT coder FROM codings WHERE status = 'accepted'")) == ["jonas", "mette"]
    assert mette.caption[0].value == jonas.caption[0].value


def test_each_rerun_gets_a_fresh_connection(project: Path) -> None:
    at = page_test("overview")
    first = at.session_state["kvali.db"][1]
    at.run()
    assert at.session_state["kvali.db"][1] is not first


def test_analysis_views_follow_the_data(project: Path) -> None:
    at = page_test("analysis")
    no_failures(at)
    at.selectbox(key="kvali.analysis.measure").set_value("segments").run()
    table = at.dataframe[0].value
    assert "netvaerk" in set(table.iloc[:, 0])
    before = table.to_dict()
    db = open_db(project)
    segment = db.execute("SELECT id FROM segments WHERE text LIKE '%frivillig%' LIMIT 1"
                         ).fetchone()[0]
    add_manual_coding(db, segment, "paragraf18", "mette")
    db.close()
    at.run()
    assert at.dataframe[0].value.to_dict() != before, "a new coding must not hit a stale cache"
