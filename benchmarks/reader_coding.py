"""Click-to-settled time in the browser for select-and-code in the reader on the 1M-word project.

    python benchmarks/reader_coding.py [--repeat 10] [--words 1000000]

Runs `kvali app` on a throw-away copy of the project ui_latency.py prepares (the 1M-word project,
tagged, plus the 5,000-segment transcript "Meget langt interview") and drives headless Chromium
(/usr/bin/chromium) with Playwright. For two cases, a page of the long transcript and the first
page of one of the project's normal interviews, the reader is opened through its link
(/dokumenter?koder=…&dokument=…&fra=…&til=…); then 1 warm-up plus REPEAT times: drag the mouse
from inside the second to inside the fourth word of a new segment (segments spread over the
page), wait for the code palette, and press "1" (the palette's first code). Measured in the page
from the key press ("1" keydown) to:

  highlight  the new highlight (`.kv-reader .kv-hl` with the title "<code> (<coder>)" over the
             selected words) is in the DOM;
  settled    that highlight is there AND the rerun is over: Streamlit's status widget
             ([data-testid="stStatusWidget"]) is not showing (absent, or in its 200 ms fade-out
             after the run ended) and stApp's script state is "notRunning", and it stays so for
             0.3 s (the time is when it became so).

Streamlit only shows the status widget when a rerun takes longer than 0.5 s, so the script state
is what catches the end of a shorter one. Afterwards the database must hold exactly REPEAT + 1
manual codings per case by the benchmark coder, each the dragged words snapped to whole words,
inside its segment; anything else ends the run with an error. The copy is deleted at the end,
so reruns start from the same project. The server's own time for the same coding (no browser)
is the row "code a selection (reader)" of `python benchmarks/ui_latency.py`.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

import streamlit
from ui_latency import prepare, report

from kvali.coding.spans import snap_to_words
from kvali.store import open_db
from kvali.ui.browser_drive import chromium, open_reader, select_text
from kvali.ui.server import running_app

CODER = "reader-bench"
PER_PAGE = 200  # segments per reader page, as kvali.ui.pages.documents shows them
LONG_PAGE = 12  # 0-based: segments 2,401–2,600 of the long transcript
QUIET_MS = 300
TIMEOUT_MS = 60_000

# Arm the clock: the "1" keydown starts it (window, capture phase: before the reader sees the
# key); every DOM change and a 4 ms tick check the state; window.__kvBench resolves with the
# milliseconds from the key press to the highlight and to "settled".
ARM_JS = """([label, start, end, quiet, timeout]) => {
  let pressed = null, shown = null, since = null;
  const highlight = () => [...document.querySelectorAll('.kv-reader .kv-hl')].some(
    (p) => (p.title || '').includes(label)
      && Number(p.dataset.s) < end && Number(p.dataset.e) > start);
  const idle = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const widget = document.querySelector('[data-testid="stStatusWidget"]');
    return !widget || widget.classList.contains('StatusWidget-exit')
      || !widget.getClientRects().length;
  };
  window.__kvBench = new Promise((resolve, reject) => {
    let observer = null, tick = null;
    const finish = (value, error) => {
      observer.disconnect();
      clearInterval(tick);
      window.removeEventListener('keydown', onKey, true);
      error ? reject(new Error(error)) : resolve(value);
    };
    const check = () => {
      if (pressed === null) return;
      const now = performance.now();
      const lit = highlight();
      if (lit && shown === null) shown = now;
      if (lit && idle()) {
        if (since === null) since = now;
        if (now - since >= quiet) finish({highlight: shown - pressed, settled: since - pressed});
      } else {
        since = null;
      }
      if (now - pressed > timeout) finish(null, `not settled after ${timeout} ms (highlight `
        + `${shown === null ? 'never shown' : 'shown'}, idle ${idle()})`);
    };
    const onKey = (event) => {
      if (event.key === '1' && pressed === null) pressed = performance.now();
    };
    window.addEventListener('keydown', onKey, true);
    observer = new MutationObserver(check);
    observer.observe(document, {subtree: true, childList: true, attributes: true,
                                characterData: true});
    tick = setInterval(check, 4);
  });
  return true;
}"""


def copy_project(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def drag_offsets(segment_start: int, text: str) -> tuple[int, int] | None:
    """From inside the segment's second word to inside its fourth (words of 3+ letters)."""
    words = [m for m in re.finditer(r"\w+", text) if len(m.group()) > 2]
    if len(words) < 4:
        return None
    return segment_start + words[1].start() + 1, segment_start + words[3].end() - 1


def plan(db, document_id: int, page: int, count: int) -> list[dict]:
    """COUNT segments spread over the reader page, each with the offsets to drag over and the
    span the server should store (the drag snapped to whole words)."""
    text = db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
    rows = db.execute('SELECT seq, start, "end", text FROM segments WHERE document_id = ? '
                      "AND seq >= ? AND seq < ? ORDER BY seq",
                      [document_id, page * PER_PAGE, (page + 1) * PER_PAGE]).fetchall()
    usable = [(row, drag) for row in rows if (drag := drag_offsets(row[1], row[3]))]
    if len(usable) < count:
        raise SystemExit(f"document {document_id} page {page + 1}: only {len(usable)} segments "
                         f"with four words, {count} needed")
    step = len(usable) / count
    chosen = []
    for k in range(count):
        (seq, start, end, _), (a, b) = usable[int(k * step)]
        expected = snap_to_words(text, a, b)
        chosen.append({"seq": seq, "segment": (start, end), "drag": (a, b), "expected": expected})
    return chosen


def wait_idle(tab) -> None:
    """Until the rerun in progress (if any) is over."""
    tab.wait_for_timeout(300)
    tab.wait_for_function("""() => {
      const app = document.querySelector('[data-testid="stApp"]');
      return app && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
    }""", timeout=TIMEOUT_MS)
    tab.wait_for_timeout(200)


def select(tab, start: int, end: int) -> str:
    """Drag the mouse over document offsets [start, end); returns the label (code name and
    coder) the highlight will carry once the palette's first code is pressed."""
    try:
        select_text(tab, start, end, timeout=TIMEOUT_MS)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    name = tab.locator('.kv-palette .kv-pal-item[data-number="1"] .kv-name').inner_text()
    return f"{name.strip()} ({CODER})"


def run_case(tab, url: str, document_id: int, chosen: list[dict]) -> dict[str, list[float]]:
    """Warm-up plus the rest: select, press 1, wait until settled."""
    open_reader(tab, url, CODER, document_id, chosen[0]["segment"][0], timeout=TIMEOUT_MS)
    wait_idle(tab)
    times: dict[str, list[float]] = {"highlight": [], "settled": []}
    for i, item in enumerate(chosen):
        label = select(tab, *item["drag"])
        tab.evaluate(ARM_JS, [label, *item["expected"], QUIET_MS, TIMEOUT_MS])
        tab.keyboard.press("1")
        try:
            result = tab.evaluate("window.__kvBench")
        except Exception as exc:  # noqa: BLE001 - the page's reason is the message
            raise SystemExit(f"segment #{item['seq'] + 1}: {exc}") from None
        if i:  # the first one warms up
            for name in times:
                times[name].append(result[name])
        wait_idle(tab)
    return times


def verify(path: Path, cases: list[tuple[str, int, list[dict]]]) -> None:
    """Exactly one manual coding per selection, the snapped span, inside its segment."""
    db = open_db(path, create=False)
    for name, document_id, chosen in cases:
        rows = db.execute('SELECT start, "end" FROM codings WHERE origin = \'manual\' AND '
                          "coder = ? AND document_id = ? ORDER BY start",
                          [CODER, document_id]).fetchall()
        want = sorted(item["expected"] for item in chosen)
        if [tuple(row) for row in rows] != want:
            raise SystemExit(f"{name}: {len(rows)} manual codings by {CODER}, {len(want)} "
                             f"expected; stored {rows[:5]}…, expected {want[:5]}…")
        for item in chosen:
            lower, upper = item["segment"]
            if not lower <= item["expected"][0] < item["expected"][1] <= upper:
                raise SystemExit(f"{name}: coding {item['expected']} outside segment "
                                 f"#{item['seq'] + 1} {item['segment']}")
        print(f"verified {name}: {len(rows)} manual codings by {CODER}, each the dragged words "
              "snapped to whole words inside its segment")
    db.close()


def main() -> None:
    """Command line: --repeat N, --words N."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--words", type=int, default=1_000_000)
    args = parser.parse_args()
    source = prepare(args.words)
    with tempfile.TemporaryDirectory(prefix="kvali-reader-bench-") as folder:
        path = Path(folder) / "project.db"
        copy_project(source, path)
        db = open_db(path, create=False)
        long_id, long_segments = db.execute(
            "SELECT d.id, count(*) FROM documents d JOIN segments s ON s.document_id = d.id "
            "WHERE d.name = 'Meget langt interview' GROUP BY d.id").fetchone()
        short_id, short_name, short_segments = db.execute(
            "SELECT d.id, d.name, count(*) FROM documents d JOIN segments s "
            "ON s.document_id = d.id WHERE d.id = (SELECT min(id) FROM documents) "
            "GROUP BY d.id").fetchone()
        documents, segments = db.execute("SELECT (SELECT count(*) FROM documents), "
                                         "(SELECT count(*) FROM segments)").fetchone()
        count = args.repeat + 1
        cases = [(f"long transcript p.{LONG_PAGE + 1}", long_id,
                  plan(db, long_id, LONG_PAGE, count)),
                 ("short document p.1", short_id, plan(db, short_id, 0, count))]
        db.close()
        with running_app(path, Path(folder) / "streamlit.log") as url, \
                chromium(headless=True) as browser:
            print(f"{source.name} (copy): {documents} documents, {segments:,} segments; "
                  f"long: {long_segments:,} segments, page {LONG_PAGE + 1}; short: "
                  f"{short_name} ({short_segments} segments), page 1; Chromium "
                  f"{browser.version}, Streamlit {streamlit.__version__}, Python "
                  f"{sys.version.split()[0]}")
            samples: dict[str, list[float]] = {}
            for name, document_id, chosen in cases:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                tab = context.new_page()
                for metric, values in run_case(tab, url, document_id, chosen).items():
                    samples[f"{name}: {metric}"] = values
                context.close()
        verify(path, cases)
    print(f"key press '1' to highlight / settled in the browser, {args.repeat} codings per case "
          "after 1 warm-up:")
    report(samples)
    print("server time of the same coding (AppTest, no browser): python "
          f"benchmarks/ui_latency.py --repeat {args.repeat}, row 'code a selection (reader)'")


if __name__ == "__main__":
    main()
