"""How good each code's rules are, judged by the analysts' decisions.

precision = accepted / (accepted + rejected) suggestions;
recall    = accepted / (accepted + manual codings on segments the rules did not suggest).
"""

from __future__ import annotations

from sqlite_utils import Database

QUALITY_SQL = """
WITH auto AS (
    SELECT code_key, segment_id, status FROM codings WHERE origin = 'auto'
), missed AS (
    SELECT m.code_key, count(DISTINCT m.segment_id) AS n FROM codings m
    WHERE m.origin = 'manual' AND NOT EXISTS (
        SELECT 1 FROM auto a WHERE a.code_key = m.code_key AND a.segment_id = m.segment_id)
    GROUP BY m.code_key
)
SELECT c.key, c.name,
       sum(a.status = 'suggested') AS pending,
       sum(a.status = 'accepted') AS accepted,
       sum(a.status = 'rejected') AS rejected,
       coalesce(missed.n, 0) AS missed
FROM codes c
LEFT JOIN auto a ON a.code_key = c.key
LEFT JOIN missed ON missed.code_key = c.key
WHERE c.active = 1
GROUP BY c.key ORDER BY c.parent_key IS NOT NULL, c.position
"""


def rule_quality(db: Database) -> list[dict]:
    """Per code: pending, accepted, rejected, missed, precision and recall (None when unknown)."""
    rows = []
    for key, name, pending, accepted, rejected, missed in db.execute(QUALITY_SQL):
        accepted, rejected = accepted or 0, rejected or 0
        decided = accepted + rejected
        found = accepted + missed
        rows.append({
            "code": key, "name": name, "pending": pending or 0, "accepted": accepted,
            "rejected": rejected, "missed": missed,
            "precision": round(accepted / decided, 3) if decided else None,
            "recall": round(accepted / found, 3) if found else None,
        })
    return rows
