"""Run searches: ranked, filtered hits with citations and KWIC, the distribution, code-all.

Ranking is FTS5's bm25 with the surface text weighted above the lemmas; ties are broken by
segment id, so the order of a result set never changes between runs.

Filters and the distribution read each hit's municipality and whether the selection keeps it
from the scope's bytes (kvali.search.facts) during the FTS5 scan; a one-off search (`cached=False`,
the command line) or a selection by code or coder joins `segment_facts` per hit instead, with
the same results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kvali.coding.store import add_manual_coding
from kvali.errors import UsageError
from kvali.search.answers import Ranking, window
from kvali.search.expand import Expansions, expand
from kvali.search.facts import Scope, remembers, scope
from kvali.search.fts import run_match, to_fts
from kvali.search.hits import load_hits
from kvali.search.index import sync_index
from kvali.search.query import parse_query
from kvali.search.results import Distribution, Hit, SearchResult, build_distribution
from kvali.search.vocabulary import vocabulary
from kvali.selection import Selection, Where, compile_selection

if TYPE_CHECKING:
    from sqlite_utils import Database

TEXT_WEIGHT, LEMMA_WEIGHT = 1.0, 0.5
RANK = f"bm25(segments_fts, {TEXT_WEIGHT}, {LEMMA_WEIGHT})"
JOIN_FACTS = "JOIN segment_facts sf ON sf.segment_id = f.rowid"
"""The facts of each hit (the view's inner joins are flattened, so SQLite skips the parts a
query does not use)."""
KEEP_MAX = 20_000
"""The longest ranking kept (every hit of an export or code-all is not)."""
MARK = "substr(?1, f.rowid + 1, 1)"
"""A hit's byte in the scope's marks (bound as ?1): 0 when the selection leaves it out."""


@dataclass
class PreparedSearch:
    """A parsed, expanded and compiled query with its resolved filters."""

    query: str
    fts: str
    expansions: Expansions
    filters: Selection
    sql: Where
    scope: Scope | None = None
    match: str = ""
    """The expression that finds and ranks the hits: `fts` without the alternatives no segment
    holds (kvali.search.fts), the same hits and scores; `fts` itself when empty."""


def prepare(
    db: Database,
    query: str,
    filters: Selection | None = None,
    *,
    fuzzy: bool = False,
    compounds: bool = True,
    drop: Iterable[str] = (),
    cached: bool = True,
) -> PreparedSearch:
    """Parse, expand and compile a query and resolve its filters (QueryError / UsageError).
    `cached=False` resolves the filters in SQL only, for a process that searches once."""
    filters = filters or Selection()
    tree = parse_query(query)
    sync_index(db)
    expansions = expand(db, tree, fuzzy=fuzzy, compounds=compounds, drop=drop)
    fts = to_fts(tree, expansions)
    match = to_fts(tree, expansions, vocabulary(db)) if expansions.words else fts
    found = scope(db, filters) if cached and remembers(filters) else None
    if found is not None:
        return PreparedSearch(query, fts, expansions, filters, found.where, found, match)
    return PreparedSearch(query, fts, expansions, filters,
                          compile_selection(db, filters, "segments", alias="sf"), match=match)


def _from(prepared: PreparedSearch, *, joined: bool = True) -> tuple[str, list[object]]:
    """FROM ... WHERE for the hits; without filters and `joined=False`, the index alone. With a
    scope, the parameters start with its marks (?1), tested per hit only when it has filters."""
    match = prepared.match or prepared.fts
    if not joined and not prepared.sql.conditions:
        return "FROM segments_fts f WHERE segments_fts MATCH ?", [match]
    if prepared.scope is not None:  # without conditions, a 0 is a segment without facts
        test = f" AND {MARK} > x'00'" if prepared.sql.conditions else ""  # (Scope.counts skips)
        return (f"FROM segments_fts f WHERE segments_fts MATCH ?2{test}",
                [prepared.scope.marks, match])
    return (f"FROM segments_fts f {JOIN_FACTS} WHERE segments_fts MATCH ?"
            f"{prepared.sql.clause()}", [match, *prepared.sql.params])


def ranked_ids(db: Database, prepared: PreparedSearch, *, limit: int | None = None,
               offset: int = 0) -> list[tuple[int, float]]:
    """(segment id, bm25 score) of the hits, best first, ties by segment id; from the scope's
    kept answers when they reach far enough, else ranked (a window ahead, to keep)."""
    answers = prepared.scope.answers if prepared.scope is not None else None
    if answers is None:
        return _ranked(db, prepared, limit, offset)
    kept = answers.ranking(prepared.fts)
    page = kept.page(limit, offset) if kept is not None else None
    if page is None:
        size = window(limit, offset)
        hits = _ranked(db, prepared, size, 0)
        kept = Ranking(tuple(hits), complete=size is None or len(hits) < size)
        if len(hits) <= KEEP_MAX:
            answers.keep_ranking(prepared.fts, kept)
        page = kept.page(limit, offset)
    return page or []


def _ranked(db: Database, prepared: PreparedSearch, limit: int | None,
            offset: int) -> list[tuple[int, float]]:
    clause, params = _from(prepared, joined=False)
    paging = ""
    if limit is not None or offset:
        paging = " LIMIT ? OFFSET ?"
        params = [*params, -1 if limit is None else limit, offset]
    rows = run_match(db, f"SELECT f.rowid, {RANK} AS score {clause} "
                     f"ORDER BY score, f.rowid{paging}", params)
    return [(row[0], row[1]) for row in rows]


def prepared_distribution(db: Database, prepared: PreparedSearch) -> Distribution:
    """Counts of all hits per municipality, region and size class."""
    clause, params = _from(prepared)
    found = prepared.scope
    if found is not None:
        counts = found.answers.counts(prepared.fts) if found.answers is not None else None
        if counts is None:
            marks = run_match(db, f"SELECT group_concat({MARK}, '') {clause}", params)[0][0]
            counts = found.counts(marks)
            if found.answers is not None:
                found.answers.keep_counts(prepared.fts, counts)
        return build_distribution(counts)
    rows = run_match(db, f"SELECT sf.kommune_code, count(*) {clause} "
                     "GROUP BY sf.kommune_code", params)
    return build_distribution({code: count for code, count in rows})


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
    cached: bool = True,
) -> SearchResult:
    """Search segments: one page of ranked hits, the total and the distribution of all hits.

    `limit=None` returns every hit. `drop` removes expansions (lemma, spelling, compound or fuzzy
    terms) the analyst does not want; `compounds=False` matches whole words only; `cached=False`
    keeps nothing for later searches (see `prepare`).
    """
    if limit is not None and limit < 0:
        raise UsageError("--limit must be 0 or more")
    if offset < 0:
        raise UsageError("--offset must be 0 or more")
    prepared = prepare(db, query, filters, fuzzy=fuzzy, compounds=compounds, drop=drop,
                       cached=cached)
    distribution = prepared_distribution(db, prepared)
    ranked = ranked_ids(db, prepared, limit=limit, offset=offset) if limit != 0 else []
    return SearchResult(
        query=query, fts=prepared.fts, total=distribution.total,
        hits=load_hits(db, prepared.fts, ranked, prepared.scope), distribution=distribution,
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
    cached: bool = True,
) -> Distribution:
    """Where the hits of a query fall: per municipality, region and size class."""
    prepared = prepare(db, query, filters, fuzzy=fuzzy, compounds=compounds, drop=drop,
                       cached=cached)
    return prepared_distribution(db, prepared)


def iter_hits(db: Database, prepared: PreparedSearch, *, batch: int = 2000) -> Iterator[Hit]:
    """Every hit of a prepared search, best first, loaded in batches (for exports)."""
    ranked = ranked_ids(db, prepared)
    for i in range(0, len(ranked), batch):
        yield from load_hits(db, prepared.fts, ranked[i:i + batch], prepared.scope)


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
