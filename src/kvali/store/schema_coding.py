"""Coding tables: codes (the codebook), codings (suggested and human), memos, and the event log."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

coding = Migrations("kvali.coding")


@coding()
def m001_coding_tables(db: Database) -> None:
    """Create codes, codings, memos and events."""
    db.executescript(
        """
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            inclusion TEXT,
            exclusion TEXT,
            example TEXT,
            color TEXT NOT NULL DEFAULT '#888888',
            parent_key TEXT REFERENCES codes(key) ON UPDATE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            rules TEXT NOT NULL DEFAULT '{}',
            rules_hash TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_key TEXT NOT NULL REFERENCES codes(key) ON UPDATE CASCADE,
            coder TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
            status TEXT NOT NULL
                CHECK (status IN ('suggested', 'accepted', 'rejected', 'manual')),
            rule TEXT,
            score REAL,
            matched TEXT,
            rules_hash TEXT,
            codebook_version TEXT,
            provenance TEXT,
            key_quote INTEGER NOT NULL DEFAULT 0,
            memo TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX codings_code ON codings(code_key, status);
        CREATE INDEX codings_segment ON codings(segment_id);
        CREATE INDEX codings_document ON codings(document_id, start);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL
                CHECK (target_type IN ('project', 'document', 'code', 'coding')),
            target TEXT NOT NULL,
            coder TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX memos_target ON memos(target_type, target);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        );
        """
    )


@coding()
def m002_settings(db: Database) -> None:
    """Project settings, such as the version of the codebook last loaded."""
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@coding()
def m003_tagged_codes(db: Database) -> None:
    """Which rules each code was last tagged with, so re-tagging runs only changed codes."""
    db.execute("CREATE TABLE tagged_codes (code_key TEXT PRIMARY KEY REFERENCES codes(key) "
               "ON UPDATE CASCADE, rules_hash TEXT NOT NULL, tagged_at TEXT NOT NULL)")
