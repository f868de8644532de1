"""The change log that lets the app keep its figures up to date instead of recounting them.

`coding_changes` gets one row for every coding deleted, or updated in a column an analysis
reads, written by triggers in the writer's own transaction, so no write path can forget it. A
row keeps the coding as it was before (`id` is the coding's id, the other columns the old
values; `score`, `matched`, `key_quote` and `memo` stay empty, no analysis reads them). New
codings are not logged (a tagging run writes hundreds of thousands, and a row per insert made
writing them twice as slow): SQLite numbers a new row one above the largest id, so what was
inserted since a point lies above the smallest largest id since then, which a delete row keeps
in `max_after` (kvali.store.changes works it out). The log keeps the last `CHANGES_KEPT` rows (a
reader that is further behind recounts). Codings must therefore never be inserted with an
explicit id.

`coding_change_facts` is `coding_facts` over the log instead of `codings`: the facts of a
coding as it was, for the same `Selection` conditions. It is made from `coding_facts`' own
definition, so the two cannot drift (a migration that redefines `coding_facts` must make it
again with `change_facts_view`).

`material_version` counts changes to everything else a figure depends on: documents, segments
(deleted or moved; new segments show as a larger `max(segments.id)`), speakers, responses,
respondents, cases and codes. A reader whose count is behind recomputes from scratch.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

changes = Migrations("kvali.changes")

CHANGES_KEPT = 100_000
CODING_COLUMNS = ("document_id", "segment_id", "start", '"end"', "code_key", "coder", "origin",
                  "status", "rule")
"""The coding columns an analysis, a count or a selection reads: an update of another column
(a memo, a key quote, a rule's score or matched words) is not a change to them."""
MATERIAL_TRIGGERS = {
    "documents": ("INSERT", "DELETE", "UPDATE OF name, kind, question, question_text, case_id"),
    "segments": ("DELETE", "UPDATE OF document_id, seq, start, \"end\", speaker_id, response_id, "
                           "case_id, turn, time, page"),
    "speakers": ("INSERT", "DELETE", "UPDATE"),
    "responses": ("DELETE", "UPDATE"),
    "respondents": ("DELETE", "UPDATE"),
    "cases": ("INSERT", "DELETE", "UPDATE"),
    "codes": ("INSERT", "DELETE", "UPDATE"),
}
"""Per table, the changes that bump `material_version` (inserts of segments, responses and
respondents come with a new document, or after a deletion, and are left out: an import stays
as fast as it was)."""


def change_facts_view(db: Database) -> None:
    """(Re)create `coding_change_facts` from the stored definition of `coding_facts`."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'coding_facts'"
                     ).fetchone()[0]
    parts = {"CREATE VIEW coding_facts AS": "CREATE VIEW coding_change_facts AS",
             "SELECT c.id AS coding_id,": "SELECT c.change_id, c.op, c.id AS coding_id,",
             "FROM codings c JOIN": "FROM coding_changes c JOIN"}
    for old, new in parts.items():
        if sql.count(old) != 1:
            raise RuntimeError(f"coding_facts has changed: no single {old!r} to derive "
                               "coding_change_facts from")
        sql = sql.replace(old, new)
    db.execute("DROP VIEW IF EXISTS coding_change_facts")
    db.execute(sql)


@changes()
def m001_change_log(db: Database) -> None:
    """The coding change log with its triggers, the material counter with its triggers, the
    facts view over the log, and an index for the per-coder counts (who has coded, progress
    per coder); an index led by `status` is left out on purpose: SQLite would take it for
    `status IN (...) ORDER BY id LIMIT n` and read every suggestion to return the first few."""
    columns = ", ".join(CODING_COLUMNS)
    old = ", ".join(f"old.{c}" for c in CODING_COLUMNS)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in CODING_COLUMNS)
    db.executescript(
        f"""
        CREATE TABLE coding_changes (
            change_id INTEGER PRIMARY KEY,
            id INTEGER NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            document_id INTEGER, segment_id INTEGER, start INTEGER, "end" INTEGER,
            code_key TEXT, coder TEXT, origin TEXT, status TEXT, rule TEXT,
            score REAL, matched TEXT, key_quote INTEGER, memo TEXT
        );
        CREATE TRIGGER coding_changes_insert AFTER INSERT ON codings BEGIN
            INSERT INTO coding_changes (id, op) VALUES (new.id, 'insert');
        END;
        CREATE TRIGGER coding_changes_update AFTER UPDATE OF {columns} ON codings
        WHEN {changed} BEGIN
            INSERT INTO coding_changes (id, op, {columns}) VALUES (old.id, 'update', {old});
        END;
        CREATE TRIGGER coding_changes_delete AFTER DELETE ON codings BEGIN
            INSERT INTO coding_changes (id, op, {columns}) VALUES (old.id, 'delete', {old});
        END;
        CREATE TRIGGER coding_changes_trim AFTER INSERT ON coding_changes
        WHEN new.change_id % 10000 = 0 BEGIN
            DELETE FROM coding_changes WHERE change_id <= new.change_id - {CHANGES_KEPT};
        END;
        CREATE TABLE material_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO material_version (id, version) VALUES (1, 0);
        CREATE INDEX codings_coder ON codings(coder, status, document_id);
        """
    )
    for table, events in MATERIAL_TRIGGERS.items():
        for event in events:
            name = f"material_{table}_{event.split()[0].lower()}"
            db.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                       "UPDATE material_version SET version = version + 1; END")
    change_facts_view(db)


@changes()
def m002_inserts_unlogged(db: Database) -> None:
    """New codings leave the log (see the module docstring); a delete row keeps the largest
    coding id after it. The rows logged so far are dropped, so every kept figure is counted
    afresh once."""
    columns = ", ".join(CODING_COLUMNS)
    old = ", ".join(f"old.{c}" for c in CODING_COLUMNS)
    db.executescript(
        f"""
        DROP TRIGGER coding_changes_insert;
        DROP TRIGGER coding_changes_delete;
        ALTER TABLE coding_changes ADD COLUMN max_after INTEGER;
        DELETE FROM coding_changes;
        CREATE TRIGGER coding_changes_delete AFTER DELETE ON codings BEGIN
            INSERT INTO coding_changes (id, op, {columns}, max_after)
            VALUES (old.id, 'delete', {old}, (SELECT coalesce(max(id), 0) FROM codings));
        END;
        """
    )


@changes()
def m003_codings_code_covering(db: Database) -> None:
    """`codings_code` also holds what the suggestion queue's groups read (origin, rule,
    segment), so counting the pending suggestions per code and rule reads the index alone (the
    first Forslag view at 5M words: 0.57 s -> 0.16 s for the groups); it is led by the same
    columns as before, so every plan that used it still can."""
    db.executescript(
        """
        DROP INDEX codings_code;
        CREATE INDEX codings_code ON codings(code_key, status, origin, rule, segment_id);
        """
    )
