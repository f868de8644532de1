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


@coding()
def m004_fact_views(db: Database) -> None:
    """`segment_facts` and `coding_facts`: every fact about a segment (or a coding's segment) in
    one place: document, kind, question, speaker or respondent, role, interviewer or not, case,
    municipality, region, size class. Both views share one column list, so they cannot drift.

    The role is the speaker's role, or the respondent's answer in the role column. A coding's
    case is its segment's case, else its document's.
    """
    facts = """
        d.name AS document, d.kind, d.question, d.question_text,
        s.seq, s.turn, s.time, s.page,
        s.speaker_id, sp.label AS speaker, sp.name AS speaker_name,
        s.response_id, rs.respondent_id, rp.key AS respondent,
        coalesce(sp.role, rp.role) AS role,
        coalesce(sp.is_interviewer, 0) AS is_interviewer,
        cs.id AS case_id, cs.name AS case_name,
        m.code AS kommune_code, m.name AS kommune, m.region, m.size_class"""
    joins = """
        LEFT JOIN speakers sp ON sp.id = s.speaker_id
        LEFT JOIN responses rs ON rs.id = s.response_id
        LEFT JOIN respondents rp ON rp.id = rs.respondent_id
        LEFT JOIN cases cs ON cs.id = coalesce(s.case_id, d.case_id)
        LEFT JOIN municipalities m ON m.code = cs.municipality_code"""
    db.executescript(
        f"""
        CREATE VIEW segment_facts AS
        SELECT s.id AS segment_id, s.document_id, s.start, s."end", s.text, {facts}
        FROM segments s JOIN documents d ON d.id = s.document_id {joins};
        CREATE VIEW coding_facts AS
        SELECT c.id AS coding_id, c.code_key, c.document_id, c.segment_id, c.start, c."end",
               c.status, c.origin, c.coder, c.rule, c.score, c.matched, c.key_quote, c.memo,
               {facts}
        FROM codings c JOIN documents d ON d.id = c.document_id
        LEFT JOIN segments s ON s.id = c.segment_id {joins};
        """
    )


@coding()
def m005_tagged_documents(db: Database) -> None:
    """`tagged_documents`: the rules each document was last tagged with, per code, so `kvali tag`
    tags new documents as well as re-running changed codes. Existing projects count each
    document imported before a code was last tagged as tagged with that code's rules. Forgetting
    a code's `tagged_codes` row (a merge does) forgets it for every document, so it runs again.
    """
    db.executescript(
        """
        CREATE TABLE tagged_documents (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_key TEXT NOT NULL,
            rules_hash TEXT NOT NULL,
            tagged_at TEXT NOT NULL,
            PRIMARY KEY (document_id, code_key)
        );
        INSERT INTO tagged_documents (document_id, code_key, rules_hash, tagged_at)
        SELECT d.id, t.code_key, t.rules_hash, t.tagged_at
        FROM tagged_codes t JOIN documents d JOIN imports i ON i.id = d.import_id
        WHERE i.imported_at < t.tagged_at;
        CREATE TRIGGER tagged_codes_forget AFTER DELETE ON tagged_codes BEGIN
            DELETE FROM tagged_documents WHERE code_key = old.code_key;
        END;
        """
    )


@coding()
def m006_coder_work(db: Database) -> None:
    """Double coding: `coder_documents` says which coder is assigned a document and when the
    coder marked it done ("færdigkodet"); `coders` keeps a coder's blind mode (while on, the
    coder sees only their own codings and no suggestions accepted by others)."""
    db.executescript(
        """
        CREATE TABLE coder_documents (
            coder TEXT NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            assigned INTEGER NOT NULL DEFAULT 0,
            done_at TEXT,
            PRIMARY KEY (coder, document_id)
        );
        CREATE INDEX coder_documents_document ON coder_documents(document_id);
        CREATE TABLE coders (
            name TEXT PRIMARY KEY,
            blind INTEGER NOT NULL DEFAULT 0
        );
        """
    )
