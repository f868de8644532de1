"""Privacy tables: personal data found in the documents (and the analysts' decisions on it), and
the project's users for the shared server's log-in.

`pii_findings` holds one row per stretch of text that is (or may be) personal data: offsets into
`documents.text`, its type, why the scanner flagged it (the rule, never the text), its status —
`found` by a scan and undecided, `confirmed` or `dismissed` by an analyst — and `entity`, the
normalised form that makes every mention of one person (or one CPR number, address …) the same
pseudonym across the project. A re-scan keeps every decided row and only adds or removes
undecided ones, so decisions survive. Rows added by hand have origin `manual`.

`users` exists so that a project with users asks for a log-in; a project without users is the
single-analyst app. Passwords are stored only as salted scrypt hashes.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

privacy = Migrations("kvali.privacy")

PII_TYPES = ("cpr", "phone", "email", "address", "name")
PII_STATUSES = ("found", "confirmed", "dismissed")
USER_ROLES = ("admin", "coder", "reader")


@privacy()
def m001_pii_and_users(db: Database) -> None:
    """Create pii_findings and users."""
    types = ", ".join(f"'{t}'" for t in PII_TYPES)
    statuses = ", ".join(f"'{s}'" for s in PII_STATUSES)
    roles = ", ".join(f"'{r}'" for r in USER_ROLES)
    db.executescript(
        f"""
        CREATE TABLE pii_findings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            type TEXT NOT NULL CHECK (type IN ({types})),
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'found' CHECK (status IN ({statuses})),
            origin TEXT NOT NULL DEFAULT 'scan' CHECK (origin IN ('scan', 'manual')),
            entity TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            CHECK (start < "end"),
            UNIQUE (document_id, start, "end", type)
        );
        CREATE INDEX pii_findings_status ON pii_findings(status, document_id, start);
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ({roles})),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )
