"""Export every hit of a search, with its citation, to CSV or XLSX (through kvali.tabular)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kvali.search.engine import PreparedSearch, iter_hits
from kvali.tabular import table_format, write_table

if TYPE_CHECKING:
    from sqlite_utils import Database

COLUMNS = ("segment_id", "document", "kommune", "region", "size_class", "kind", "question",
           "role", "speaker", "respondent", "turn", "time", "page", "start", "end",
           "left", "match", "right", "text", "citation")


def export_hits(db: Database, prepared: PreparedSearch, path: str | os.PathLike[str],
                fmt: str | None = None) -> int:
    """Write all hits (not one page) best first, never over the project; returns the rows."""
    chosen = table_format(path, fmt)
    rows = (
        (hit.segment_id, hit.document, hit.kommune or hit.case, hit.region, hit.size_class,
         hit.kind, hit.question, hit.role, hit.speaker, hit.respondent, hit.turn, hit.time,
         hit.page, hit.start, hit.end, hit.kwic.left, hit.kwic.match, hit.kwic.right, hit.text,
         hit.citation())
        for hit in iter_hits(db, prepared)
    )
    return write_table(path, COLUMNS, rows, chosen, sheet="Søgning", project=db,
                       option="--export")
