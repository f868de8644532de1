"""Does personal data reach the app's server log or the audit log during a browser session?

    python benchmarks/pii_log_audit.py [--keep]

Builds a throw-away project from tests/data/pii/interview.md (the labelled transcript) and a
survey whose comments hold names, a CPR number, a phone number and an e-mail address; scans it
for personal data, confirms every finding that is a labelled personal string, loads a small
codebook and tags. Then `python -m kvali.cli app --db PROJECT --port PORT` runs with Streamlit's
logger at DEBUG (STREAMLIT_LOGGER_LEVEL=debug), stdout and stderr into one log file, and
headless Chromium (/usr/bin/chromium) drives a short session with Playwright:

  Overblik      opened;
  Dokumenter    the interview opened by its link, words across a name selected with the mouse
                and coded with "1", a name selected and marked as personal data (Navn);
  Søg           a name, a CPR number, an e-mail address and a broken query holding a CPR
                number (010203-1234*);
  Personoplysninger  scanned again, one finding added by hand (a name), one that is not there.

Afterwards the server is stopped, and the server log (every line) and the `events` table (every
row: actor, action, payload) are searched for each personal string of tests/data/pii/labels.tsv
and of the survey, as whole words. The table printed has one row per source: lines or rows
scanned and personal strings found, which must be 0; the run exits with 1 otherwise (and lists
what was found). The session must really have happened: the database must hold the manual
coding and the hand-made findings, else the run ends with an error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.findings import decide, list_findings, scan_project
from kvali.store import open_db
from kvali.tagging.run import tag_project

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "pii"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CODER = "log-audit"
TIMEOUT_MS = 30_000

SURVEY = """Kommune;Stilling;Bemærkninger
Aarhus;Leder;Jonas Dahl fra netværket ringer ofte, hans cpr er 020304-5678.
Odense;Medarbejder;Skriv til hanne.vinther@example.dk eller ring 51 52 53 54 om netværket.
Viborg;Leder;Hanne Vinther siger at de frivillige i netværket mangler penge.
"""
SURVEY_PERSONAL = ["Jonas Dahl", "020304-5678", "hanne.vinther@example.dk", "51 52 53 54",
                   "Hanne Vinther"]
CODEBOOK = """\
name: Log-audit
version: "1"
codes:
  - key: borger
    name: Borgeren
    color: "#1565C0"
    rules:
      keywords: [borger]
  - key: netvaerk
    name: Netværk
    example: Som Peter Hansen sagde om netværket.
    color: "#2E7D32"
    rules:
      keywords: [netværk, frivillig]
"""

POINT_JS = """([offset, side]) => {
  for (const piece of document.querySelectorAll('.kv-reader .kv-p')) {
    const s = Number(piece.dataset.s), e = Number(piece.dataset.e);
    if (side === 'start' ? !(s <= offset && offset < e) : !(s < offset && offset <= e)) continue;
    const node = piece.firstChild, chars = Array.from(node.data);
    const units = (n) => chars.slice(0, n).join('').length;
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
    (p) => Number(p.dataset.s) <= offset && offset <= Number(p.dataset.e));
  piece.scrollIntoView({block: 'center'});
}"""


def personal_strings() -> list[str]:
    """The labelled personal strings (longest first) plus the survey's."""
    values = set(SURVEY_PERSONAL)
    for line in (DATA / "labels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            values.add(line.split("\t")[1])
    return sorted(values, key=len, reverse=True)


PERSONAL = personal_strings()
PATTERN = re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in PERSONAL))


def build(folder: Path) -> Path:
    """The project: interview and survey imported, findings confirmed, codebook, tagged."""
    shutil.copy(DATA / "interview.md", folder / "interview.md")
    (folder / "survey.csv").write_text(SURVEY, encoding="utf-8")
    path = folder / "project.db"
    db = open_db(path)
    for name, kind in (("interview.md", "interview"), ("survey.csv", "survey")):
        report = import_paths(db, [folder / name], ReadOptions(kind=kind))
        if report.failed:
            raise SystemExit(f"import failed: {report.failed}")
    scan_project(db)
    personal = set(PERSONAL)
    decide(db, [row.id for row in list_findings(db) if row.text in personal], "confirmed",
           CODER)
    codebook, problems = parse_codebook(CODEBOOK, str(folder / "codebook.yaml"))
    if codebook is None or problems:
        raise SystemExit(f"codebook: {problems}")
    sync_codebook(db, codebook)
    tag_project(db)
    db.close()
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(folder: Path, path: Path, log_path: Path) -> Iterator[str]:
    """`kvali app` on PATH, Streamlit logging at DEBUG into LOG_PATH; yields its URL."""
    port = _free_port()
    env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "debug"}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kvali.cli", "app", "--db", str(path), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True)
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
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.3)
            yield url
        finally:
            # kvali app runs streamlit as its child: stop the session this run started
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


def settle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)


def open_page(page, url: str, path: str) -> None:
    page.goto(f"{url}/{path}?koder={urllib.parse.quote_plus(CODER)}")
    page.locator('[data-testid="stSidebar"]').wait_for(timeout=TIMEOUT_MS)
    coder = page.locator('[data-testid="stSidebar"] input[aria-label="Koder"]')
    if coder.input_value() != CODER:
        coder.fill(CODER)
        coder.press("Enter")
    settle(page)


def select_text(page, start: int, end: int) -> None:
    page.locator(".kv-reader .kv-p").first.wait_for(timeout=TIMEOUT_MS)
    page.evaluate(SCROLL_JS, [start])
    first = page.evaluate(POINT_JS, [start, "start"])
    last = page.evaluate(POINT_JS, [end, "end"])
    page.mouse.move(*first)
    page.mouse.down()
    page.mouse.move(*last, steps=8)
    page.mouse.up()
    page.locator(".kv-palette").wait_for(state="visible", timeout=10_000)


def read(page, url: str, document_id: int, start: int) -> None:
    page.goto(f"{url}/dokumenter?koder={urllib.parse.quote_plus(CODER)}&dokument={document_id}"
              f"&fra={start}&til={start}")
    page.locator(".kv-reader .kv-p").first.wait_for(timeout=TIMEOUT_MS)
    settle(page)


def browse(url: str, path: Path) -> list[str]:
    """The session; returns what was done, step by step."""
    from playwright.sync_api import sync_playwright

    db = open_db(path, create=False)
    document_id, text = db.execute(
        "SELECT id, text FROM documents WHERE kind = 'interview'").fetchone()
    db.close()
    steps = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_page(page, url, "overblik")
        steps.append("Overblik opened")
        start = text.index("Peter Hansen og bor")
        read(page, url, document_id, start)
        select_text(page, start + 1, start + 18)
        page.keyboard.press("1")
        page.locator(f'.kv-reader .kv-hl[title*="({CODER})"]').first.wait_for(
            timeout=TIMEOUT_MS)
        settle(page)
        steps.append("Dokumenter: 'Peter Hansen og bor' coded with the palette's first code")
        start = text.index("Birgitte Holm")
        read(page, url, document_id, start)
        select_text(page, start + 1, start + len("Birgitte Holm") - 1)
        page.locator(".kv-pal-pii-type", has_text="Navn").click()
        page.get_by_text("Markeret som personoplysning").first.wait_for(timeout=TIMEOUT_MS)
        settle(page)
        steps.append("Dokumenter: 'Birgitte Holm' marked as a name")
        open_page(page, url, "soeg")
        for query in ("Peter Hansen", "010203-1234", "hanne.vinther@example.dk",
                      "010203-1234*", '"Lone Mikkelsen'):
            box = page.locator('input[aria-label="Søgning"]')
            box.fill(query)
            box.press("Enter")
            settle(page)
        steps.append("Søg: a name, a CPR number, an e-mail, two broken queries")
        open_page(page, url, "personoplysninger")
        page.get_by_role("button", name="Scan for personoplysninger").click()
        settle(page)
        page.get_by_text("Tilføj i hånden").click()
        for typed in ("Karen Vestergaard", "Karen Vestergaard Hansen"):
            field = page.locator('input[aria-label="Præcis tekst"]')
            field.fill(typed)
            field.press("Enter")
            settle(page)
            page.get_by_role("button", name="Tilføj").click()
            settle(page)
        steps.append("Personoplysninger: scanned; 'Karen Vestergaard' added, a missing text "
                     "refused")
        browser.close()
    return steps


def check_session(path: Path) -> None:
    """The browser session really changed the project."""
    db = open_db(path, create=False)
    coded = db.execute("SELECT count(*) FROM codings WHERE origin = 'manual' AND coder = ?",
                       [CODER]).fetchone()[0]
    manual = db.execute("SELECT count(*) FROM pii_findings WHERE origin = 'manual'").fetchone()[0]
    db.close()
    if coded != 1 or manual < 2:
        raise SystemExit(f"the session did not happen: {coded} manual codings, {manual} "
                         "hand-made findings")


def audit(log_path: Path, path: Path) -> list[tuple[str, int, dict[str, int]]]:
    """(source, lines or rows scanned, {personal string: occurrences})."""
    rows = []
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    found: dict[str, int] = {}
    for line in lines:
        for value in PATTERN.findall(line):
            found[value] = found.get(value, 0) + 1
    rows.append(("server log (stdout+stderr, DEBUG)", len(lines), found))
    db = open_db(path, create=False)
    events = db.execute("SELECT at, actor, action, payload FROM events").fetchall()
    db.close()
    found = {}
    for event in events:
        for value in PATTERN.findall(json.dumps(event, ensure_ascii=False)):
            found[value] = found.get(value, 0) + 1
    rows.append(("events table (actor, action, payload)", len(events), found))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="Keep the project and the log.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kvali-pii-log-"))
    try:
        path = build(folder)
        log_path = folder / "server.log"
        with serve(folder, path, log_path) as url:
            steps = browse(url, path)
        check_session(path)
        rows = audit(log_path, path)
        print(f"personal strings searched: {len(PERSONAL)} (tests/data/pii/labels.tsv and the "
              "survey), as whole words")
        for step in steps:
            print(f"  session: {step}")
        print()
        print(f"{'source':<40}{'scanned':>10}{'personal strings found':>25}")
        for source, scanned, found in rows:
            print(f"{source:<40}{scanned:>10}{sum(found.values()):>25}")
        leaks = {source: found for source, _, found in rows if found}
        if args.keep:
            print(f"\nkept: {folder}")
        if leaks:
            print(f"\nFOUND: {leaks}")
            sys.exit(1)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
