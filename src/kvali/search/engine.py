"""Run searches: ranked, filtered hits with citations and KWIC, the distribution, code-all.

Ranking is FTS5's bm25 with the surface text weighted above the lemmas; ties are broken by
segment id, so the order of a result set never changes between runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kvali.coding.store import add_manual_coding
from kvali.errors import QueryError, UsageError
from kvali.export.citations import ParagraphIndex
from kvali.search.expand import Expansions, expand
from kvali.search.fts import to_fts
from kvali.search.index import sync_index
from kvali.search.kwic import CLOSE, OPEN, make_kwic
from kvali.search.query import parse_query
from kvali.search.results import Distribution, Hit, SearchResult, build_distribution
from kvali.selection import Selection, Where, compile_selection

if TYPE_CHECKING:
    from sqlite_utils import Database

TEXT_WEIGHT, LEMMA_WEIGHT = 1.0, 0.5
RANK = f"bm25(segments_fts, {TEXT_WEIGHT}, {LEMMA_WEIGHT})"
JOIN_FACTS = "JOIN segment_facts sf ON sf.segment_id = f.rowid"
"""The facts of each hit (the view's inner joins are flattened, so SQLite skips the parts a
query does not use)."""


@dataclass
class PreparedSearch:
    """A parsed, expanded and compiled query with its resolved filters."""

    query: str
    fts: str
    expansions: Expansions
    filters: Selection
    sql: Where


def prepare(
    db: Database,
    query: str,
    filters: Selection | None = None,
    *,
    fuzzy: bool = False,
    compounds: bool = True,
    drop: Iterable[str] = (),
) -> PreparedSearch:
    """Parse, expand and compile a query and resolve its filters (QueryError / UsageError)."""
    filters = filters or Selection()
    tree = parse_query(query)
    sync_index(db)
    expansions = expand(db, tree, fuzzy=fuzzy, compounds=compounds, drop=drop)
    return PreparedSearch(query, to_fts(tree, expansions), expansions, filters,
                          compile_selection(db, filters, "segments", alias="sf"))


def _match(db: Database, sql: str, params: list[object]) -> list[tuple]:
    """Run a query with MATCH; FTS5's own limits (expression depth) become a QueryError."""
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if str(exc).startswith("fts5:"):
            detail = str(exc).split(" near ")[0]  # never the query's words (personal data?)
            raise QueryError(f"the query is too complex for the index ({detail}); "
                             "use fewer words or parentheses") from None
        raise


def _from(prepared: PreparedSearch, *, joined: bool = True) -> tuple[str, list[object]]:
    """FROM ... WHERE for the hits; without filters and `joined=False`, the index alone."""
    if not joined and not prepared.sql.conditions:
        return "FROM segments_fts f WHERE segments_fts MATCH ?", [prepared.fts]
    return (f"FROM segments_fts f {JOIN_FACTS} WHERE segments_fts MATCH ?"
            f"{prepared.sql.clause()}", [prepared.fts, *prepared.sql.params])


def ranked_ids(db: Database, prepared: PreparedSearch, *, limit: int | None = None,
               offset: int = 0) -> list[tuple[int, float]]:
    """(segment id, bm25 score) of the hits, best first, ties by segment id."""
    clause, params = _from(prepared, joined=False)
    paging = ""
    if limit is not None or offset:
        paging = " LIMIT ? OFFSET ?"
        params = [*params, -1 if limit is None else limit, offset]
    rows = _match(db, f"SELECT f.rowid, {RANK} AS score {clause} ORDER BY score, f.rowid{paging}",
                  params)
    return [(row[0], row[1]) for row in rows]


def prepared_distribution(db: Database, prepared: PreparedSearch) -> Distribution:
    """Counts of all hits per municipality, region and size class."""
    clause, params = _from(prepared)
    rows = _match(db, f"SELECT sf.kommune_code, count(*) {clause} "
                  "GROUP BY sf.kommune_code", params)
    return build_distribution({code: count for code, count in rows})


HIT_FIELDS = ("document", "document_id", "start", "end", "text", "kommune", "case_name",
              "region", "size_class", "kind", "question", "question_text", "role", "speaker",
              "respondent", "turn", "time", "page")
"""The `segment_facts` columns a hit carries."""
_DETAILS = ("SELECT f.segment_id, " + ", ".join(f'f."{name}"' for name in HIT_FIELDS) +
            " FROM segment_facts f WHERE f.segment_id IN (SELECT value FROM json_each(?))")
# `+rowid` keeps the id list away from FTS5, which would otherwise redo a prefix query per id.
_HIGHLIGHT = f"""
    SELECT rowid, highlight(segments_fts, 0, '{OPEN}', '{CLOSE}'),
           highlight(segments_fts, 1, '{OPEN}', '{CLOSE}')
    FROM segments_fts
    WHERE segments_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))
"""


def load_hits(db: Database, prepared: PreparedSearch,
              ranked: list[tuple[int, float]]) -> list[Hit]:
    """Citation details and KWIC for ranked segment ids, in the given order."""
    ids = json.dumps([segment_id for segment_id, _ in ranked])
    details = {row[0]: dict(zip(HIT_FIELDS, row[1:], strict=True))
               for row in db.execute(_DETAILS, [ids]).fetchall()}
    marks = {row[0]: (row[1], row[2]) for row in _match(db, _HIGHLIGHT, [prepared.fts, ids])}
    hits = []
    paragraphs = ParagraphIndex(db)
    for segment_id, score in ranked:
        facts = details[segment_id]
        marked_text, marked_lemmas = marks.get(segment_id, (None, None))
        facts["case"] = facts.pop("case_name")
        hit = Hit(segment_id=segment_id, score=score,
                  kwic=make_kwic(facts["text"], marked_text, marked_lemmas), **facts)
        hit.cite(paragraphs)
        hits.append(hit)
    return hits


def search(
    db: Database,
    query: str,
    filters: Selection | None = None,
    *,
    fuzzy: bool = False,
    limit: int | None = 50,
    offset: int = 0,
    compounds: bool = True,
    drop: Iterable[str] = (),
) -> SearchResult:
    """Search segments: one page of ranked hits, the total and the distribution of all hits.

    `limit=None` returns every hit. `drop` removes expansions (lemma, spelling, compound or fuzzy
    terms) the analyst does not want; `compounds=False` matches whole words only.
    """
    if limit is not None and limit < 0:
        raise UsageError("--limit must be 0 or more")
    if offset < 0:
        raise UsageError("--offset must be 0 or more")
    prepared = prepare(db, query, filters, fuzzy=fuzzy, compounds=compounds, drop=drop)
    distribution = prepared_distribution(db, prepared)
    ranked = ranked_ids(db, prepared, limit=limit, offset=offset) if limit != 0 else []
    return SearchResult(
        query=query, fts=prepared.fts, total=distribution.total,
        hits=load_hits(db, prepared, ranked), distribution=distribution,
        expansions=[w.to_dict() for w in prepared.expansions.words.values()],
        dropped=prepared.expansions.dropped, filters=prepared.filters.to_dict(),
        limit=limit, offset=offset)


def distribution(
    db: Database,
    query: str,
    filters: Selection | None = None,
    *,
    fuzzy: bool = False,
    compounds: bool = True,
    drop: Iterable[str] = (),
) -> Distribution:
    """Where the hits of a query fall: per municipality, region and size class."""
    prepared = prepare(db, query, filters, fuzzy=fuzzy, compounds=compounds, drop=drop)
    return prepared_distribution(db, prepared)


def iter_hits(db: Database, prepared: PreparedSearch, *, batch: int = 2000) -> Iterator[Hit]:
    """Every hit of a prepared search, best first, loaded in batches (for exports)."""
    ranked = ranked_ids(db, prepared)
    for i in range(0, len(ranked), batch):
        yield from load_hits(db, prepared, ranked[i:i + batch])


def code_hits(
    db: Database,
    hits: Iterable[Hit | int],
    code_key: str,
    coder: str,
    query: str,
) -> list[int]:
    """Code hits (or segment ids) as manual codings with the query as provenance, in one
    transaction; returns the coding ids (an existing identical coding is reused)."""
    ids = [hit.segment_id if isinstance(hit, Hit) else int(hit) for hit in hits]
    with db.atomic():
        return [add_manual_coding(db, segment_id, code_key, coder, provenance={"search": query})
                for segment_id in dict.fromkeys(ids)]
