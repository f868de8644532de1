"""Core tables: municipalities, imports, cases, documents, speakers, respondents, segments.

See ARCHITECTURE.md for the model. All offsets are Python character offsets into documents.text.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from kvali.store.schema_core_m001_data import MUNICIPALITY_ROWS

core = Migrations("kvali.core")


@core()
def m001_core_tables(db: Database) -> None:
    """Create the core tables and load the 98 municipalities. The documents' kind CHECK spells
    out `kvali.domain.DOCUMENT_KINDS` because an applied migration never changes;
    tests/test_store.py keeps the two equal."""
    db.executescript(
        """
        CREATE TABLE municipalities (
            code INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            region TEXT NOT NULL,
            size_class TEXT NOT NULL,
            population INTEGER NOT NULL
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',
            summary TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            municipality_code INTEGER REFERENCES municipalities(code),
            kind TEXT NOT NULL DEFAULT 'municipality'
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('interview', 'survey', 'report')),
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            case_id INTEGER REFERENCES cases(id),
            question TEXT,
            question_text TEXT,
            pipeline TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE document_attributes (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (document_id, key)
        );
        CREATE TABLE speakers (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            name TEXT,
            role TEXT,
            case_id INTEGER REFERENCES cases(id),
            is_interviewer INTEGER NOT NULL DEFAULT 0,
            UNIQUE (document_id, label)
        );
        CREATE TABLE respondents (
            id INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            case_id INTEGER REFERENCES cases(id),
            UNIQUE (import_id, key)
        );
        CREATE TABLE respondent_attributes (
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (respondent_id, key)
        );
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            respondent_id INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL
        );
        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            lemmas TEXT NOT NULL,
            speaker_id INTEGER REFERENCES speakers(id),
            response_id INTEGER REFERENCES responses(id),
            case_id INTEGER REFERENCES cases(id),
            turn INTEGER,
            time TEXT,
            page INTEGER,
            UNIQUE (document_id, seq)
        );
        CREATE INDEX segments_case ON segments(case_id);
        CREATE INDEX segments_speaker ON segments(speaker_id);
        CREATE INDEX segments_response ON segments(response_id);
        CREATE INDEX documents_import ON documents(import_id);
        CREATE INDEX responses_document ON responses(document_id);
        CREATE INDEX responses_respondent ON responses(respondent_id);
        CREATE INDEX speakers_document ON speakers(document_id);
        CREATE INDEX respondents_import ON respondents(import_id);
        """
    )
    db.conn.executemany(
        "INSERT INTO municipalities (code, name, region, size_class, population) "
        "VALUES (?, ?, ?, ?, ?)", MUNICIPALITY_ROWS)



@core()
def m002_respondent_role(db: Database) -> None:
    """A respondent's role: the answer in the column that names a role (set at import; filled
    here from columns whose header contains one of the words below)."""
    db.executescript(
        """
        ALTER TABLE respondents ADD COLUMN role TEXT;
        UPDATE respondents SET role = (
            SELECT ra.value FROM respondent_attributes ra
            WHERE ra.respondent_id = respondents.id AND ra.value != '' AND (
                lower(ra.key) LIKE '%rolle%' OR lower(ra.key) LIKE '%role%'
                OR lower(ra.key) LIKE '%stilling%' OR lower(ra.key) LIKE '%funktion%'
                OR lower(ra.key) LIKE '%position%')
            ORDER BY ra.key LIMIT 1);
        """
    )
