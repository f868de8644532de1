"""Log-in in the app: a project with users shows only the log-in form until a right name and
password are given; the logged-in user is the coder; a reader's coding is refused by the
function itself and leaves the database unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_search import page_hash
from test_ui_support import APP, no_failures

from kvali.access import users as users_module
from kvali.access.throttle import Throttle
from kvali.access.users import add_user
from kvali.store import open_db

PASSWORD = "hemmeligt-ord-1"
K = "kvali.login."


@pytest.fixture(autouse=True)
def fresh_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """No failed log-ins counted from other tests (the limit lives in process memory)."""
    monkeypatch.setattr(users_module, "LOG_INS", Throttle())


@pytest.fixture
def staffed(project: Path) -> Path:
    """The UI test project with an admin and a reader."""
    db = open_db(project)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "lis", "reader", PASSWORD)
    db.close()
    return project


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60).run()


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key=K + "name").input(name)
    at.text_input(key=K + "password").input(password)
    [button] = [b for b in at.button if b.label == "Log ind"]
    return button.click().run()


def _only_the_form(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Log ind"]
    assert [t.label for t in at.text_input] == ["Brugernavn", "Adgangskode"]
    assert not at.sidebar.children
    assert not at.metric and not at.get("dataframe") and not at.selectbox


def _codings(path: Path) -> list[tuple]:
    return open_db(path, create=False).execute("SELECT * FROM codings ORDER BY id").fetchall()


def test_with_users_the_app_shows_only_the_log_in_form(staffed: Path) -> None:
    _only_the_form(_app())


def test_a_wrong_password_is_a_danish_error_and_no_page(staffed: Path) -> None:
    at = _log_in(_app(), "anne", "forkert-ord")
    assert [e.value for e in at.error] == ["Forkert brugernavn eller adgangskode."]
    _only_the_form(at)
    at = _log_in(at, "ingen", PASSWORD)
    assert [e.value for e in at.error] == ["Forkert brugernavn eller adgangskode."]


def test_the_fourth_wrong_password_is_refused_with_a_wait(staffed: Path) -> None:
    at = _app()
    for _ in range(3):
        at = _log_in(at, "anne", "forkert-ord")
    at = _log_in(at, "anne", PASSWORD)
    assert [e.value for e in at.error] == ["For mange forkerte forsøg. Vent 2 sekunder, og prøv "
                                           "igen."]
    _only_the_form(at)


def test_the_right_password_opens_the_workbench_as_that_coder(staffed: Path) -> None:
    at = _log_in(_app(), "anne", PASSWORD)
    no_failures(at)
    assert at.title[0].value != "Log ind"
    assert [m.value for m in at.sidebar.markdown] == ["Logget ind som anne (administrator)"]
    assert not [t for t in at.text_input if t.label == "Koder"]
    [log_out] = [b for b in at.sidebar.button if b.label == "Log ud"]
    _only_the_form(log_out.click().run())


def test_a_reader_sees_the_project_but_accepting_a_suggestion_is_refused(staffed: Path) -> None:
    at = _log_in(_app(), "lis", PASSWORD)
    assert [m.value for m in at.sidebar.markdown] == ["Logget ind som lis (læser)"]
    assert [b for b in at.sidebar.button if b.label == "Skift projekt"][0].disabled
    at._page_hash = page_hash(at, "forslag")
    at.run()
    assert at.title[0].value == "Forslag"
    before = _codings(staffed)
    at.button(key="kvali.review.accept").click().run()
    assert [e.value for e in at.error] == [
        "Du har kun læseadgang til projektet og kan ikke kode, behandle forslag eller skrive "
        "memoer."]
    assert _codings(staffed) == before


def test_a_user_removed_while_logged_in_is_logged_out(staffed: Path) -> None:
    at = _log_in(_app(), "lis", PASSWORD)
    db = open_db(staffed)
    db.execute("DELETE FROM users WHERE name = 'lis'")
    db.conn.commit()
    _only_the_form(at.run())


def test_without_users_the_coder_box_stays(project: Path) -> None:
    at = _app()
    no_failures(at)
    assert [t.label for t in at.sidebar.text_input] == ["Koder"]
    assert not at.sidebar.markdown or "Logget ind" not in at.sidebar.markdown[0].value
