"""Figures kept up to date (kvali.analysis.kept) equal a from-scratch computation after every
kind of change: suggestions accepted, rejected and put back, codings added and removed by hand,
a second connection writing, codes merged and split, a project merged in, a document
re-imported, re-typed and deleted, a tagging run. Coding changes are counted in, not recounted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database
from test_ui_support import NETWORK, build_project

from kvali.analysis import kept as kept_module
from kvali.analysis.cooccurrence import CooccurrenceCounts, cooccurrence, kept_cooccurrence
from kvali.analysis.crosstab import ATTRIBUTES, CrosstabCounts, crosstab, kept_crosstab
from kvali.analysis.kept import GroupCounts
from kvali.codebook.edit import merge_codes, split_code
from kvali.coding.store import (
    add_manual_coding,
    decide,
    remove_coding,
    save_memo,
    set_key_quote,
)
from kvali.merge import merge_project
from kvali.selection import Selection, project_coders
from kvali.store import open_db
from kvali.store.documents import delete_documents, set_document_kind
from kvali.store.reimport import reimport_document
from kvali.tagging.run import tag_project
from kvali.views.codes import code_tree
from kvali.views.documents import list_documents
from kvali.views.overview import project_overview
from kvali.views.suggestions import count_suggestions, suggestion_documents, suggestion_groups

SELECTIONS = [Selection(), Selection(status=("accepted", "manual")),
              Selection(region=("Region Midtjylland",)), Selection(code=("netvaerk",)),
              Selection(kind=("interview",), coder=("mette",))]


def views(db: Database) -> dict[str, object]:
    """Every figure the app keeps, through the functions the pages call."""
    found: dict[str, object] = {
        "tree": [(n.key, n.counts) for n in code_tree(db)], "coders": project_coders(db),
        "overview": project_overview(db), "documents": list_documents(db),
        "suggestion documents": suggestion_documents(db),
        "groups": suggestion_groups(db, Selection())}
    for number, selection in enumerate(SELECTIONS):
        found[f"pending {number}"] = count_suggestions(db, selection)
        for attribute in ATTRIBUTES:
            for rollup in (True, False):
                found[f"crosstab {number} {attribute} {rollup}"] = kept_crosstab(
                    db, attribute, selection, rollup=rollup)
        for window in (0, 1):
            for level in ("codes", "themes"):
                result = kept_cooccurrence(db, selection, window=window, level=level)
                found[f"cooccurrence {number} {window} {level}"] = (
                    result.codes, result.names, result.matrix)
    return found


def fresh(db: Database) -> dict[str, object]:
    """The same figures computed from scratch."""
    kept_module._KEPT.clear()
    found = views(db)
    kept_module._KEPT.clear()
    for number, selection in enumerate(SELECTIONS):
        for attribute in ATTRIBUTES:
            for rollup in (True, False):
                assert found[f"crosstab {number} {attribute} {rollup}"] == crosstab(
                    db, attribute, selection, rollup=rollup)
        for window in (0, 1):
            for level in ("codes", "themes"):
                result = cooccurrence(db, selection, window=window, level=level)
                assert found[f"cooccurrence {number} {window} {level}"] == (
                    result.codes, result.names, result.matrix)
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path / "kept")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often kept figures were built and updated (with room to keep all of them)."""
    monkeypatch.setattr(kept_module, "MAX_KEPT", 1000)
    counted = {"build": 0, "update": 0}
    for kind in (CrosstabCounts, CooccurrenceCounts, GroupCounts):
        for name in ("__init__", "update"):
            monkeypatch.setattr(kind, name, _counting(getattr(kind, name), counted,
                                                       "build" if name == "__init__" else name))
    return counted


def _counting(method: Callable, counted: dict[str, int], key: str) -> Callable:
    def wrapper(*args, **kwargs):
        counted[key] += 1
        return method(*args, **kwargs)
    return wrapper


def check(db: Database, calls: dict[str, int], *, counted_in: bool) -> None:
    """The kept figures equal fresh ones; with COUNTED_IN, they were updated, not rebuilt."""
    before = dict(calls)
    kept = views(db)
    if counted_in:
        assert calls["build"] == before["build"] and calls["update"] > before["update"]
    else:
        assert calls["build"] > before["build"]
    assert kept == fresh(db)
    assert views(db) == kept  # and kept again without any change


def suggestions(db: Database, n: int = 1) -> list[int]:
    return [row[0] for row in db.execute(
        "SELECT id FROM codings WHERE status = 'suggested' ORDER BY id LIMIT ?", [n])]


def segment(db: Database, needle: str) -> int:
    return db.execute("SELECT id FROM segments WHERE text LIKE ? ORDER BY id",
                      [f"%{needle}%"]).fetchone()[0]


def test_coding_changes_are_counted_in(project: Path, calls: dict[str, int]) -> None:
    db = open_db(project, create=False)
    views(db)
    decide(db, suggestions(db, 2), "accepted", "mette")
    check(db, calls, counted_in=True)
    decide(db, suggestions(db), "rejected", "jonas")
    check(db, calls, counted_in=True)
    accepted = db.execute("SELECT id FROM codings WHERE status = 'accepted'").fetchone()[0]
    decide(db, [accepted], "suggested", "mette")
    check(db, calls, counted_in=True)
    whole = add_manual_coding(db, segment(db, "netværk"), "civil", "mette")  # supersedes
    start = db.execute("SELECT start FROM segments WHERE id = ?",
                       [segment(db, "frivillig")]).fetchone()[0]
    add_manual_coding(db, segment(db, "frivillig"), "netvaerk.moeder", "jonas",
                      span=(start + 2, start + 9))
    check(db, calls, counted_in=True)
    remove_coding(db, whole, "mette")
    set_key_quote(db, suggestions(db)[0], True, "mette")
    save_memo(db, "coding", suggestions(db)[0], "Et memo.", "mette")
    check(db, calls, counted_in=True)
    other = open_db(project, create=False)  # another session writes
    decide(other, suggestions(other, 3), "accepted", "anne")
    other.execute("DELETE FROM codings WHERE id = (SELECT max(id) FROM codings)")
    add_manual_coding(other, segment(other, "pårørende"), "civil", "anne")  # reuses the id
    other.close()
    check(db, calls, counted_in=True)


def test_project_merge_and_codebook_changes(project: Path, tmp_path: Path,
                                            calls: dict[str, int]) -> None:
    db = open_db(project, create=False)
    other = tmp_path / "other.db"
    with sqlite3.connect(project) as source, sqlite3.connect(other) as target:
        source.backup(target)
    theirs = open_db(other, create=False)
    add_manual_coding(theirs, segment(theirs, "frivillig"), "civil", "anne")
    decide(theirs, suggestions(theirs, 2), "accepted", "anne")
    theirs.close()
    views(db)
    merge_project(db, other)
    check(db, calls, counted_in=True)  # codings on documents this project has
    codebook = project.parent / "codebook.yaml"
    merge_codes(db, codebook, "netvaerk.moeder", "netvaerk", "mette")
    check(db, calls, counted_in=False)
    civil = [row[0] for row in db.execute("SELECT id FROM codings WHERE code_key = 'civil'")]
    split_code(db, codebook, "civil", "civil.frivillige", "Frivillige", civil[:1], "mette")
    check(db, calls, counted_in=False)


def test_material_changes_count_afresh_and_tagging_counts_in(project: Path,
                                                             calls: dict[str, int]) -> None:
    db = open_db(project, create=False)
    interview = db.execute("SELECT id FROM documents WHERE kind = 'interview' ORDER BY id"
                           ).fetchone()[0]
    views(db)
    changed = project.parent / "files" / "netvaerk-2.md"
    changed.write_text(NETWORK.replace("netværket", "netværket i dag", 1), encoding="utf-8")
    reimport_document(db, interview, changed, None, "mette")
    check(db, calls, counted_in=False)
    interview = db.execute("SELECT max(id) FROM documents WHERE kind = 'interview'"
                           ).fetchone()[0]
    set_document_kind(db, interview, "report", "mette")
    check(db, calls, counted_in=False)
    tag_project(db, force=True)  # a small run: its codings are counted in
    check(db, calls, counted_in=True)
    delete_documents(db, [interview], "mette")
    check(db, calls, counted_in=False)
