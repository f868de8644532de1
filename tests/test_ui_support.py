"""A small project for the app tests: two transcripts (one hostile), a survey table, a codebook
beside the project file, and tagged suggestions. Imported by the other test_ui_* modules."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from streamlit.testing.v1 import AppTest

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.tagging.run import tag_project

APP = Path(__file__).resolve().parents[1] / "app.py"

NETWORK = """---
title: Gruppeinterview om netværk
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aarhus}
  IP2: {role: Myndighedsleder, kommune: Viborg}
---
I: Hvordan inddrager I netværket?
IP1: Vi holder netværksmøder med de pårørende hver måned.
IP2: De frivillige foreninger hjælper os meget.
IP1: Vi søger § 18-midler hvert år til foreningerne.
IP2: Det nære netværk betyder alt for borgeren.
"""

HOSTILE = """---
title: Interview med mærkelige tegn
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Tilbudsleder, kommune: Odense}
---
I: Hvad står der i jeres notater?
IP1: Der står <script>window.__xss=1</script> i feltet om netværket.
IP1: Og et billede <img src=x onerror="window.__xss=2"> ved siden af.
IP1: Se [vores side](javascript:alert(1)) og **fed tekst** om frivillige.
"""

SURVEY = """Kommune;Bemærkninger
Aarhus;Vi mangler frivillige i foreningerne til at støtte borgerne.
Odense;Samarbejdet med de pårørende og netværket fungerer godt.
Viborg;Der er for få penge til § 18 og til det frivillige arbejde.
"""

CODEBOOK = """\
name: UI-test
version: "1"
codes:
  # Netværket omkring borgeren
  - key: netvaerk
    name: Netværk
    description: Borgerens netværk og pårørende.
    color: "#2E7D32"
    rules:
      keywords: [netværk, pårørende]
    children:
      - key: netvaerk.moeder
        name: Netværksmøder
        color: "#66BB6A"
  - key: civil
    name: Civilsamfund
    color: "#1565C0"
    rules:
      keywords: [frivillig, forening]
  - key: paragraf18
    name: Paragraf 18
    color: "#AD1457"
    rules:
      patterns: ['§\\s*18\\b']
"""


def build_project(folder: Path) -> Path:
    """Write the files, import them, load the codebook and tag; returns the project path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = folder / "files"
    files.mkdir(exist_ok=True)
    (files / "netvaerk.md").write_text(NETWORK, encoding="utf-8")
    (files / "maerkelig.md").write_text(HOSTILE, encoding="utf-8")
    (files / "survey.csv").write_text(SURVEY, encoding="utf-8")
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    path = folder / "project.db"
    db = open_db(path)
    report = import_paths(db, [files / "netvaerk.md", files / "maerkelig.md"],
                          ReadOptions(kind="interview"))
    report.files += import_paths(db, [files / "survey.csv"], ReadOptions(kind="survey")).files
    assert not report.failed, report.failed
    codebook, problems = parse_codebook(CODEBOOK, str(folder / "codebook.yaml"))
    assert codebook is not None and not problems, problems
    sync_codebook(db, codebook)
    tag_project(db)
    db.close()
    return path


def page_test(page: str, coder: str | None = "mette") -> AppTest:
    """A session started the way app.py starts one, showing one page; run once."""
    script = f"""
from kvali.ui.state import init_session, sidebar
from kvali.ui.pages.{page} import {page}_page
init_session()
sidebar()
{page}_page()
"""
    at = AppTest.from_string(script, default_timeout=60)
    if coder is not None:
        at.session_state["kvali.coder"] = coder
    return at.run()


def no_failures(at: AppTest) -> None:
    """The run raised nothing and showed no error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def toasts(at: AppTest) -> list[str]:
    """The toast messages of the last run."""
    return [t.value for t in at.toast]


def test_fixture_project_has_codes_and_suggestions(tmp_path: Path) -> None:
    db = open_db(build_project(tmp_path))
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] >= 3
    assert db.execute("SELECT count(*) FROM codes").fetchone()[0] == 4
    statuses = dict(db.execute("SELECT status, count(*) FROM codings GROUP BY status"))
    assert statuses.get("suggested", 0) >= 5


def reader_component(at: AppTest):
    """The reader component of the last run (the one Components v2 element on the page)."""
    [element] = [e for e in at.get("bidi_component")
                 if e.proto.component_name == "kvali_reader"]
    return element


def reader_payload(at: AppTest) -> dict:
    """The data the reader component was given."""
    return json.loads(reader_component(at).proto.json)


def reader_event(at: AppTest, event: str, value: dict) -> AppTest:
    """Run as if the browser component had fired EVENT with VALUE (a selection coded, a
    highlight clicked): Components v2 sends its events as one trigger widget."""
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{reader_component(at).proto.id}__events"
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return at._run(states)
