"""The app's warm-up (kvali.ui.warmup): the pages' first views read what it computed, and show
exactly what they show without it, also after a change made while it ran."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_support import build_project, no_failures, page_test

import kvali.analysis.cooccurrence as cooccurrence_module
import kvali.analysis.crosstab as crosstab_module
import kvali.analysis.kept as kept_module
import kvali.search.facts as facts_module
from kvali.analysis.cooccurrence import cooccurrence, kept_cooccurrence
from kvali.analysis.crosstab import crosstab, kept_crosstab
from kvali.coding.store import add_manual_coding, decide
from kvali.selection import Selection
from kvali.store import open_db
from kvali.ui import warmup
from kvali.ui.pages.analysis import warm_analysis

SHOWN = ("markdown", "caption", "dataframe", "selectbox", "multiselect", "arrow_vega_lite_chart",
         "info", "success", "metric")
"""The elements whose content a comparison of two renders covers."""


def _views(project: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """What the first view of each page with computed figures shows, element by element."""
    monkeypatch.setenv("KVALI_DB", str(project))
    shown: dict[str, list] = {}
    for page in ("overview", "documents", "suggestions", "analysis"):
        at = page_test(page)
        no_failures(at)
        shown[page] = _content(at)
        if page == "analysis":
            at.radio(key="kvali.analysis.view").set_value("cooccurrence").run()
            no_failures(at)
            shown["cooccurrence"] = _content(at)
    at = page_test("search")
    at.text_input(key="kvali.search.query").input("netværk").run()
    no_failures(at)
    shown["search"] = _content(at)
    return shown


def _same(shown: dict[str, list], expected: dict[str, list]) -> None:
    assert shown.keys() == expected.keys()
    for page, elements in expected.items():
        assert [kind for kind, _ in shown[page]] == [kind for kind, _ in elements], page
        for (kind, got), (_, want) in zip(shown[page], elements, strict=True):
            # a document's header names its source file, in the other project's folder
            assert got == want.replace(b"/cold/", b"/warm/"), (page, kind)


def _content(at: AppTest) -> list:
    return [(kind, element.proto.SerializeToString()) for kind in SHOWN
            for element in at.main.get(kind)]  # the sidebar names the file


class _Builds:
    """Records every figure computed from scratch (the kept figures' builders)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[str] = []
        for module, name in ((crosstab_module, "CrosstabCounts"),
                             (cooccurrence_module, "CooccurrenceCounts"),
                             (kept_module, "GroupCounts")):
            monkeypatch.setattr(module, name, self._recording(getattr(module, name), name))
        real_read = facts_module._read
        monkeypatch.setattr(facts_module, "_read",
                            lambda db: self.made.append("search facts") or real_read(db))

    def _recording(self, cls: type, name: str) -> type:
        made = self.made

        class Recorded(cls):  # type: ignore[misc, valid-type]
            def __init__(self, db, *args, **kwargs) -> None:
                made.append(name if name != "GroupCounts" else f"{name} {args[0]}")
                super().__init__(db, *args, **kwargs)

        return Recorded


def _warmed(project: Path) -> warmup.Warmup:
    db = open_db(project)
    try:
        started = warmup.warm_up(db)
    finally:
        db.close()
    assert started is not None
    assert started.wait(120)
    assert started.failed == []
    return started


def test_first_views_after_the_warm_up_compute_nothing_and_show_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = build_project(tmp_path / "cold")
    warm = build_project(tmp_path / "warm")
    monkeypatch.setenv("KVALI_WARMUP", "0")
    expected = _views(cold, monkeypatch)
    monkeypatch.delenv("KVALI_WARMUP")
    done = _warmed(warm)
    assert done.seconds is not None and done.seconds >= 0
    builds = _Builds(monkeypatch)
    _same(_views(warm, monkeypatch), expected)
    assert builds.made == [], "a first view after the warm-up computed a figure afresh"
    db = open_db(warm)
    assert kept_crosstab(db, "region") == crosstab(db, "region")
    assert kept_cooccurrence(db, level="themes") == cooccurrence(db, level="themes")
    db.close()


def test_a_change_during_the_warm_up_is_in_the_first_views(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = build_project(tmp_path / "cold")
    warm = build_project(tmp_path / "warm")
    reached, go_on = threading.Event(), threading.Event()

    def pause(db) -> None:
        reached.set()
        assert go_on.wait(60)

    half = len(warmup.STEPS) // 2  # figures before the change are brought up to date
    monkeypatch.setattr(warmup, "STEPS", [*warmup.STEPS[:half], ("pause", pause),
                                          *warmup.STEPS[half:]])
    db = open_db(warm)
    started = warmup.warm_up(db)
    assert started is not None and reached.wait(60)
    for path in (warm, cold):
        _change(path)
    go_on.set()
    assert started.wait(120) and started.failed == []
    monkeypatch.setenv("KVALI_WARMUP", "0")
    expected = _views(cold, monkeypatch)
    monkeypatch.delenv("KVALI_WARMUP")
    _same(_views(warm, monkeypatch), expected)
    db.close()


def _change(path: Path) -> None:
    """A manual coding and an accepted suggestion, as another session would make them."""
    db = open_db(path)
    segment = db.execute("SELECT id FROM segments WHERE text LIKE '%frivillig%' LIMIT 1"
                         ).fetchone()[0]
    add_manual_coding(db, segment, "paragraf18", "mette")
    suggestion = db.execute("SELECT min(id) FROM codings WHERE status = 'suggested'"
                            ).fetchone()[0]
    decide(db, [suggestion], "accepted", "mette")
    db.close()


def test_a_failing_step_is_logged_in_one_line_and_the_page_computes_it(
        project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(db) -> None:
        raise RuntimeError("Mette Hansen sagde noget")  # never in the log

    monkeypatch.setattr(warmup, "STEPS", [("analysis", broken), *warmup.STEPS[:1]])
    db = open_db(project)
    started = warmup.warm_up(db)
    assert started is not None and started.wait(60)
    assert started.failed == ["analysis"]
    assert warmup.warm_up(db) is started, "one warm-up per project and material"
    db.close()
    records = [r for r in caplog.records if r.name == warmup.__name__]
    assert len(records) == 1 and records[0].exc_info is None
    assert "Mette" not in records[0].getMessage() and "RuntimeError" in records[0].getMessage()
    at = page_test("analysis")
    no_failures(at)
    assert at.dataframe, "the page computes the crosstab itself"


def test_a_page_during_the_warm_up_shares_its_computation(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = _Builds(monkeypatch)
    recorded_read = facts_module._read

    def slow_read(db):
        time.sleep(0.3)  # widens the window in which both threads want the facts
        return recorded_read(db)

    monkeypatch.setattr(facts_module, "_read", slow_read)
    db = open_db(project)
    started = warmup.warm_up(db)
    assert started is not None
    facts_module.scope(db, Selection())
    warm_analysis(db)
    assert started.wait(120) and started.failed == []
    db.close()
    assert builds.made.count("search facts") == 1
    assert builds.made.count("CrosstabCounts") == 1
    assert builds.made.count("CooccurrenceCounts") == 1


def test_no_warm_up_for_a_project_in_memory_or_when_turned_off(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert warmup.warm_up(open_db(":memory:")) is None
    monkeypatch.setenv("KVALI_WARMUP", "0")
    db = open_db(project)
    assert warmup.warm_up(db) is None
    db.close()
