"""End to end in a real browser: Playwright drives Debian's Chromium against `streamlit run app.py`
on a demo-like project. Open a document, code a segment, see the highlight, accept a suggestion;
and a transcript holding `<script>` renders as text while nothing executes.

Skipped when /usr/bin/chromium is missing, except under CI (CI set), where that is a failure.
Screenshots go to $KVALI_SCREENSHOTS when set, else tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_support import CODEBOOK as UI_CODEBOOK
from test_ui_support import HOSTILE, NETWORK, build_project

from kvali.coding.spans import snap_to_words
from kvali.demo import CODEBOOK, CORPUS, build_demo
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.ui.browser_drive import (
    chromium,
    open_page,
    open_reader,
    require_browser,
    select_text,
    settle,
)
from kvali.ui.server import running_app
from kvali.views.codes import code_tree

pytestmark = pytest.mark.browser

CODER = "Mette Browser"


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
    require_browser()
    folder = tmp_path_factory.mktemp("browser")
    path = _build(folder)
    with running_app(path, folder / "streamlit.log") as url:
        yield url, path


@pytest.fixture(scope="module")
def browser(server: tuple[str, Path]) -> Iterator[object]:
    with chromium() as launched:
        yield launched


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


def _document(path: Path, name: str) -> tuple[int, str, list[tuple[int, int]]]:
    db = open_db(path, create=False)
    document_id, text = db.execute("SELECT id, text FROM documents WHERE name = ?",
                                   [name]).fetchone()
    spans = db.execute('SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY seq',
                       [document_id]).fetchall()
    return document_id, text, spans


def _manual(path: Path, document_id: int) -> list[tuple[int, int, str]]:
    return open_db(path, create=False).execute(
        'SELECT start, "end", code_key FROM codings WHERE origin = \'manual\' AND document_id = ? '
        "AND coder = ? ORDER BY id", [document_id, CODER]).fetchall()


def test_select_part_of_a_sentence_with_the_mouse_and_press_a_code(page, server, shots) -> None:
    url, path = server
    document_id, text, spans = _document(path, "XSS-prøve")
    start, end = spans[2]  # "Og et billede <img …> ved siden af."
    word = text.index("billede", start)
    open_reader(page, url, CODER, document_id, start, start)
    first_code = code_tree(open_db(path, create=False))[0]
    select_text(page, word + 2, word + 11)  # from inside "billede" into "<img"
    palette = page.locator(".kv-palette")
    assert "billede <img" in palette.locator(".kv-pal-head").inner_text()
    page.screenshot(path=str(shots / "kodepalet.png"))
    page.keyboard.press("1")
    mark = page.locator(f'.kv-reader .kv-hl[title*="{first_code.name} ({CODER})"]')
    mark.first.wait_for(timeout=15_000)
    settle(page)
    [(s, e, key)] = _manual(path, document_id)
    assert text[s:e] == "billede <img" and key == first_code.key
    assert page.evaluate("document.getSelection().isCollapsed")
    assert not palette.is_visible()
    mark.first.click()
    settle(page)
    assert page.get_by_text("Kodninger på markeringen").first.is_visible()
    assert page.get_by_text("kodet i hånden").first.is_visible()
    page.screenshot(path=str(shots / "dokumenter.png"))


def test_select_across_two_segments_and_pick_a_code_from_the_palette(page, server) -> None:
    url, path = server
    document_id, text, spans = _document(path, "XSS-prøve")
    open_reader(page, url, CODER, document_id, spans[0][0], spans[0][0])
    tree = code_tree(open_db(path, create=False))
    code = tree[-1]
    select_text(page, spans[0][0] + 4, spans[1][0] + 7)  # "…står" ends inside a word
    page.keyboard.type(code.name[:5])
    page.locator(".kv-pal-item").filter(has_text=code.name).first.click()
    page.locator(f'.kv-reader .kv-hl[title*="{code.name} ({CODER})"]').first.wait_for(
        timeout=15_000)
    settle(page)
    rows = [row for row in _manual(path, document_id) if row[2] == code.key]
    assert len(rows) == 1
    s, e, _ = rows[0]
    assert spans[0][0] <= s < spans[0][1] and spans[1][0] < e <= spans[1][1]
    assert (s, e) == snap_to_words(text, spans[0][0] + 4, spans[1][0] + 7)


def test_select_words_and_mark_them_as_personal_data(page, server) -> None:
    url, path = server
    document_id, text, spans = _document(path, "XSS-prøve")
    start = text.index("feltet", spans[1][0])
    open_reader(page, url, CODER, document_id, start, start)
    select_text(page, start + 1, start + 4)
    page.locator(".kv-pal-pii-type", has_text="Navn").click()
    page.get_by_text("Markeret som personoplysning").first.wait_for(timeout=15_000)
    db = open_db(path, create=False)
    assert db.execute('SELECT start, "end", type, status FROM pii_findings '
                      "WHERE document_id = ?", [document_id]).fetchall() == [
        (start, start + len("feltet"), "name", "confirmed")]


def test_a_search_hit_opens_the_reader_at_the_hit(page, server, shots) -> None:
    url, path = server
    open_page(page, url, "soeg", CODER)
    query = page.locator('input[aria-label="Søgning"]')
    query.fill("billede")
    query.press("Enter")
    settle(page)
    page.get_by_role("link", name="Åbn i læseren").first.click()
    focus = page.locator(".kv-reader .kv-focus")
    focus.first.wait_for(timeout=30_000)
    settle(page)
    assert focus.first.inner_text().lower().startswith("billede")
    box, view = focus.first.bounding_box(), page.locator(".kv-scroll").bounding_box()
    assert view["y"] <= box["y"] <= view["y"] + view["height"]
    page.screenshot(path=str(shots / "soegning-til-laeser.png"))


def test_accept_a_suggestion(page, server, shots) -> None:
    url, path = server
    db = open_db(path, create=False)
    first = db.execute("SELECT min(id) FROM codings WHERE status = 'suggested'").fetchone()[0]
    open_page(page, url, "forslag", CODER)
    page.get_by_role("button", name="Acceptér").first.wait_for()
    page.screenshot(path=str(shots / "forslag.png"))
    page.get_by_role("button", name="Acceptér").first.click()
    settle(page)
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [first]).fetchone() == ("accepted", CODER)


def test_a_script_in_a_transcript_is_text_and_never_runs(page, server, shots) -> None:
    url, path = server
    document_id, _, spans = _document(path, "XSS-prøve")
    open_reader(page, url, CODER, document_id, spans[0][0], spans[0][0])
    literal = page.locator(".kv-reader").get_by_text("<script>window.__xss=1</script>",
                                                     exact=False)
    literal.first.wait_for(timeout=15_000)
    assert literal.first.is_visible()
    reader = page.locator(".kv-reader")
    assert "<img src=x onerror=" in reader.inner_text()
    assert "[vores side](javascript:alert(1))" in reader.inner_text()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('.kv-reader script, .kv-reader img, "
                         ".kv-reader a').length") == 0
    assert page.dialogs == []
    literal.first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "xss.png"))


def test_overview_renders_charts(page, server, shots) -> None:
    url, _ = server
    open_page(page, url, "", CODER)
    page.locator('[data-testid="stMetric"]').first.wait_for()
    page.locator("canvas, svg.marks").first.wait_for(timeout=15_000)
    settle(page)
    page.screenshot(path=str(shots / "overblik.png"), full_page=True)
    assert page.get_by_role("heading", name="Overblik").is_visible()
    assert page.get_by_role("button", name="Deploy").count() == 0
    page.locator('[data-testid="stMainMenu"]').click()
    menu = page.locator('[data-testid="stMainMenuPopover"]')
    menu.wait_for(timeout=5_000)
    assert "Clear cache" not in menu.inner_text() and "Rerun" not in menu.inner_text()
    page.keyboard.press("Escape")


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server whose project file does not exist yet."""
    require_browser()
    with running_app(tmp_path / "opfoelgning.db", tmp_path / "streamlit.log") as url:
        yield url, tmp_path


def test_create_a_project_import_load_a_codebook_and_tag_from_the_app_alone(
        browser, empty_server, shots) -> None:
    url, folder = empty_server
    files = folder / "filer"
    files.mkdir()
    (files / "netvaerk.md").write_text(NETWORK, encoding="utf-8")
    (files / "codebook.yaml").write_text(UI_CODEBOOK, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", name="Kom i gang med kvali").wait_for(timeout=30_000)
    page.locator('input[aria-label="Koder"]').fill(CODER)
    page.locator('input[aria-label="Koder"]').press("Enter")
    page.locator('input[aria-label="Projektets navn"]').fill("opfoelgning")
    page.locator('input[aria-label="Mappe"]').fill(str(folder))
    page.locator('input[aria-label="Mappe"]').press("Enter")
    settle(page)
    page.get_by_role("button", name="Opret projekt").click()
    page.get_by_role("heading", name="Overblik").wait_for(timeout=30_000)
    page.get_by_role("link", name="Importér").click()
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(files / "netvaerk.md"))  # the page's first uploader; the .qdpx one is further down
    settle(page)
    page.get_by_role("button", name="Importér", exact=True).click()
    settle(page)
    page.get_by_role("link", name="Kodebog").click()
    settle(page)
    shown = page.evaluate("""() => [
      '[data-testid="stFileUploaderDropzone"] button p',
      '[data-testid="stFileUploaderDropzoneInstructions"] span'].map((selector) => {
        const node = document.querySelector(selector);
        return [getComputedStyle(node).fontSize, getComputedStyle(node, '::after').content];
      })""")
    assert shown == [["0px", '"Vælg filer"'],
                     ["0px", '"Træk filerne hertil, eller vælg dem (højst 200 MB pr. fil)"']]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(files / "codebook.yaml"))
    settle(page)
    page.get_by_role("button", name="Indlæs den uploadede kodebog").click()
    settle(page)
    page.get_by_role("button", name="Kør automatisk kodning").click()
    page.get_by_text("nye forslag").first.wait_for(timeout=90_000)  # tagging under load
    page.screenshot(path=str(shots / "kodebog-tagget.png"))
    db = open_db(folder / "opfoelgning.db", create=False)
    assert db.execute("SELECT name FROM documents").fetchall() == [
        ("Gruppeinterview om netværk",)]
    assert db.execute("SELECT count(*) FROM codes").fetchone()[0] >= 3
    assert db.execute("SELECT count(*) FROM codings WHERE status = 'suggested'").fetchone()[0] > 0
    assert (folder / "codebook.yaml").read_text(encoding="utf-8") == UI_CODEBOOK
    context.close()
