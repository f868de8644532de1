"""Search latency and correctness on the generated projects, side by side with a plain `re` scan.

For each query type (word, lemma, phrase, boolean, prefix, compound, fuzzy), alone and with
filters: p50/p95 of `kvali.search.search()` (one page of 50 hits with KWIC, the total and the
distribution) on the ~1M-word project; the same query answered by a Python scan with `re` over the
text and lemmas of every segment (how the peers search), with the speed ratio and whether both
return the same hit set; the index size relative to the text; query time at 100k, 1M and 5M
words; the cost of expansion on a large vocabulary; and (--ingest) import speed with and without
the index triggers. Prints figures; nothing passes or fails.

    python benchmarks/search.py [--sizes 100000 1000000 5000000] [--runs 30] [--ingest]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from build_project import OUT, build
from generate_corpus import generate

from kvali.search import prepare, search
from kvali.search.expand import Expansions
from kvali.search.query import BinaryOp, Near, Node, Phrase, Prefix, parse_query
from kvali.search.vocabulary import Vocabulary
from kvali.selection import Selection
from kvali.store import open_db

QUERIES: list[tuple[str, str, dict]] = [
    ("word", "opfølgning", {"compounds": False}),
    ("lemma", "netværket", {"compounds": False}),
    ("phrase", '"nære netværk"', {}),
    ("boolean", "frivillig OG forening IKKE penge", {"compounds": False}),
    ("prefix", "sundhed*", {}),
    ("compound", "civilsamfund", {}),
    ("fuzzy", "netværg", {"fuzzy": True, "compounds": False}),
    ("fuzzy", "civilsamfunnet", {"fuzzy": True, "compounds": False}),
]
FILTERS: list[tuple[str, Selection]] = [
    ("alone", Selection()),
    ("Nordjylland+lille", Selection(region=("Nordjylland",), size=("lille",))),
    ("survey", Selection(kind=("survey",))),
    ("role leder", Selection(role=("leder",))),
]
_EDGE_L, _EDGE_R = r"(?<![^\W_])", r"(?![^\W_])"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def project(words: int, tmp: Path) -> Path:
    """A private copy of the generated project of `words` words (built once in benchmarks/out)."""
    source = build(words)
    target = tmp / source.name
    if not target.exists():
        shutil.copy(source, target)
    return target


# --- the plain re scan --------------------------------------------------------------------

def _pattern(tokens: tuple[str, ...], prefix: bool = False) -> str:
    body = r"[\W_]+".join(re.escape(t) for t in tokens)
    return _EDGE_L + body + ("" if prefix else _EDGE_R)


def compile_predicate(node: Node, expansions: Expansions) -> Callable[[str], bool]:
    """A Python predicate over "text\\nlemmas" with the semantics of the FTS5 expression."""
    if isinstance(node, BinaryOp):
        left, right = compile_predicate(node.left, expansions), compile_predicate(
            node.right, expansions)
        if node.op == "AND":
            return lambda s: left(s) and right(s)
        if node.op == "OR":
            return lambda s: left(s) or right(s)
        return lambda s: left(s) and not right(s)
    if isinstance(node, Near):
        raise ValueError("NEAR has no plain-re counterpart here")
    if isinstance(node, Prefix):
        patterns = [_pattern((node.token,), prefix=True)]
    elif isinstance(node, Phrase):
        lemma = tuple(t for token in node.tokens for t in expansions.lemma_of(token))
        patterns = [_pattern(node.tokens), _pattern(lemma)]
    else:
        word = expansions.words[node.token]
        patterns = [_pattern(alternative) for alternative in word.alternatives()]
    regex = re.compile("|".join(patterns), re.IGNORECASE)
    return lambda s: regex.search(s) is not None


def load_rows(db, filters: Selection) -> list[tuple[int, str]]:
    """(segment id, text + lemmas) of the segments the filters allow, as a peer would hold them."""
    prepared = prepare(db, "x", filters)
    sql = ("SELECT s.id, s.text || char(10) || s.lemmas FROM segments s "
           "JOIN segment_facts sf ON sf.segment_id = s.id WHERE 1" + prepared.sql.clause())
    return db.execute(sql, prepared.sql.params).fetchall()


def re_scan(rows: list[tuple[int, str]], predicate: Callable[[str], bool]) -> set[int]:
    """Segment ids whose text or lemmas satisfy the predicate."""
    return {segment_id for segment_id, text in rows if predicate(text)}


# --- measurements -------------------------------------------------------------------------

def timed(function: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """Run `function` once to warm up, then `runs` times; milliseconds and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def latency_table(db, runs: int, compare: bool) -> dict[str, float]:
    """Print p50/p95 per query and filter, with the re scan beside it; returns p50 per type."""
    print(f"{'type':<9}{'query':<34}{'filter':<19}{'hits':>7}{'p50 ms':>9}{'p95 ms':>9}"
          + (f"{'re p50':>9}{'ratio':>8}  same hits" if compare else ""))
    p50_by_type: dict[str, list[float]] = {}
    for filter_name, filters in FILTERS:
        rows = load_rows(db, filters) if compare else []
        for kind, query, options in QUERIES:
            times, result = timed(partial(search, db, query, filters, **options), runs)
            p50, p95 = statistics.median(times), percentile(times, 95)
            if filter_name == "alone":
                p50_by_type.setdefault(kind, []).append(p50)
            line = (f"{kind:<9}{query[:33]:<34}{filter_name:<19}{result.total:>7}"
                    f"{p50:>9.1f}{p95:>9.1f}")
            if compare:
                prepared = prepare(db, query, filters, **options)
                predicate = compile_predicate(parse_query(query), prepared.expansions)
                re_times, found = timed(partial(re_scan, rows, predicate), 2)
                fts_ids = {h.segment_id for h in search(db, query, filters, limit=None,
                                                        **options).hits}
                same = "yes" if fts_ids == found else f"no ({len(fts_ids ^ found)} differ)"
                re_p50 = statistics.median(re_times)
                line += f"{re_p50:>9.0f}{re_p50 / p50:>7.0f}x  {same}"
            print(line, flush=True)
    return {kind: max(values) for kind, values in p50_by_type.items()}


def index_size(db) -> None:
    """FTS5 index pages against the bytes of segment text (and lemmas)."""
    text, lemmas = db.execute("SELECT sum(length(CAST(text AS BLOB))), "
                              "sum(length(CAST(lemmas AS BLOB))) FROM segments").fetchone()
    index = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'segments_fts%'"
                       ).fetchone()[0]
    print(f"index size: FTS5 {index / 1e6:.1f} MB for {text / 1e6:.1f} MB of text "
          f"(+{lemmas / 1e6:.1f} MB lemmas): {index / text:.2f}x the text, "
          f"{index / (text + lemmas):.2f}x text+lemmas")


def expansion_cost() -> None:
    """Compound and fuzzy expansion time on a realistic vocabulary (the Danish lemma table)."""
    from spacy.lookups import load_lookups

    table = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    vocab = Vocabulary({str(lemma).lower(): 1 for lemma in table.values()})
    for word in ("netværk", "forening", "netværg"):
        times, found = timed(partial(vocab.containing, word), 10)
        fuzzy_times, close = timed(partial(vocab.similar, word, 1, 10), 10)
        print(f"expansion on a {len(vocab.terms):,}-term vocabulary, {word!r}: compounds "
              f"{statistics.median(times):.1f} ms ({len(found)} terms), fuzzy "
              f"{statistics.median(fuzzy_times):.1f} ms ({len(close)} terms)")


def ingest_speed(words: int) -> None:
    """Import the same corpus with the FTS triggers and without the search migration."""
    from kvali.importer import import_paths
    from kvali.ingest.model import ReadOptions
    from kvali.store import migrations

    folder = OUT / f"corpus-{words // 1000}k"
    if not folder.exists():
        generate(folder, words)
    everything = list(migrations.MIGRATION_SETS)
    for label, sets in (("with FTS5 triggers", everything),
                        ("without search index", [m for m in everything
                                                  if m.name != "kvali.search"])):
        rates = []
        for _ in range(3):
            migrations.MIGRATION_SETS[:] = sets
            with tempfile.TemporaryDirectory() as tmp:
                db = open_db(Path(tmp) / "ingest.db")
                started = time.perf_counter()
                report = import_paths(db, [folder], ReadOptions(case_column="Kommune"))
                seconds = time.perf_counter() - started
                rates.append(sum(f.words for f in report.files) / seconds)
                db.close()
        migrations.MIGRATION_SETS[:] = everything
        print(f"import {label:<22} {statistics.median(rates):>9,.0f} words/s (median of 3)")


def main() -> None:
    """Command line: --sizes, --runs, --ingest, --no-compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--ingest", action="store_true", help="Also measure import speed.")
    args = parser.parse_args()
    scaling: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for words in args.sizes:
            path = project(words, Path(tmp))
            db = open_db(path)
            segments, total_words = db.execute(
                "SELECT count(*), coalesce(sum(length(lemmas) - length(replace(lemmas, ' ', '')) "
                "+ 1), 0) FROM segments").fetchone()
            detailed = words == 1_000_000 or len(args.sizes) == 1
            print(f"\n== {path.name}: {total_words:,} words, {segments:,} segments ==")
            index_size(db)
            started = time.perf_counter()
            search(db, "netværk")
            print(f"first search in this process (loads the pipeline and vocabulary): "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")
            if detailed:
                scaling[words] = latency_table(db, args.runs, compare=True)
            else:
                scaling[words] = latency_table(db, max(5, args.runs // 3), compare=False)
            db.close()
    print("\n== p50 ms (no filter, slowest query of each type) by corpus size ==")
    kinds = list(dict.fromkeys(kind for kind, _, _ in QUERIES))
    print(f"{'words':>10}" + "".join(f"{kind:>10}" for kind in kinds))
    for words, row in scaling.items():
        print(f"{words:>10,}" + "".join(f"{row[kind]:>10.1f}" for kind in kinds))
    expansion_cost()
    if args.ingest:
        ingest_speed(250_000)


if __name__ == "__main__":
    sys.exit(main())
