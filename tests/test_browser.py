"""End to end in a real browser: Playwright drives Debian's Chromium against `streamlit run app.py`
on a demo-like project. Open a document, code a segment, see the highlight, accept a suggestion;
and a transcript holding `<script>` renders as text while nothing executes.

Skipped when /usr/bin/chromium is missing, except under CI (CI set), where that is a failure.
Screenshots go to $KVALI_SCREENSHOTS when set, else tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_support import APP, HOSTILE, build_project

from kvali.demo import CODEBOOK, CORPUS, build_demo
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.views.codes import code_tree

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CODER = "Mette Browser"


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


def _build(folder: Path) -> Path:
    """The demo project when corpus/ and codebook.yaml are here, else the small fixture; plus a
    hostile transcript."""
    if CORPUS.is_dir() and CODEBOOK.is_file():
        path = folder / "demo.db"
        build_demo(path, echo=lambda _: None)
    else:
        path = build_project(folder)
    hostile = folder / "hostile"
    hostile.mkdir(parents=True, exist_ok=True)
    (hostile / "xss.md").write_text(HOSTILE.replace("Interview med mærkelige tegn",
                                                    "XSS-prøve"), encoding="utf-8")
    db = open_db(path)
    report = import_paths(db, [hostile / "xss.md"], ReadOptions(kind="interview"))
    assert not report.failed, report.failed
    db.close()
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    _require_browser()
    folder = tmp_path_factory.mktemp("browser")
    path = _build(folder)
    port = _free_port()
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        env={**os.environ, "KVALI_DB": str(path)}, stdout=log, stderr=subprocess.STDOUT,
        cwd=folder)
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
        yield url, path
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(server: tuple[str, Path]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: tuple[str, Path]) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()


@pytest.fixture
def shots() -> Path:
    folder = Path(os.environ.get("KVALI_SCREENSHOTS") or Path(__file__).parent / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
    page.wait_for_timeout(300)


def open_page(page, url: str, path: str) -> None:
    page.goto(f"{url}/{path}")
    coder = page.locator('[data-testid="stSidebar"] input[aria-label="Koder"]')
    coder.wait_for(timeout=30_000)
    coder.fill(CODER)
    coder.press("Enter")
    settle(page)


def choose(page, label: str, text: str) -> None:
    """Pick an option of a selectbox by typing part of its label."""
    box = page.locator(f'[data-testid="stSelectbox"] input[aria-label^="{label}"]')
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.wait_for()
    page.keyboard.press("Enter")
    settle(page)


def test_open_a_document_code_a_segment_and_see_the_highlight(page, server, shots) -> None:
    url, path = server
    db = open_db(path, create=False)
    code = code_tree(db)[0]
    open_page(page, url, "dokumenter")
    segments = page.locator('[data-testid="stMultiSelect"]').first
    segments.scroll_into_view_if_needed()
    segments.click()
    page.get_by_role("option").nth(1).click()
    page.keyboard.press("Escape")
    settle(page)
    choose(page, "Kode", code.name)
    page.get_by_role("button", name="Anvend kode").click()
    settle(page)
    mark = page.locator(f'span.kv-hl[title*="{code.name} ({CODER})"]')
    mark.first.wait_for(timeout=15_000)
    assert mark.first.is_visible()
    assert "kodet med" in page.locator('[data-testid="stToast"]').first.inner_text()
    page.screenshot(path=str(shots / "dokumenter.png"))
    rows = db.execute("SELECT code_key, coder, status FROM codings WHERE origin = 'manual'"
                      ).fetchall()
    assert rows == [(code.key, CODER, "manual")]


def test_accept_a_suggestion(page, server, shots) -> None:
    url, path = server
    db = open_db(path, create=False)
    first = db.execute("SELECT min(id) FROM codings WHERE status = 'suggested'").fetchone()[0]
    open_page(page, url, "forslag")
    page.get_by_role("button", name="Acceptér").first.wait_for()
    page.screenshot(path=str(shots / "forslag.png"))
    page.get_by_role("button", name="Acceptér").first.click()
    settle(page)
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [first]).fetchone() == ("accepted", CODER)


def test_a_script_in_a_transcript_is_text_and_never_runs(page, server, shots) -> None:
    url, _ = server
    open_page(page, url, "dokumenter")
    choose(page, "Læs dokument", "XSS-prøve")
    literal = page.get_by_text("<script>window.__xss=1</script>", exact=False)
    literal.first.wait_for(timeout=15_000)
    assert literal.first.is_visible()
    assert page.get_by_text("[vores side](javascript:alert(1))", exact=False).first.is_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('.kv-doc script, .kv-doc img, "
                         ".kv-doc a').length") == 0
    assert page.dialogs == []
    literal.first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "xss.png"))


def test_overview_renders_charts(page, server, shots) -> None:
    url, _ = server
    open_page(page, url, "")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    page.locator("canvas, svg.marks").first.wait_for(timeout=15_000)
    settle(page)
    page.screenshot(path=str(shots / "overblik.png"), full_page=True)
    assert page.get_by_role("heading", name="Overblik").is_visible()
