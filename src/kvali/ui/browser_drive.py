"""Driving the workbench in headless Chromium with Playwright: what the browser tests and the
browser benchmarks share. Playwright (like pytest) is a test extra, so it is imported only inside
the functions that need it (`chromium()`, `browser_missing()`, `require_browser()`); the others
take a Playwright page and need nothing but it."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000

# Where on the screen the character at a document offset is: the left edge of the first
# character of a selection ('start') or the right edge of the last one ('end'). Offsets count
# Python code points; the piece spans carry them in data-s / data-e.
POINT_JS = """([offset, side]) => {
  for (const piece of document.querySelectorAll('.kv-reader .kv-p')) {
    const s = Number(piece.dataset.s), e = Number(piece.dataset.e);
    if (side === 'start' ? !(s <= offset && offset < e) : !(s < offset && offset <= e)) continue;
    const node = piece.firstChild, chars = Array.from(node.data);
    const units = (n) => chars.slice(0, n).join('').length;  // code points -> UTF-16 units
    const index = side === 'start' ? offset - s : offset - s - 1;
    const range = document.createRange();
    range.setStart(node, units(index));
    range.setEnd(node, units(index + 1));
    const box = range.getClientRects()[0];
    return [side === 'start' ? box.left + 1 : box.right - 1, box.top + box.height / 2];
  }
  return null;
}"""

SCROLL_JS = """([offset]) => {
  const piece = [...document.querySelectorAll('.kv-reader .kv-p')].find(
    (p) => Number(p.dataset.s) <= offset && offset < Number(p.dataset.e));
  if (!piece) return false;
  piece.scrollIntoView({block: 'center'});
  return true;
}"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (no Chromium, no playwright), or None."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def require_browser() -> None:
    """For a pytest test: skip it when `browser_missing()` gives a reason, fail it instead under
    CI (CI set). pytest is imported only here."""
    import pytest

    missing = browser_missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI is set but {missing}")
    if missing:
        pytest.skip(missing)


@contextmanager
def chromium(**launch: Any) -> Iterator[Any]:
    """Headless Chromium (CHROMIUM with CHROMIUM_ARGS) under Playwright; closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             **launch)
        try:
            yield browser
        finally:
            browser.close()


def settle(page: Any, timeout: int = TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout)
    page.wait_for_timeout(300)


def open_page(page: Any, url: str, path: str, coder: str, timeout: int = TIMEOUT_MS) -> None:
    """Open the page PATH ("" for Overblik) as CODER (the sidebar's Koder field)."""
    page.goto(f"{url}/{path}?koder={urllib.parse.quote_plus(coder)}")
    field = page.locator('[data-testid="stSidebar"] input[aria-label="Koder"]')
    field.wait_for(timeout=timeout)
    if field.input_value() != coder:
        field.fill(coder)
        field.press("Enter")
    settle(page, timeout)


def open_reader(page: Any, url: str, coder: str, document_id: int, start: int,
                end: int | None = None, timeout: int = TIMEOUT_MS) -> None:
    """Open the Dokumenter reader at [START, END) of a document through the link the other pages
    use (/dokumenter?koder=…&dokument=…&fra=…&til=…)."""
    query = urllib.parse.urlencode({"koder": coder, "dokument": document_id, "fra": start,
                                    "til": start if end is None else end})
    page.goto(f"{url}/dokumenter?{query}")
    page.locator(".kv-reader .kv-p").first.wait_for(timeout=timeout)
    settle(page, timeout)


def select_text(page: Any, start: int, end: int, timeout: int = TIMEOUT_MS) -> None:
    """Drag the mouse over document offsets [START, END) in the reader (both ends on the reader
    page) and wait for the code palette."""
    page.locator(".kv-reader .kv-p").first.wait_for(timeout=timeout)
    for offset in (start, end - 1):
        if not page.evaluate(SCROLL_JS, [offset]):
            raise ValueError(f"offset {offset} is not on the reader page")
    page.wait_for_timeout(100)  # let the scroll event (which closes the palette) pass
    first = page.evaluate(POINT_JS, [start, "start"])
    last = page.evaluate(POINT_JS, [end, "end"])
    page.mouse.move(*first)
    page.mouse.down()
    page.mouse.move(*last, steps=8)
    page.mouse.up()
    page.locator(".kv-palette").wait_for(state="visible", timeout=10_000)
