"""Does personal data reach the app's server log or the audit log during a browser session?

    python benchmarks/pii_log_audit.py [--keep]

Builds a throw-away project from tests/data/pii/interview.md (the labelled transcript) and
tests/data/pii/survey.csv (a survey whose comments hold names, a CPR number, a phone number and
an e-mail address, labelled in survey_labels.tsv); scans it for personal data, confirms every
finding that is a labelled personal string, loads a small codebook and tags. Then
`python -m kvali.cli app --db PROJECT --port PORT` runs with Streamlit's
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
and survey_labels.tsv, as whole words. The table printed has one row per source: lines or rows
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
import sys
import tempfile
from pathlib import Path

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.evaluation import labelled_strings
from kvali.privacy.findings import decide, list_findings, scan_project
from kvali.store import open_db
from kvali.tagging.run import tag_project
from kvali.ui.browser_drive import (
    TIMEOUT_MS,
    chromium,
    open_page,
    open_reader,
    select_text,
    settle,
)
from kvali.ui.server import running_app

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "pii"
CODER = "log-audit"

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

PERSONAL = labelled_strings(DATA / "labels.tsv", DATA / "survey_labels.tsv")
"""The labelled personal strings of the interview and the survey, longest first."""
PATTERN = re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in PERSONAL))


def build(folder: Path) -> Path:
    """The project: interview and survey imported, findings confirmed, codebook, tagged."""
    shutil.copy(DATA / "interview.md", folder / "interview.md")
    shutil.copy(DATA / "survey.csv", folder / "survey.csv")
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


def browse(url: str, path: Path) -> list[str]:
    """The session; returns what was done, step by step."""
    db = open_db(path, create=False)
    document_id, text = db.execute(
        "SELECT id, text FROM documents WHERE kind = 'interview'").fetchone()
    db.close()
    steps = []
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_page(page, url, "overblik", CODER)
        steps.append("Overblik opened")
        start = text.index("Peter Hansen og bor")
        open_reader(page, url, CODER, document_id, start)
        select_text(page, start + 1, start + 18)
        page.keyboard.press("1")
        page.locator(f'.kv-reader .kv-hl[title*="({CODER})"]').first.wait_for(
            timeout=TIMEOUT_MS)
        settle(page)
        steps.append("Dokumenter: 'Peter Hansen og bor' coded with the palette's first code")
        start = text.index("Birgitte Holm")
        open_reader(page, url, CODER, document_id, start)
        select_text(page, start + 1, start + len("Birgitte Holm") - 1)
        page.locator(".kv-pal-pii-type", has_text="Navn").click()
        page.get_by_text("Markeret som personoplysning").first.wait_for(timeout=TIMEOUT_MS)
        settle(page)
        steps.append("Dokumenter: 'Birgitte Holm' marked as a name")
        open_page(page, url, "soeg", CODER)
        for query in ("Peter Hansen", "010203-1234", "hanne.vinther@example.dk",
                      "010203-1234*", '"Lone Mikkelsen'):
            box = page.locator('input[aria-label="Søgning"]')
            box.fill(query)
            box.press("Enter")
            settle(page)
        steps.append("Søg: a name, a CPR number, an e-mail, two broken queries")
        open_page(page, url, "personoplysninger", CODER)
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
        env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "debug"}
        with running_app(path, log_path, env=env) as url:
            steps = browse(url, path)
        check_session(path)
        rows = audit(log_path, path)
        print(f"personal strings searched: {len(PERSONAL)} (tests/data/pii/labels.tsv and "
              "survey_labels.tsv), as whole words")
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
