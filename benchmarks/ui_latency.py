"""Server time of the workbench's page switches and coding actions on the 1M- and 5M-word projects.

Works on a copy of benchmarks/out/bench-1m.db (built by build_project.py when missing; for 5M
words bench-5m.db) with the repository's codebook.yaml loaded and tagged, plus one generated
5,000-segment transcript. A Streamlit `AppTest` session runs the pages exactly as app.py does;
the figure for an action is the wall time of the `at.run()` that follows it (the rerun that
performs the write and redraws the page), which is what the server spends before the browser
can paint. Target: p95 <= 300 ms.

"code a selection (reader)" fires the reader component's `code` event (the words a mouse drag
selected in one segment of the page, and a code) the way the browser sends it; the browser's
own click-to-settled time for the same action is measured by reader_coding.py.

"after a coding change: page X" first makes one coding change through kvali's own functions
(a suggestion accepted, a segment coded by hand, a suggestion rejected, in turn), as another
session or the reader would, then switches to page X: the first view of X after the change,
which is where cached figures must be brought up to date. The Analyse page is timed so in both
of its computed views (Krydstabeller and Samforekomst). "cold: ..." is the first view of each
in the process (after a server start, or a new choice of filters), when nothing is kept yet.

"1st view, no warm-up: X" and "1st view after warm-up: X" are the first view of each
page in a fresh server process (one child process per sample, `--first N` of each): without the
app's warm-up (kvali.ui.warmup, turned off with KVALI_WARMUP=0, as in every other row), and once
the warm-up that the first page (Overblik) started has finished; "warm-up: done after" is how
long that took from its start (not a page time). `--first-only` measures only these.

Every measurement runs in a child process on its own copy of the prepared project, so
`--before DIR` (a checkout, e.g. `git worktree add /tmp/kvali-ui-old COMMIT`) runs the same
actions with DIR/src in front of the installed kvali in the same run, and the table gives both
and their ratio (code from before the change log gets a copy without it, see
`without_change_log`). `--words 1000000 5000000` measures each size whose project exists
(bench-5m.db is used when present, never built here).

    python benchmarks/ui_latency.py [--repeat 20] [--words 1000000 5000000] [--before DIR]
                                    [--first 5] [--first-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from build_project import OUT, build
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from streamlit.testing.v1 import AppTest

from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.coding.store import add_manual_coding, decide
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
for name in {pages}:  # imported before the first page is shown, as app.py imports them
    importlib.import_module(f"kvali.ui.pages.{name}")
init_session()
sidebar()
name = st.session_state.get("bench.page", "overview")
getattr(importlib.import_module(f"kvali.ui.pages.{name}"), f"{name}_page")()
"""


def prepare(words: int) -> Path:
    """A tagged copy of the benchmark project with one very long transcript."""
    source = OUT / f"bench-{words // 1_000_000}m.db"
    if not source.exists():
        if words > 1_000_000:
            raise SystemExit(f"{source.name} is missing (build_project.py --words {words})")
        source = build(words)
    target = OUT / f"{source.stem}-ui.db"
    if target.exists() and target.stat().st_mtime > source.stat().st_mtime:
        open_db(target).close()  # upgraded once here, not in every child's copy
        Path(f"{target}.bak").unlink(missing_ok=True)
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
    os.environ["KVALI_WARMUP"] = "0"  # every view here as without the app's warm-up
    switching = session(SWITCHING.replace("{pages}", repr(PAGES)))
    switching.session_state["bench.page"] = "analysis"
    timed(switching, samples, "cold: Analyse crosstab, 1st in a process")
    switching.session_state["kvali.analysis.view"] = "cooccurrence"
    timed(switching, samples, "cold: Analyse co-occurrence, 1st in a process")
    switching.radio(key="kvali.analysis.view").set_value("crosstab")
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
    after_changes(db, switching, repeat, samples)
    return samples


def first_views(path: Path, warm: bool) -> dict[str, list[float]]:
    """The first view of each page in this (fresh) process, without the warm-up or after it."""
    os.environ["KVALI_DB"] = str(path)
    os.environ["KVALI_WARMUP"] = "1" if warm else "0"
    label = "1st view after warm-up" if warm else "1st view, no warm-up"
    samples: dict[str, list[float]] = {}
    started = time.perf_counter()
    switching = session(SWITCHING.replace("{pages}", repr(PAGES)))  # Overblik: starts it
    samples[f"{label}: page overview"] = [(time.perf_counter() - started) * 1000]
    if warm:
        from kvali.analysis.kept import project_key
        from kvali.ui.warmup import warmup_of

        db = open_db(path, create=False)
        held = warmup_of(project_key(db))
        db.close()
        if held is None or not held.wait(600) or held.failed:
            raise SystemExit(f"warm-up: {'not started' if held is None else held.failed}")
        samples["warm-up: done after (ms from its start)"] = [held.seconds * 1000]
    for page in ("documents", "suggestions", "search", "analysis"):
        switching.session_state["bench.page"] = page
        if page == "search":
            switching.session_state["kvali.search.query"] = QUERIES[0]
        timed(switching, samples, f"{label}: page {page}" + (f" {QUERIES[0]}" * (page == "search")))
    switching.session_state["kvali.analysis.view"] = "cooccurrence"
    timed(switching, samples, f"{label}: Analyse co-occurrence")
    return samples


def after_changes(db, switching: AppTest, repeat: int, samples: dict[str, list[float]]) -> None:
    """One coding change (accept, code by hand, reject in turn), then the first view of a page;
    the Analyse page in both its computed views."""
    changes = _changes(db)
    for _ in range(repeat):
        for page in PAGES:
            next(changes)
            switching.session_state["bench.page"] = page
            timed(switching, samples, f"after a coding change: page {page}")
        next(changes)
        switching.session_state["bench.page"] = "analysis"
        switching.session_state["kvali.analysis.view"] = "cooccurrence"
        timed(switching, samples, "after a coding change: Analyse co-occurrence")
        switching.radio(key="kvali.analysis.view").set_value("crosstab")


def _changes(db):
    """An endless series of single coding changes, as another session would make them."""
    code = db.execute("SELECT key FROM codes WHERE active = 1 ORDER BY position DESC LIMIT 1"
                      ).fetchone()[0]
    segments = [row[0] for row in db.execute(
        "SELECT id FROM segments ORDER BY (id * 7919) % 10007 LIMIT 2000")]
    for i in range(10**9):
        kind = i % 3
        if kind == 1:
            add_manual_coding(db, segments[i % len(segments)], code, "benchmark")
        else:
            row = db.execute("SELECT id FROM codings WHERE status = 'suggested' "
                             "ORDER BY (id * 7919) % 10007 LIMIT 1").fetchone()
            decide(db, [row[0]], "accepted" if kind == 0 else "rejected", "benchmark")
        yield


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


def percentiles(values: list[float]) -> tuple[float, float]:
    """(median, p95) of the samples."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def report(results: dict[str, dict[str, list[float]]],
           print_line: Callable[[str], None] = print) -> None:
    """Per action: p50 / p95 (ms) of each code version, and after/before ratios."""
    versions = list(results)
    head = "".join(f"{v + ' p50':>14}{v + ' p95':>14}" for v in versions)
    ratio = f"{'p95 ratio':>11}" if len(versions) == 2 else ""
    print_line(f"{'action':<48}{'n':>4}{head}{ratio}")
    for name, values in results[versions[-1]].items():
        cells, p95s = "", []
        for version in versions:
            p50, p95 = percentiles(results[version].get(name) or [float("nan")])
            cells += f"{p50:>14.0f}{p95:>14.0f}"
            p95s.append(p95)
        ratio = f"{p95s[1] / p95s[0]:>11.2f}" if len(versions) == 2 else ""
        flag = "" if p95s[-1] <= 300 or name.startswith("warm-up") else "  over 300 ms"
        print_line(f"{name:<48}{len(values):>4}{cells}{ratio}{flag}")


def run_child(project: Path, repeat: int, src: Path | None, first: int = 0,
              first_only: bool = False) -> dict[str, list[float]]:
    """Measure on a fresh copy of PROJECT in a child process, with SRC in front of the
    installed kvali when given; then FIRST fresh children per mode time the first views on
    that copy (they only read it)."""
    with tempfile.TemporaryDirectory() as folder:
        copy, out = Path(folder) / project.name, Path(folder) / "samples.json"
        with sqlite3.connect(project) as src_db, sqlite3.connect(copy) as dst_db:
            src_db.backup(dst_db)
        if src and not (src / "kvali" / "store" / "schema_changes.py").exists():
            without_change_log(copy)
        samples: dict[str, list[float]] = {}
        modes = ["cold"] + (["warm"] if not src or (src / "kvali/ui/warmup.py").exists() else [])
        for _ in range(first):
            for mode in modes:
                _child(samples, copy, out, src, "--first-views", mode)
        if not first_only:
            _child(samples, copy, out, src, "--repeat", str(repeat))
        return samples


def _child(samples: dict[str, list[float]], copy: Path, out: Path, src: Path | None,
           *options: str) -> None:
    """Run one child process on COPY and add its samples."""
    subprocess.run([sys.executable, __file__, "--child", str(copy), *options, "--json",
                    str(out)], check=True, env=_env(src))
    for name, values in json.loads(out.read_text()).items():
        samples.setdefault(name, []).extend(values)


def without_change_log(path: Path) -> None:
    """Take the change log (migration kvali.changes m001) out of a copy again, for code from
    before it, which refuses a project with a migration it does not know."""
    with sqlite3.connect(path) as db:
        for kind, name in db.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view', 'index',"
                " 'table') AND (name LIKE 'coding_change%' OR name LIKE 'material_%' OR name = "
                "'codings_coder') ORDER BY type = 'table'").fetchall():
            db.execute(f"DROP {kind.upper()} IF EXISTS {name}")
        db.execute("DELETE FROM _sqlite_migrations WHERE migration_set = 'kvali.changes'")


def _env(src: Path | None) -> dict[str, str]:
    """The environment of a child: SRC (another checkout's src/) in front of kvali if given."""
    env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "error"}
    if src:
        env["PYTHONPATH"] = str(src)
    return env


def main() -> None:
    """Command line: --repeat N, --words N..., --before DIR; --child/--json internally."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--words", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="a checkout of older code (its src/ runs the same actions)")
    parser.add_argument("--first", type=int, default=5, metavar="N",
                        help="fresh processes per mode timing the first views (default 5)")
    parser.add_argument("--first-only", action="store_true",
                        help="time only the first views in fresh processes")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--first-views", choices=("cold", "warm"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        samples = first_views(args.child, args.first_views == "warm") if args.first_views \
            else measure(args.child, args.repeat)
        args.json.write_text(json.dumps(samples))
        return
    before = args.before.resolve() / "src" if args.before else None
    for words in args.words:
        if words > 1_000_000 and not (OUT / f"bench-{words // 1_000_000}m.db").exists():
            print(f"{words:,} words: no bench-{words // 1_000_000}m.db yet, skipped")
            continue
        path = prepare(words)
        with sqlite3.connect(path) as db:
            documents, segments, codings = db.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM segments), "
                "(SELECT count(*) FROM codings)").fetchone()
        print(f"{path.name}: {documents} documents, {segments:,} segments, {codings:,} codings; "
              f"Python {sys.version.split()[0]}, {args.repeat} runs of each action")
        results = {}
        if before:
            results["before"] = run_child(path, args.repeat, before, args.first,
                                          args.first_only)
        results["after"] = run_child(path, args.repeat, None, args.first, args.first_only)
        report(results)


if __name__ == "__main__":
    main()
