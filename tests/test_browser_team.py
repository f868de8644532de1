"""Two coders in two browser sessions, both blind, code the same interview in the reader; the
Enighed page then shows the figures and disagreements one can work out by hand.

Skipped when /usr/bin/chromium is missing, except under CI (CI set), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_support import build_project

from kvali.coders.blind import set_blind
from kvali.store import open_db
from kvali.ui.browser_drive import chromium, open_reader, require_browser, select_text, settle
from kvali.ui.server import running_app

pytestmark = pytest.mark.browser
DOCUMENT = "Gruppeinterview om netværk"


@pytest.fixture
def team(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    require_browser()
    path = build_project(tmp_path)
    db = open_db(path)
    for name in ("anne", "bo"):
        set_blind(db, name, True)
    db.close()
    with running_app(path, tmp_path / "streamlit.log") as url:
        yield url, path


def _segments(path: Path) -> tuple[int, list[tuple[int, int]]]:
    db = open_db(path, create=False)
    document_id = db.execute("SELECT id FROM documents WHERE name = ?", [DOCUMENT]).fetchone()[0]
    spans = db.execute('SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY seq',
                       [document_id]).fetchall()
    return document_id, spans


def _code(page, spans: list[tuple[int, int]], seq: int, coder: str) -> None:
    """Select most of segment SEQ and press 1 (the first code of the palette)."""
    start, end = spans[seq]
    mine = f'.kv-reader .kv-hl[title*="({coder})"]'
    before = page.locator(mine).count()
    select_text(page, start + 1, end - 2)
    page.keyboard.press("1")
    page.wait_for_function("([selector, before]) => document.querySelectorAll(selector).length "
                           "> before", arg=[mine, before], timeout=15_000)
    settle(page)


def test_two_blind_coders_and_the_agreement_page(team) -> None:
    url, path = team
    document_id, spans = _segments(path)
    with chromium() as browser:
        anne = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        bo = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_reader(anne, url, "anne", document_id, spans[0][0])
        for seq in (1, 2):
            _code(anne, spans, seq, "anne")
        open_reader(bo, url, "bo", document_id, spans[0][0])
        assert bo.locator(".kv-reader .kv-hl").count() == 0  # blind: Anne's work is hidden
        for seq in (1, 3):
            _code(bo, spans, seq, "bo")
        assert bo.locator('.kv-reader .kv-hl[title*="(anne)"]').count() == 0
        anne.get_by_role("link", name="Enighed").click()
        settle(anne)
        box = anne.locator('[data-testid="stMultiSelect"]').first
        for name in ("anne", "bo"):
            box.click()
            anne.get_by_role("option", name=name, exact=True).click()
            settle(anne)
        anne.get_by_text("Uenigheder (2)").wait_for(timeout=30_000)
        settle(anne)  # the figures are drawn in the same run; read them once it is over
        anne.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=30_000)
        metrics = dict(zip(anne.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
                           anne.locator('[data-testid="stMetricValue"]').all_inner_texts(),
                           strict=True))
        # Netværk on 5 segments: anne {1, 2}, bo {1, 3} → agree on 3 of 5; Cohen's κ =
        # (0.6 - 0.52) / (1 - 0.52), with p_e = 0.4·0.4 + 0.6·0.6.
        labelled = {label.strip(): value.strip() for label, value in metrics.items()}
        assert "60,0 %" in labelled.values()
        assert "0,167" in labelled.values()
        disagreements = anne.locator('[data-testid="stText"]').all_inner_texts()
        assert any("anne: kodet" in t and "bo: ikke kodet" in t for t in disagreements)
        assert any("anne: ikke kodet" in t and "bo: kodet" in t for t in disagreements)
