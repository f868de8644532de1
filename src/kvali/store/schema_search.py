"""Search tables: an FTS5 index over segments, kept in sync through a queue, and its vocabulary.

`segments_fts` is an external-content FTS5 table over `segments(text, lemmas)` (no second copy of
the text) with `unicode61 remove_diacritics 0`, so æ, ø and å stay letters of their own ("far" is
not "får", "år" is not "ar"). Surface forms and lemmas share one index and one bm25 ranking.

Compounds are found through the vocabulary, not a trigram index: the query word is looked up as a
substring of the index's own terms ("civilsamfund" → "civilsamfundsaktørerne") and the matching
terms are OR-ed into the FTS5 query. A trigram index would cost several times the text in size,
slow every import, match across word boundaries, and need a second ranking; the vocabulary is a
few tens of thousands of short strings, is also what fuzzy expansion searches, and lets the
analyst see (and drop) each expansion. `segments_fts_terms` (fts5vocab) lists the terms with
their segment counts; kvali.search.vocabulary caches it per process until the index changes.

Keeping the index in sync: an FTS5 insert from a row trigger is slow in SQLite 3.40 (every trigger
run opens a savepoint, and FTS5 flushes its pending terms to disk at each one), which halved import
speed. So new segments are queued in `segments_fts_pending` by a cheap trigger and indexed in one
INSERT ... SELECT when the importer writes a file's summary to `imports` (its last step, inside
the same transaction), and by `kvali.search.index.sync_index` before any search, for segments
written any other way. Deletes and text/lemma updates go to the index directly (or just leave the
queue when the segment was never indexed).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

search = Migrations("kvali.search")

FLUSH_PENDING = (
    "INSERT INTO segments_fts (rowid, text, lemmas) SELECT s.id, s.text, s.lemmas "
    "FROM segments_fts_pending p JOIN segments s ON s.id = p.id",
    "DELETE FROM segments_fts_pending",
)
"""Index every queued segment (used by the import trigger and by sync_index)."""


@search()
def m001_segments_fts(db: Database) -> None:
    """Create the FTS5 index, its queue and sync triggers and its vocabulary view; fill it."""
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE segments_fts USING fts5(
            text, lemmas,
            content='segments', content_rowid='id',
            tokenize="unicode61 remove_diacritics 0"
        );
        CREATE VIRTUAL TABLE segments_fts_terms USING fts5vocab(segments_fts, 'row');
        CREATE TABLE segments_fts_pending (id INTEGER PRIMARY KEY);
        CREATE TRIGGER segments_fts_queue AFTER INSERT ON segments BEGIN
            INSERT INTO segments_fts_pending (id) VALUES (new.id);
        END;
        CREATE TRIGGER segments_fts_import AFTER UPDATE OF summary ON imports BEGIN
            {FLUSH_PENDING[0]};
            {FLUSH_PENDING[1]};
        END;
        CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
            INSERT INTO segments_fts (segments_fts, rowid, text, lemmas)
                SELECT 'delete', old.id, old.text, old.lemmas
                WHERE NOT EXISTS (SELECT 1 FROM segments_fts_pending WHERE id = old.id);
            DELETE FROM segments_fts_pending WHERE id = old.id;
        END;
        CREATE TRIGGER segments_fts_update AFTER UPDATE OF text, lemmas ON segments
        WHEN NOT EXISTS (SELECT 1 FROM segments_fts_pending WHERE id = old.id) BEGIN
            INSERT INTO segments_fts (segments_fts, rowid, text, lemmas)
                VALUES ('delete', old.id, old.text, old.lemmas);
            INSERT INTO segments_fts (rowid, text, lemmas) VALUES (new.id, new.text, new.lemmas);
        END;
        INSERT INTO segments_fts (segments_fts) VALUES ('rebuild');
        """
    )
