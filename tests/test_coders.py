"""Double coding: assignments, done marks and blind mode in the store, the views and the
`kvali coders` commands, each checked against the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlite_utils import Database

from kvali.access import AccessDenied, Actor, set_actor
from kvali.cli.coders import coders
from kvali.coders.blind import decide_blind, is_blind, set_blind
from kvali.coders.work import coder_progress, document_coders, is_done, set_assigned, set_done
from kvali.coding.store import add_manual_coding, decide
from kvali.domain import AUTO_CODER, SHOWN_STATUSES
from kvali.errors import UsageError
from kvali.selection import Selection
from kvali.store import open_db
from kvali.views.documents import list_documents, segment_page
from kvali.views.suggestions import (
    count_suggestions,
    suggestion_documents,
    suggestion_groups,
    suggestion_ids,
    suggestion_queue,
)

NETWORK = "Gruppeinterview om netværk"


@pytest.fixture(autouse=True)
def no_actor() -> Iterator[None]:
    """Every test starts and ends outside access control."""
    set_actor(None)
    yield
    set_actor(None)


@pytest.fixture
def db(project: Path) -> Database:
    return open_db(project, create=False)


def _document(db: Database, name: str = NETWORK) -> int:
    return db.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0]


def _segments(db: Database, document_id: int) -> list[tuple[int, int, int]]:
    return db.execute('SELECT id, start, "end" FROM segments WHERE document_id = ? ORDER BY seq',
                      [document_id]).fetchall()


def _pending(db: Database, document_id: int) -> list[int]:
    return [row[0] for row in db.execute(
        "SELECT id FROM codings WHERE document_id = ? AND status = 'suggested' ORDER BY id",
        [document_id])]


def _seen(db: Database, document_id: int, coder: str | None) -> set[tuple[str, str]]:
    """(code, coder) of every coding the reader shows on the document's first page."""
    return {(c.code_key, c.coder) for s in segment_page(db, document_id, 0, coder=coder)
            for c in s.codings}


def _run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(coders, [*args, "--db", str(project)])


def test_blind_coder_sees_only_own_codings_in_reader_and_list(db: Database) -> None:
    document_id = _document(db)
    first, second, *_ = _segments(db, document_id)
    add_manual_coding(db, first[0], "civil", "anna")
    add_manual_coding(db, second[0], "paragraf18", "bo")
    accepted = _pending(db, document_id)[0]
    decide(db, [accepted], "accepted", "anna")
    anna_accepted = db.execute("SELECT code_key FROM codings WHERE id = ?",
                               [accepted]).fetchone()[0]
    set_blind(db, "bo", True)
    assert _seen(db, document_id, "bo") == {("paragraf18", "bo")}
    assert _seen(db, document_id, "anna") == {("civil", "anna"), (anna_accepted, "anna")}
    assert _seen(db, document_id, None) == {("civil", "anna"), ("paragraf18", "bo"),
                                             (anna_accepted, "anna")}
    pending = len(_pending(db, document_id))
    shown = {(c.status, c.coder) for s in segment_page(db, document_id, 0,
                                                       statuses=SHOWN_STATUSES, coder="bo")
             for c in s.codings}
    assert shown == {("suggested", AUTO_CODER), ("manual", "bo")}  # pending stay visible
    [row] = [r for r in list_documents(db, coder="bo") if r.id == document_id]
    assert (row.coded, row.suggested) == (1, pending)
    [row] = [r for r in list_documents(db) if r.id == document_id]
    assert (row.coded, row.suggested) == (3, pending)
    assert [r.id for r in list_documents(db, has_codes=True, coder="cecilie")] == []
    assert document_id in [r.id for r in list_documents(db, has_codes=True, coder="bo")]


def test_blind_review_keeps_each_coders_decision_apart(db: Database) -> None:
    document_id = _document(db)
    suggestion, other = _pending(db, document_id)[:2]
    queue = count_suggestions(db, Selection())
    assert decide_blind(db, [suggestion], "accepted", "anna") == 1
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [suggestion]).fetchone() == ("accepted", "anna")
    assert count_suggestions(db, Selection()) == queue - 1
    assert count_suggestions(db, Selection(), coder="anna") == queue - 1
    assert count_suggestions(db, Selection(), coder="bo") == queue
    assert suggestion in [s.id for s in suggestion_queue(db, Selection(), limit=100, coder="bo")]
    assert decide_blind(db, [suggestion], "rejected", "bo") == 1
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [suggestion]).fetchone() == ("accepted", "anna")
    copy = db.execute("SELECT origin, status, provenance FROM codings WHERE coder = 'bo'"
                      ).fetchone()
    assert copy == ("manual", "rejected", json.dumps({"rejected_suggestion": suggestion}))
    assert count_suggestions(db, Selection(), coder="bo") == queue - 1
    assert decide_blind(db, [suggestion], "accepted", "bo") == 0  # decided already
    decide(db, [other], "rejected", "anna")
    assert decide_blind(db, [other], "accepted", "cecilie") == 1
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [other]).fetchone() == ("rejected", "anna")
    [(status, provenance)] = db.execute(
        "SELECT status, provenance FROM codings WHERE coder = 'cecilie'").fetchall()
    assert (status, json.loads(provenance)) == ("manual", {"accepted_suggestion": other})
    code = db.execute("SELECT code_key FROM codings WHERE id = ?", [other]).fetchone()[0]
    assert _seen(db, document_id, "cecilie") == {(code, "cecilie")}
    assert other not in suggestion_ids(db, Selection(), coder="cecilie")


def test_blind_queue_filters_groups_and_documents_count_what_the_coder_has_left(
        db: Database) -> None:
    ids = suggestion_ids(db, Selection())
    decide(db, ids, "accepted", "anna")
    assert count_suggestions(db, Selection()) == 0
    assert suggestion_documents(db) == []
    assert sum(g["count"] for g in suggestion_groups(db, Selection(), coder="bo")) == len(ids)
    assert sum(count for _, _, count in suggestion_documents(db, coder="bo")) == len(ids)
    assert suggestion_ids(db, Selection(), coder="anna") == []
    assert decide_blind(db, ids, "accepted", "bo") == len(ids)
    assert count_suggestions(db, Selection(), coder="bo") == 0
    assert db.execute("SELECT count(*) FROM codings WHERE status = 'accepted' AND coder = 'anna'"
                      ).fetchone()[0] == len(ids)


def test_blind_mode_is_stored_per_coder(db: Database) -> None:
    assert not is_blind(db, "anna")
    set_blind(db, " anna ", True)
    assert is_blind(db, "anna") and not is_blind(db, "bo")
    set_blind(db, "anna", False)
    assert not is_blind(db, "anna")
    with pytest.raises(UsageError):
        set_blind(db, "  ", True)


def test_assign_and_done_marks_are_independent_and_tidy(db: Database) -> None:
    document_id = _document(db)
    assert set_assigned(db, "anna", [document_id, document_id], True) == 1
    assert set_assigned(db, "anna", [document_id], True) == 0
    assert set_done(db, "anna", [document_id], True) == 1
    assert set_assigned(db, "anna", [document_id], False) == 1
    assert is_done(db, "anna", document_id) and document_coders(db, document_id) == []
    assert set_done(db, "anna", [document_id], False) == 1
    assert db.execute("SELECT count(*) FROM coder_documents").fetchone()[0] == 0
    with pytest.raises(UsageError, match="no document with id 999"):
        set_assigned(db, "anna", [document_id, 999], True)
    assert db.execute("SELECT count(*) FROM coder_documents").fetchone()[0] == 0
    events = [row[0] for row in db.execute(
        "SELECT action FROM events WHERE action IN ('assign', 'unassign', 'done', 'undone') "
        "ORDER BY id")]
    assert events == ["assign", "done", "unassign", "undone"]


def test_permissions_for_assigning_and_marking(db: Database) -> None:
    document_id = _document(db)
    set_actor(Actor("bo", "coder"))
    with pytest.raises(AccessDenied):
        set_assigned(db, "bo", [document_id], True)
    set_done(db, "bo", [document_id], True)
    set_blind(db, "bo", True)
    set_actor(Actor("læser", "reader"))
    for write in (lambda: set_done(db, "læser", [document_id], True),
                  lambda: set_blind(db, "læser", True),
                  lambda: decide_blind(db, _pending(db, document_id), "accepted", "læser")):
        with pytest.raises(AccessDenied):
            write()
    set_actor(Actor("admin", "admin"))
    set_assigned(db, "bo", [document_id], True, by="admin")
    assert db.execute("SELECT actor FROM events WHERE action = 'assign'").fetchone() == ("admin",)


def test_cli_assign_done_blind_and_list(project: Path, db: Database) -> None:
    network, hostile = _document(db), _document(db, "Interview med mærkelige tegn")
    result = _run(project, "assign", "anna", str(network), str(hostile))
    assert result.exit_code == 0, result.output
    assert result.output == "anna: 2 document(s) assigned\n"
    assert _run(project, "unassign", "anna", str(hostile)).output == \
        "anna: 1 document(s) unassigned\n"
    assert _run(project, "done", "anna", str(network)).output == "anna: 1 document(s) marked done\n"
    assert _run(project, "done", "bo", str(hostile)).exit_code == 0
    assert _run(project, "undone", "bo", str(hostile)).output == \
        "bo: 1 document(s) no longer done\n"
    assert _run(project, "blind", "bo", "on").output == "bo: blind mode on\n"
    add_manual_coding(db, _segments(db, network)[0][0], "civil", "anna")
    add_manual_coding(db, _segments(db, hostile)[1][0], "civil", "anna")
    listed = json.loads(_run(project, "list", "--json").output)
    assert listed == [
        {"coder": "anna", "assigned": 1, "done": 1, "documents": 2, "codings": 2,
         "blind": False},
        {"coder": "bo", "assigned": 0, "done": 0, "documents": 0, "codings": 0, "blind": True}]
    assert [p.to_dict() for p in coder_progress(db)] == listed
    table = _run(project, "list").output.splitlines()
    assert table[1].split() == ["anna", "1", "1", "2", "2", "off"]
    failed = _run(project, "assign", "anna", "999")
    assert failed.exit_code != 0 and "no document with id 999" in str(failed.exception)
    assert _run(project, "blind", "bo", "maybe").exit_code == 2
