"""Personal data never enters logs, `events` payloads, error messages or the app's console
(issue 12).

A project is built from tests/data/pii/: the labelled interview and survey.csv, a survey whose
comments hold names, a CPR number, a phone number and an e-mail address (survey_labels.tsv). A
realistic session then runs through the CLI — import, pii scan/list/confirm/dismiss, codebook
load, tag, code with a memo, search, every export with and without --pseudonymise, and
deliberate mistakes (offsets outside the text, an unknown code, search queries holding a CPR
number or a name) — and through the app (Dokumenter, Søg, Personoplysninger) with every logger
captured at DEBUG. None of the personal strings may occur in a log record, in the stderr of any
command (the error line included), in the app's stderr, or in any `events` row. Stdout may show
the analyst their own data (search hits, pii list) unless --pseudonymise was given.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_ui_support import no_failures, page_test, reader_event

from kvali.cli import cli
from kvali.errors import KvaliError
from kvali.privacy.evaluation import labelled_strings
from kvali.store import open_db

DATA = Path(__file__).parent / "data" / "pii"
CODER = "analytiker"

CODEBOOK = """\
name: Lækager
version: "1"
codes:
  - key: netvaerk
    name: Netværk
    description: Borgerens netværk og de frivillige.
    example: Som Peter Hansen sagde om netværket.
    color: "#2E7D32"
    rules:
      keywords: [netværk, frivillig]
  - key: borger
    name: Borgeren
    color: "#1565C0"
    rules:
      keywords: [borger]
"""


PERSONAL = labelled_strings(DATA / "labels.tsv", DATA / "survey_labels.tsv")
"""Every personal string of the project: names (first names alone too), CPR numbers, phones,
e-mail addresses and addresses."""
PATTERN = re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in PERSONAL))


def leaked(text: str) -> set[str]:
    """The personal strings in `text` (whole words, as written)."""
    return set(PATTERN.findall(text))


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG for the root logger and for every logger that does not propagate
    (Streamlit's own)."""
    caplog.set_level(logging.DEBUG)
    own = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate:
            own.append((logger, logger.level))
            logger.addHandler(caplog.handler)
            logger.setLevel(logging.DEBUG)
    yield caplog
    for logger, level in own:
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record: message, arguments, exception and stack text."""
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
    return "\n".join(parts)


def events_text(path: Path) -> str:
    db = open_db(path, create=False)
    try:
        rows = db.execute("SELECT at, actor, action, payload FROM events").fetchall()
    finally:
        db.close()
    assert rows
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


class Session:
    """The CLI as the user runs it (`kvali.cli.main` turns a KvaliError into one line on
    stderr; here that line is made from the exception the same way)."""

    def __init__(self, folder: Path, db: Path) -> None:
        self.folder, self.db = folder, db
        self.runner = CliRunner()
        self.stderr: dict[str, str] = {}
        self.stdout: dict[str, str] = {}

    def run(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(cli, ["--db", str(self.db), *args])
        name = " ".join(args)
        error = result.exception
        stderr = result.stderr
        if isinstance(error, KvaliError):
            stderr += f"kvali: error: {error}\n{getattr(error, 'danish', '') or ''}"
        elif error is not None and not isinstance(error, SystemExit):
            raise error
        if ok:
            assert result.exit_code == 0, (name, result.output, stderr)
        else:
            assert result.exit_code != 0 and stderr.strip(), (name, result.output)
        self.stderr[name] = stderr
        self.stdout[name] = result.stdout
        return result

    def out(self, name: str) -> Path:
        return self.folder / name


def segment_with(db_path: Path, words: str) -> int:
    db = open_db(db_path, create=False)
    try:
        return db.execute("SELECT id FROM segments WHERE text LIKE ? ORDER BY id",
                          [f"%{words}%"]).fetchone()[0]
    finally:
        db.close()


def interview_id(db_path: Path) -> int:
    db = open_db(db_path, create=False)
    try:
        return db.execute("SELECT id FROM documents WHERE kind = 'interview'").fetchone()[0]
    finally:
        db.close()


EXPORTS = [
    *[["export", "summary", "--quotes", "20", "-o", f"summary.{fmt}"]
      for fmt in ("md", "docx", "html", "xlsx")],
    *[["export", "codings", "-o", f"codings.{fmt}"] for fmt in ("csv", "xlsx", "json")],
    ["export", "crosstab", "--by", "role", "-o", "crosstab.csv"],
    ["export", "crosstab", "--by", "code", "-o", "cooccurrence.xlsx"],
    ["export", "qdpx", "-o", "project.qdpx"],
    ["export", "qdc", "-o", "export.qdc"],
    ["codebook", "export", "-o", "codebook.qdc"],
    ["search", "netværk", "--export", "hits.csv"],
]


def cli_session(folder: Path) -> Session:
    """Build the project and work on it as an analyst would, mistakes included."""
    shutil.copy(DATA / "interview.md", folder / "interview.md")
    shutil.copy(DATA / "survey.csv", folder / "survey.csv")
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    session = Session(folder, folder / "project.db")
    run = session.run
    run("import", str(folder / "interview.md"), "--kind", "interview")
    run("import", str(folder / "survey.csv"), "--kind", "survey")
    run("status")
    run("documents", "list")
    run("pii", "scan")
    findings = json.loads(run("pii", "list", "--json").stdout)
    assert findings
    personal = set(PERSONAL)
    confirm = [str(f["id"]) for f in findings if f["text"] in personal]
    dismiss = [str(f["id"]) for f in findings if f["text"] not in personal]
    assert confirm
    run("pii", "confirm", *confirm, "--coder", CODER)
    if dismiss:
        run("pii", "dismiss", dismiss[0], "--coder", CODER)
    document = interview_id(session.db)
    text = open_db(session.db, create=False).execute(
        "SELECT text FROM documents WHERE id = ?", [document]).fetchone()[0]
    start = text.index("Bjarke")
    run("pii", "add", str(document), str(start), str(start + len("Bjarke")), "name",
        "--coder", CODER)
    run("pii", "list", "--status", "confirmed")
    run("codebook", "check", str(folder / "codebook.yaml"))
    run("codebook", "load", str(folder / "codebook.yaml"))
    run("tag")
    segment = segment_with(session.db, "Peter Hansen")
    run("code", str(segment), "borger", "--coder", CODER,
        "--memo", "Peter Hansen bor på Vestergade 12; ring 86 12 34 56.")
    run("code", str(segment_with(session.db, "Jonas Dahl")), "netvaerk", "--coder", CODER,
        "--memo", "Jonas Dahl, cpr 020304-5678")
    run("codebook", "report")
    run("search", "Peter Hansen")
    run("search", "010203-1234")
    run("search", "Lone Mikkelsen", "--json")
    run("search", "hanne.vinther@example.dk")
    run("search", "netværk", "--code-all", "netvaerk", "--coder", CODER)
    for command in EXPORTS:
        *args, target = command
        run(*args, str(session.out(target)))
        run(*args, str(session.out("pseudo-" + target)), "--pseudonymise")
    # deliberate mistakes
    run("pii", "add", str(document), str(len(text) + 5), str(len(text) + 40), "cpr", ok=False)
    run("pii", "add", str(document), "40", "10", "name", ok=False)
    run("pii", "confirm", "999999", ok=False)
    run("code", str(segment), "findes_ikke", ok=False)
    run("code", "999999", "borger", ok=False)
    run("search", "010203-1234*", ok=False)
    run("search", "Peter-Hansen*", ok=False)
    run("search", '"010203-1234', ok=False)
    run("search", "010203-1234 AND", ok=False)
    run("search", "Lone NEAR/Mikkelsen Karsten", ok=False)
    run("search", "(Peter Hansen", ok=False)
    run("search", "Peter", "--code-all", "borger", ok=False)
    run("export", "summary", "-o", str(folder / "nowhere" / "summary.md"), ok=False)
    return session


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project from the CLI session (for the app tests)."""
    folder = tmp_path_factory.mktemp("leaks-app")
    cli_session(folder)
    return folder / "project.db"


def test_cli_session_leaks_nothing_into_logs_stderr_or_events(tmp_path: Path, captured) -> None:
    session = cli_session(tmp_path)
    assert not leaked(log_text(captured)), "log records"
    stderr = {name: found for name, err in session.stderr.items() if (found := leaked(err))}
    assert not stderr, stderr
    assert not leaked(events_text(session.db)), "events"
    # the errors were made and said so
    assert "kvali: error:" in session.stderr["search 010203-1234*"]
    assert "findes_ikke" in session.stderr[f"code {segment_with(session.db, 'Peter Hansen')} "
                                           "findes_ikke"]


def test_stdout_shows_own_data_only_without_pseudonymise(tmp_path: Path) -> None:
    session = cli_session(tmp_path)
    assert "Peter Hansen" in session.stdout["search Peter Hansen"]
    assert "010203-1234" in session.stdout["pii list --status confirmed"]
    run = session.run
    confirmed = {row["text"] for row in json.loads(
        run("pii", "list", "--status", "confirmed", "--json").stdout)}
    shown = run("search", "borgeren OR netværket OR hedder", "--pseudonymise").stdout
    assert "[Person" in shown and not leaked(shown) & confirmed
    as_json = run("search", "borgeren OR netværket", "--json", "--pseudonymise").stdout
    assert not leaked(as_json) & confirmed
    for name, out in session.stdout.items():
        if "--pseudonymise" in name:
            assert not leaked(out), name


def test_codebook_export_pseudonymises_like_export_qdc(tmp_path: Path) -> None:
    session = cli_session(tmp_path)
    plain = session.out("codebook.qdc").read_text(encoding="utf-8")
    scrubbed = session.out("pseudo-codebook.qdc").read_text(encoding="utf-8")
    assert "Peter Hansen" in plain and "Peter Hansen" not in scrubbed
    assert "[Person" in scrubbed
    assert scrubbed == session.out("pseudo-export.qdc").read_text(encoding="utf-8")
    assert plain == session.out("export.qdc").read_text(encoding="utf-8")


def test_app_session_leaks_nothing_into_logs_stderr_or_events(
        project: Path, monkeypatch: pytest.MonkeyPatch, captured, capfd) -> None:
    monkeypatch.setenv("KVALI_DB", str(project))
    document = interview_id(project)
    db = open_db(project, create=False)
    text = db.execute("SELECT text FROM documents WHERE id = ?", [document]).fetchone()[0]
    db.close()
    # Dokumenter: open the interview, code a name, mark a name, an impossible selection
    at = page_test("documents", coder=CODER)
    at.selectbox(key="kvali.docs.document").set_value(document).run()
    no_failures(at)
    start = text.index("Karsten Bro")
    at = reader_event(at, "code", {"start": start, "end": start + 30, "code": "borger"})
    no_failures(at)
    start = text.index("Birgitte Holm")
    at = reader_event(at, "pii", {"start": start, "end": start + len("Birgitte Holm"),
                                  "type": "name"})
    no_failures(at)
    at = reader_event(at, "code", {"start": len(text) + 3, "end": len(text) + 9,
                                   "code": "borger"})
    assert not at.exception
    at = reader_event(at, "code", {"start": start, "end": start + 5, "code": "findes_ikke"})
    assert not at.exception
    # Søg: a name, a CPR number, a broken query holding a CPR number
    at = page_test("search", coder=CODER)
    for query in ("Peter Hansen", "010203-1234", "Jonas Dahl", "010203-1234*", '"Lone Mikkelsen'):
        at.text_input(key="kvali.search.query").input(query).run()
        assert not at.exception, query
    # Personoplysninger: scan, confirm, add by hand (found and not found)
    at = page_test("privacy", coder=CODER)
    no_failures(at)
    at.button(key="kvali.privacy.scan").click().run()
    no_failures(at)
    chosen = at.multiselect(key="kvali.privacy.chosen")
    if chosen.options:
        chosen.select(chosen.options[0]).run()
        at.button(key="kvali.privacy.confirm").click().run()
        no_failures(at)
    at.text_input(key="kvali.privacy.add.text").input("Karen Vestergaard").run()
    at.button(key="kvali.privacy.add").click().run()
    no_failures(at)
    at.text_input(key="kvali.privacy.add.text").input("Karen Vestergaard Hansen").run()
    at.button(key="kvali.privacy.add").click().run()
    assert not at.exception
    out, err = capfd.readouterr()
    assert not leaked(log_text(captured)), "log records"
    assert not leaked(err), err
    assert not leaked(events_text(project)), "events"


def test_the_capture_sees_every_logger_and_the_scan_finds_a_leak(captured) -> None:
    logging.getLogger("streamlit.runtime").warning("user said %s", "Peter Hansen")
    logging.getLogger("kvali.anything").debug("cpr 010203-1234")
    assert leaked(log_text(captured)) == {"Peter Hansen", "010203-1234"}
    assert leaked("Peterson and Karsten Brochmann") == set()
