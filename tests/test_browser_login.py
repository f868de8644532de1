"""Log-in end to end in a real browser: Playwright drives Debian's Chromium against `kvali app`
on a project with users. Nothing shows before a log-in, wrong passwords are slowed down, and a
reader who selects words in the Dokumenter reader and presses a code is refused with the
database unchanged.

Skipped when /usr/bin/chromium is missing, except under CI (CI set), where that is a failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_support import build_project

from kvali.access.users import add_user
from kvali.store import open_db
from kvali.ui.browser_drive import chromium, require_browser, select_text, settle
from kvali.ui.server import running_app

pytestmark = pytest.mark.browser

PASSWORD = "hemmeligt-ord-1"
WRONG = "Forkert brugernavn eller adgangskode."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    require_browser()
    folder = tmp_path_factory.mktemp("browser_login")
    path = build_project(folder)
    db = open_db(path)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "lis", "reader", PASSWORD)
    db.close()
    with running_app(path, folder / "streamlit.log") as url:
        yield url, path


@pytest.fixture
def page(server: tuple[str, Path]) -> Iterator[object]:
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1400, "height": 1000})


def log_in(page, name: str, password: str) -> float:
    """Fill in and send the log-in form; returns the seconds until the answer was shown."""
    field = page.locator('input[aria-label="Brugernavn"]')
    field.wait_for(timeout=30_000)
    field.fill(name)
    page.locator('input[aria-label="Adgangskode"]').fill(password)
    started = time.monotonic()
    page.get_by_role("button", name="Log ind").click()
    settle(page)
    return time.monotonic() - started


def _codings(path: Path) -> list[tuple]:
    return open_db(path, create=False).execute("SELECT * FROM codings ORDER BY id").fetchall()


def test_nothing_shows_before_a_log_in_and_the_fourth_wrong_try_is_refused(page, server
                                                                           ) -> None:
    url, _ = server
    page.goto(f"{url}/dokumenter")
    page.locator('input[aria-label="Brugernavn"]').wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_role("button", name="Log ind").is_visible()
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator(".kv-reader").count()
    assert not page.get_by_text("Gruppeinterview om netværk").count()
    for _ in range(3):
        log_in(page, "anne", "forkert-ord")
        page.get_by_text(WRONG).wait_for(timeout=30_000)
    log_in(page, "anne", PASSWORD)  # the right password, but too soon
    page.get_by_text("For mange forkerte forsøg").wait_for(timeout=30_000)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    page.wait_for_timeout(2_500)
    log_in(page, "anne", PASSWORD)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Logget ind som anne (administrator)").wait_for(timeout=15_000)


def test_a_reader_cannot_code_in_the_reader(page, server) -> None:
    url, path = server
    page.goto(url)
    log_in(page, "lis", PASSWORD)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Logget ind som lis (læser)").wait_for(timeout=15_000)
    page.get_by_role("link", name="Dokumenter").click()
    settle(page)
    before = _codings(path)
    page.locator(".kv-reader .kv-p").first.wait_for(timeout=30_000)
    start = page.evaluate("""() => Number([...document.querySelectorAll('.kv-reader .kv-p')]
      .find((piece) => piece.textContent.trim().length >= 12).dataset.s)""")
    select_text(page, start + 1, start + 8)
    page.keyboard.press("1")
    settle(page)
    page.get_by_text("Du har kun læseadgang til projektet").first.wait_for(timeout=15_000)
    assert _codings(path) == before
