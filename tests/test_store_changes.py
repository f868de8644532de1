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
                                    (made, "insert", None, None),
                                    (made, "delete", "manual", "civil")]
    changes = changes_since(db, mark, current_mark(db))
    assert changes is not None and changes.coding_ids == [suggestion, made]
    # the first row of each coding is the coding as it was at the mark; `made` did not exist
    assert [row[0] for row in db.execute(
        "SELECT coding_id FROM coding_change_facts WHERE change_id IN "
        "(SELECT value FROM json_each(?))", [str(changes.before)])] == [suggestion]


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
    other = type(now)(now.material, now.segments, now.change - 1, (coding, "insert"))
    assert changes_since(db, other, now) is None  # a mark this log never had
