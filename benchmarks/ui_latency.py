"""Server time of the workbench's page switches and coding actions on the 1M-word project.

    python benchmarks/ui_latency.py [--repeat 20]

Works on a copy of benchmarks/out/bench-1m.db (built by build_project.py when missing) with the
repository's codebook.yaml loaded and tagged, plus one generated 5,000-segment transcript. A
Streamlit `AppTest` session runs the pages exactly as app.py does; the figure for an action is
the wall time of the `at.run()` that follows it (the rerun that performs the write and redraws
the page), which is what the server spends before the browser can paint. Target: < 300 ms.

"code a selection (reader)" fires the reader component's `code` event (the words a mouse drag
selected in one segment of the page, and a code) the way the browser sends it; the browser's
own click-to-settled time for the same action is measured by reader_coding.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from build_project import OUT, build
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from streamlit.testing.v1 import AppTest

from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.tagging.run import tag_project
from kvali.ui.actions import remove

REPO = Path(__file__).resolve().parents[1]
PAGES = ("overview", "documents", "suggestions", "search", "analysis", "codebook", "importer")
QUERIES = ("netværk", '"nære netværk"', "frivillig* OG forening")
LONG_SEGMENTS = 5000
SCRIPT = """
import streamlit as st
from kvali.ui.state import init_session, sidebar
from kvali.ui.pages.{page} import {page}_page as page
init_session()
sidebar()
page()
"""
SWITCHING = """
import importlib
import streamlit as st
from kvali.ui.state import init_session, sidebar
init_session()
sidebar()
name = st.session_state.get("bench.page", "overview")
getattr(importlib.import_module(f"kvali.ui.pages.{name}"), f"{name}_page")()
"""


def prepare(words: int) -> Path:
    """A tagged copy of the benchmark project with one very long transcript."""
    source = OUT / f"bench-{words // 1_000_000}m.db"
    if not source.exists():
        source = build(words)
    target = OUT / f"{source.stem}-ui.db"
    if target.exists() and target.stat().st_mtime > source.stat().st_mtime:
        return target
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    db = open_db(target)
    long_file = OUT / "ui-long-transcript.md"
    turns = "\n".join(f"IP{1 + i % 3}: Vi taler om netværket og de frivillige, udsagn {i}."
                      for i in range(LONG_SEGMENTS))
    long_file.write_text("---\ntitle: Meget langt interview\nspeakers:\n"
                         "  IP1: {role: Socialchef, kommune: Aarhus}\n"
                         "  IP2: {role: Sagsbehandler, kommune: Odense}\n"
                         "  IP3: {role: Tilbudsleder, kommune: Viborg}\n---\n" + turns + "\n",
                         encoding="utf-8")
    import_paths(db, [long_file], ReadOptions(kind="interview"))
    sync_codebook(db, load_codebook(REPO / "codebook.yaml"))
    started = time.perf_counter()
    report = tag_project(db, force=True)
    print(f"prepared {target.name}: {sum(report.added.values()):,} suggestions tagged in "
          f"{time.perf_counter() - started:.1f} s")
    db.close()
    return target


def timed(at: AppTest, samples: dict[str, list[float]], name: str,
          run: Callable[[], object] | None = None) -> AppTest:
    """Run the app once (`at.run()`, or RUN) and record the time under `name`."""
    started = time.perf_counter()
    (run or at.run)()
    samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    if at.exception:
        raise SystemExit(f"{name}: {at.exception[0].value}")
    if at.error:
        raise SystemExit(f"{name}: {at.error[0].value}")
    return at


def session(script: str) -> AppTest:
    """A new browser session as the benchmark coder."""
    at = AppTest.from_string(script, default_timeout=120)
    at.session_state["kvali.coder"] = "benchmark"
    return at.run()


def measure(path: Path, repeat: int) -> dict[str, list[float]]:
    """Page switches and coding actions, `repeat` times each."""
    os.environ["KVALI_DB"] = str(path)
    samples: dict[str, list[float]] = {}
    switching = session(SWITCHING)
    for _ in range(repeat):
        for page in PAGES:
            switching.session_state["bench.page"] = page
            timed(switching, samples, f"page: {page}")
    db = open_db(path, create=False)
    long_id = db.execute("SELECT id FROM documents WHERE name = 'Meget langt interview'"
                         ).fetchone()[0]
    other_id = db.execute("SELECT min(id) FROM documents").fetchone()[0]
    # two codes: the panel's list labels a coding by code, coder and status, and Streamlit's
    # selectbox cannot tell equal labels apart
    code, other_code = [row[0] for row in db.execute(
        "SELECT key FROM codes WHERE active = 1 ORDER BY position LIMIT 2")]
    docs = session(SCRIPT.format(page="documents"))
    for i in range(repeat):
        docs.selectbox(key="kvali.docs.document").set_value(other_id)
        timed(docs, samples, "open a document")
        docs.selectbox(key="kvali.docs.document").set_value(long_id)
        timed(docs, samples, "open the 5,000-segment transcript")
        docs.number_input(key=f"kvali.docs.page.{long_id}").set_value(1 + (i * 7) % 25)
        timed(docs, samples, "turn a page (200 segments)")
        page = int(docs.number_input(key=f"kvali.docs.page.{long_id}").value) - 1
        start, end = _words_in_segment(db, long_id, page * 200 + 100 + i)
        event = {"start": start, "end": end, "code": other_code}
        timed(docs, samples, "code a selection (reader)",
              lambda event=event: _reader_event(docs, "code", event))
        selected = db.execute(
            "SELECT id FROM codings WHERE origin = 'manual' AND document_id = ? AND coder = ? "
            'AND start = ? AND "end" = ? AND code_key = ?',
            [long_id, "benchmark", start - 1, end + 1, other_code]).fetchall()  # snapped to words
        if len(selected) != 1:
            raise SystemExit(f"code a selection (reader): {len(selected)} codings made, not 1")
        docs.multiselect(key=f"kvali.docs.segments.{long_id}.{page}").set_value(
            [_segment_id(db, long_id, page * 200 + 3)])
        docs.selectbox(key="kvali.docs.code").set_value(code)
        docs.button(key="kvali.docs.apply").click()
        timed(docs, samples, "apply a code")
        coding = db.execute("SELECT max(id) FROM codings WHERE origin = 'manual'").fetchone()[0]
        docs.selectbox(key="kvali.docs.coding").set_value(coding)
        timed(docs, samples, "choose a coding in the panel")  # its memo field follows it
        docs.text_area(key=f"kvali.docs.memo.{coding}").input(f"memo {i}")
        docs.button(key="kvali.docs.save_memo").click()
        timed(docs, samples, "write a memo")
        docs.button(key="kvali.docs.key_quote").click()
        timed(docs, samples, "mark a key quote")
        docs.button(key="kvali.docs.remove").click()
        timed(docs, samples, "remove a coding")
        remove(db, selected[0][0], "benchmark")  # the reader's coding, so reruns stay comparable
    review = session(SCRIPT.format(page="suggestions"))
    for _ in range(repeat):
        for button, name in (("accept", "accept a suggestion"), ("reject", "reject a suggestion"),
                             ("skip", "skip a suggestion")):
            review.button(key=f"kvali.review.{button}").click()
            timed(review, samples, name)
    finder = session(SCRIPT.format(page="search"))
    for _ in range(repeat):
        for query in QUERIES:
            finder.text_input(key="kvali.search.query").input(query)
            timed(finder, samples, f"search {query}")
    return samples


def _reader_event(at: AppTest, event: str, value: dict) -> AppTest:
    """Rerun as if the reader in the browser had fired EVENT with VALUE: Components v2 sends
    its events as one trigger widget named after the element."""
    [element] = [e for e in at.get("bidi_component") if e.proto.component_name == "kvali_reader"]
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element.proto.id}__events"
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return at._run(states)


def _words_in_segment(db, document_id: int, seq: int) -> tuple[int, int]:
    """Document offsets from inside the segment's second word to inside its fourth, as a drag
    of the mouse would give them (the server snaps them to whole words)."""
    start, text = db.execute("SELECT start, text FROM segments WHERE document_id = ? AND seq = ?",
                             [document_id, seq]).fetchone()
    words = [m for m in re.finditer(r"\w+", text) if len(m.group()) > 2]
    return start + words[1].start() + 1, start + words[3].end() - 1


def _segment_id(db, document_id: int, seq: int) -> int:
    return db.execute("SELECT id FROM segments WHERE document_id = ? AND seq = ?",
                      [document_id, seq]).fetchone()[0]


def report(samples: dict[str, list[float]], print_line: Callable[[str], None] = print) -> None:
    """p50 / p95 / max per action in milliseconds."""
    print_line(f"{'action':<38}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, values in samples.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        flag = "" if p95 < 300 else "  over 300 ms"
        print_line(f"{name:<38}{len(values):>4}{statistics.median(values):>9.0f}{p95:>9.0f}"
                   f"{ordered[-1]:>9.0f}{flag}")


def main() -> None:
    """Command line: --repeat N, --words N."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--words", type=int, default=1_000_000)
    args = parser.parse_args()
    path = prepare(args.words)
    db = open_db(path, create=False)
    documents, segments, codings = db.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM segments), "
        "(SELECT count(*) FROM codings)").fetchone()
    print(f"{path.name}: {documents} documents, {segments:,} segments, {codings:,} codings; "
          f"Python {sys.version.split()[0]}")
    report(measure(path, args.repeat))


if __name__ == "__main__":
    main()
