"""The change log (kvali.store.schema_changes, kvali.store.changes): every coding write is
logged with the coding as it was, material changes move the mark, the log is trimmed, and a
mark from another history or from before the trimmed part asks for a fresh computation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database
from test_ui_support import build_project

from kvali.coding.store import add_manual_coding, decide, remove_coding, save_memo
from kvali.store import open_db
from kvali.store.changes import changes_since, current_mark, snapshot
from kvali.store.schema_changes import CHANGES_KEPT


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_db(build_project(tmp_path / "changes"), create=False)


def log(db: Database, since: int) -> list[tuple]:
    return db.execute("SELECT id, op, status, code_key FROM coding_changes WHERE change_id > ? "
                      "ORDER BY change_id", [since]).fetchall()


def test_each_write_is_logged_with_the_coding_as_it_was(db: Database) -> None:
    mark = current_mark(db)
    suggestion, code = db.execute("SELECT id, code_key FROM codings WHERE status = 'suggested' "
                                  "ORDER BY id").fetchone()
    decide(db, [suggestion], "accepted", "mette")
    save_memo(db, "coding", suggestion, "Et memo.", "mette")  # not a change to any figure
    segment = db.execute("SELECT id FROM segments WHERE id NOT IN (SELECT segment_id FROM "
                         "codings WHERE segment_id IS NOT NULL) ORDER BY id").fetchone()[0]
    made = add_manual_coding(db, segment, "civil", "mette")
    remove_coding(db, made, "mette")
    assert log(db, mark.change) == [(suggestion, "update", "suggested", code),
                                    (made, "delete", "manual", "civil")]  # inserts: by id
    changes = changes_since(db, mark, current_mark(db))
    assert changes is not None and changes.coding_ids == [suggestion, made]
    # the first row of each coding is the coding as it was at the mark; `made` did not exist
    assert [row[0] for row in db.execute(
        "SELECT coding_id FROM coding_change_facts WHERE change_id IN "
        "(SELECT value FROM json_each(?))", [str(changes.before)])] == [suggestion]


def ids(db: Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM codings ORDER BY id")]


def copy_of(db: Database, coding_id: int) -> None:
    """Insert a coding like CODING_ID (it gets the next id SQLite gives)."""
    db.execute('INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, '
               "origin, status, created_at, updated_at) SELECT document_id, segment_id, start, "
               '"end", code_key, coder, origin, status, created_at, updated_at FROM codings '
               "WHERE id = ?", [coding_id])


def test_new_codings_are_found_when_their_ids_come_back(db: Database) -> None:
    *_, gap, top = ids(db)
    db.execute("DELETE FROM codings WHERE id = ?", [gap])  # a gap before the mark
    mark = current_mark(db)
    db.execute("DELETE FROM codings WHERE id = ?", [top])
    copy_of(db, ids(db)[0])  # takes the gap's id
    db.execute("UPDATE codings SET status = 'rejected' WHERE id = ?", [gap])
    changes = changes_since(db, mark, current_mark(db))
    assert changes is not None and sorted(changes.coding_ids) == [gap, top]
    was = dict(db.execute("SELECT change_id, id FROM coding_changes"))
    assert [was[row] for row in changes.before] == [top]  # the gap did not exist at the mark


def test_a_coding_changed_and_deleted_then_its_id_reused(db: Database) -> None:
    top = ids(db)[-1]
    mark = current_mark(db)
    db.execute("UPDATE codings SET status = 'accepted' WHERE id = ?", [top])
    db.execute("DELETE FROM codings WHERE id = ?", [top])
    copy_of(db, ids(db)[0])
    assert ids(db)[-1] == top
    changes = changes_since(db, mark, current_mark(db))
    assert changes is not None and changes.coding_ids == [top]
    status = db.execute("SELECT status FROM coding_changes WHERE change_id = ?",
                        changes.before).fetchone()[0]
    assert status == "suggested"  # as it was at the mark


def test_the_old_coding_has_the_facts_of_coding_facts(db: Database) -> None:
    facts = [row[1] for row in db.execute("PRAGMA table_info(coding_facts)")]
    assert [row[1] for row in db.execute("PRAGMA table_info(coding_change_facts)")] == \
        ["change_id", "op", *facts]
    coding = db.execute("SELECT max(id) FROM codings").fetchone()[0]
    now = db.execute("SELECT * FROM coding_facts WHERE coding_id = ?", [coding]).fetchone()
    decide(db, [coding], "rejected", "mette")
    was = db.execute("SELECT * FROM coding_change_facts WHERE coding_id = ? "
                     "ORDER BY change_id DESC", [coding]).fetchone()
    skip = {facts.index(name) for name in ("score", "matched", "key_quote", "memo")}
    assert [v for i, v in enumerate(was[2:]) if i not in skip] == \
        [v for i, v in enumerate(now) if i not in skip]


@pytest.mark.parametrize("change", [
    "UPDATE speakers SET role = 'Direktør' WHERE id = (SELECT min(id) FROM speakers)",
    "UPDATE documents SET question_text = 'Nyt' WHERE id = (SELECT min(id) FROM documents)",
    "UPDATE respondents SET role = 'Leder' WHERE id = (SELECT min(id) FROM respondents)",
    "UPDATE cases SET municipality_code = NULL WHERE id = (SELECT min(id) FROM cases)",
    "UPDATE codes SET parent_key = NULL WHERE parent_key IS NOT NULL",
    "DELETE FROM segments WHERE id = (SELECT max(id) FROM segments)",
])
def test_material_changes_move_the_mark(db: Database, change: str) -> None:
    mark = current_mark(db)
    db.execute(change)
    now = current_mark(db)
    assert now.material > mark.material and changes_since(db, mark, now) is None


def test_text_and_memo_updates_leave_the_mark(db: Database) -> None:
    mark = current_mark(db)
    db.execute("UPDATE segments SET lemmas = lemmas || ' x' WHERE id = 1")
    db.execute("UPDATE codings SET memo = 'm', key_quote = 1, score = 0.5 WHERE id = 1")
    assert current_mark(db) == mark


def test_a_trimmed_log_or_another_history_asks_for_a_fresh_count(db: Database) -> None:
    mark = current_mark(db)
    with snapshot(db):
        assert changes_since(db, mark, current_mark(db)) is not None
    coding = db.execute("SELECT max(id) FROM codings").fetchone()[0]
    with db.atomic():
        for _ in range((CHANGES_KEPT + 10_000) // 2):
            db.execute("UPDATE codings SET status = 'rejected' WHERE id = ?", [coding])
            db.execute("UPDATE codings SET status = 'suggested' WHERE id = ?", [coding])
    now = current_mark(db)
    oldest = db.execute("SELECT min(change_id) FROM coding_changes").fetchone()[0]
    assert oldest > mark.change + 1
    assert changes_since(db, mark, now, limit=10 ** 9) is None
    assert changes_since(db, mark, now) is None  # more changes than the limit, anyway
    other = type(now)(now.material, now.segments, now.codings, now.change - 1, (coding, "delete"))
    assert changes_since(db, other, now) is None  # a mark this log never had
