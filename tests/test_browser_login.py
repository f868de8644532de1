"""Log-in end to end in a real browser: Playwright drives Debian's Chromium against `kvali app`
on a project with users. Nothing shows before a log-in, wrong passwords are slowed down, and a
reader who selects words in the Dokumenter reader and presses a code is refused with the
database unchanged.

Skipped when /usr/bin/chromium is missing, except under CI (CI set), where that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_ui_support import build_project

from kvali.access.users import add_user
from kvali.store import open_db

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "hemmeligt-ord-1"
WRONG = "Forkert brugernavn eller adgangskode."


def _require_browser() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed"
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI is set but {missing}")
    if missing:
        pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(folder: Path, path: Path) -> Iterator[str]:
    """`kvali app` on the project PATH; yields its URL once it answers."""
    port = _free_port()
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "kvali.cli", "app", "--db", str(path), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "streamlit.log").read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    _require_browser()
    folder = tmp_path_factory.mktemp("browser_login")
    path = build_project(folder)
    db = open_db(path)
    add_user(db, "anne", "admin", PASSWORD)
    add_user(db, "lis", "reader", PASSWORD)
    db.close()
    with _serve(folder, path) as url:
        yield url, path


@pytest.fixture
def page(server: tuple[str, Path]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield tab
        browser.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
    page.wait_for_timeout(300)


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
        assert page.get_by_text(WRONG).is_visible()
    log_in(page, "anne", PASSWORD)  # the right password, but too soon
    assert page.get_by_text("For mange forkerte forsøg").is_visible()
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
    piece = page.locator(".kv-reader .kv-p").nth(2)
    piece.wait_for(timeout=30_000)
    box = piece.bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + min(box["width"] - 2, 120), box["y"] + box["height"] / 2,
                    steps=8)
    page.mouse.up()
    page.locator(".kv-palette").wait_for(state="visible", timeout=10_000)
    page.keyboard.press("1")
    settle(page)
    page.get_by_text("Du har kun læseadgang til projektet").first.wait_for(timeout=15_000)
    assert _codings(path) == before
