"""Search segments across municipalities: Danish-aware FTS5, filters, fuzzy expansion and KWIC.

The functions the CLI and the app call: `search` (a page of hits with the distribution),
`distribution`, `prepare` + `ranked_ids` (every hit, e.g. to code all) and `code_hits`;
`kvali.search.export.export_hits` writes every hit to CSV or XLSX (imported from there, so a
search does not load the table writers).
"""

from kvali.search.engine import code_hits, distribution, iter_hits, prepare, ranked_ids, search
from kvali.search.kwic import Kwic
from kvali.search.query import parse_query
from kvali.search.results import Distribution, Hit, SearchResult

__all__ = [
    "Distribution",
    "Hit",
    "Kwic",
    "SearchResult",
    "code_hits",
    "distribution",
    "iter_hits",
    "parse_query",
    "prepare",
    "ranked_ids",
    "search",
]
