"""Search hits as they leave the project: `kvali search --export`, pseudonymised when asked.

Without pseudonymising this is `kvali.search.export.export_hits`. With it, each hit's segment
text, keyword in context and citation are pseudonymised (`kvali.privacy.pseudonymise`; start,
end and the match's start and end stay offsets into the stored text, as the citation's are, while
the KWIC counts in the pseudonymised text it shows) and its free-text fields scrubbed, and the
rows are the same columns in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace

from sqlite_utils import Database

from kvali.export.citations import ParagraphIndex, citation_for
from kvali.privacy.pseudonymise import Pseudonyms
from kvali.search.engine import PreparedSearch, iter_hits
from kvali.search.export import COLUMNS, export_hits
from kvali.search.kwic import CLOSE, OPEN, make_kwic
from kvali.search.results import Hit
from kvali.tabular import table_format, write_table

_DERIVED = {"kommune": lambda hit: hit.kommune or hit.case,
            "left": lambda hit: hit.kwic.left, "match": lambda hit: hit.kwic.match,
            "right": lambda hit: hit.kwic.right, "citation": lambda hit: hit.citation()}
"""Columns of the hits table that are not a field of the hit."""


def write_hits(db: Database, prepared: PreparedSearch, path: str | os.PathLike[str],
               fmt: str | None = None, *, pseudonymise: bool = False) -> int:
    """Write all hits best first (never over the project); returns the rows."""
    if not pseudonymise:
        return export_hits(db, prepared, path, fmt)
    chosen = table_format(path, fmt)
    hits = pseudonymised_hits(db, iter_hits(db, prepared), Pseudonyms.load(db))
    rows = ([_DERIVED[c](hit) if c in _DERIVED else getattr(hit, c) for c in COLUMNS]
            for hit in hits)
    return write_table(path, COLUMNS, rows, chosen, sheet="Søgning", project=db,
                       option="--export")


def pseudonymised_hits(db: Database, hits: Iterable[Hit],
                       replacing: Pseudonyms) -> Iterator[Hit]:
    """Each hit with its text, KWIC and citation pseudonymised."""
    paragraphs = ParagraphIndex(db)
    for hit in hits:
        yield pseudonymised_hit(hit, replacing, paragraphs)


def pseudonymised_hit(hit: Hit, replacing: Pseudonyms, paragraphs: ParagraphIndex) -> Hit:
    """One hit pseudonymised; the match keeps its place in the pseudonymised text."""
    span = replacing.span(hit.document_id, hit.start, hit.text)
    marked = None
    if hit.kwic.end > hit.kwic.start:
        match_start = span.position(hit.match_start)
        match_end = span.position(hit.match_end, end=True)
        marked = (span.text[:match_start] + OPEN + span.text[match_start:match_end] + CLOSE
                  + span.text[match_end:])
    result = replace(replacing.scrubbed(hit), text=span.text,
                     kwic=make_kwic(span.text, marked, None),
                     stored_match=(hit.match_start, hit.match_end))
    result.cited = citation_for(result, paragraphs=paragraphs,
                                pseudonymised=span.labels).text()
    return result
