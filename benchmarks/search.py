"""Search latency per query type on the generated projects, before and after a change, in one run.

For each query type (word, lemma, phrase, boolean, prefix, compound, fuzzy, NEAR), alone and
with filters (region + size, kind, role, municipality by name or DST code): p50/p95 of
`kvali.search.search()` as the app calls it (one page of 50 hits with KWIC and citations, the
total and the distribution), wall and CPU milliseconds, on the 1M- and 5M-word projects. Each
search runs in a worker process that keeps its caches (the vocabulary; the filters' bytes
per segment), as the app does; "first" is the worker's first search of that query and filter.
The p50/p95 columns are cold: each search ranks afresh (a code that keeps recent answers
forgets them first); "warm" is the same search again, as the app's reruns and next pages are.

`--before DIR` starts a second worker on another source tree (e.g. `git worktree add
/tmp/kvali-search-old COMMIT`; DIR or DIR/src goes in front of PYTHONPATH) and alternates the two
in rounds of five searches, so a busy machine slows both alike; each line then gives both and
whether both returned the same result (hits, order, scores, KWIC, counts: a digest of the JSON).

Also: the index size against the text, the first search in a process, the expansion cost on a
realistic vocabulary (the Danish lemma table), `--re` the same queries answered by a Python `re`
scan over every segment (how the peers search, with the same hit sets), and `--ingest` import
speed with and without the index triggers. Prints figures; nothing passes or fails.

    python benchmarks/search.py [--sizes 1000000 5000000] [--runs 20] [--before DIR] [--re]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

QUERIES: list[tuple[str, str, dict]] = [
    ("word", "opfølgning", {"compounds": False}),
    ("lemma", "netværket", {"compounds": False}),
    ("phrase", '"nære netværk"', {}),
    ("boolean", "frivillig OG forening IKKE penge", {"compounds": False}),
    ("prefix", "sundhed*", {}),
    ("compound", "civilsamfund", {}),
    ("compound", "netværk", {}),
    ("fuzzy", "netværg", {"fuzzy": True, "compounds": False}),
    ("fuzzy", "civilsamfunnet", {"fuzzy": True, "compounds": False}),
    ("near", "netværk NEAR/5 frivillig", {}),
]
FILTERS: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    ("alone", {}),
    ("Nordjylland+lille", {"region": ("Nordjylland",), "size": ("lille",)}),
    ("survey", {"kind": ("survey",)}),
    ("role leder", {"role": ("leder",)}),
    ("kommune Aarhus", {"kommune": ("Aarhus",)}),
    ("kommune 101", {"kommune": ("101",)}),
]
ROUND = 5
_EDGE_L, _EDGE_R = r"(?<![^\W_])", r"(?![^\W_])"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def project(words: int, tmp: Path) -> Path:
    """A private, current copy of the generated project of `words` words (built once in
    benchmarks/out, copied with its WAL, never changed)."""
    from build_project import build
    from cli_startup import copy_project

    return copy_project(build(words), tmp)


# --- the worker: one source tree, one project, its caches kept -----------------------------

def worker() -> None:
    """Answer JSON lines on stdin: {"db": path} opens a project (a plain read-only sqlite3
    connection, as `kvali search` has) and says whether this tree keeps answers;
    {"query", "options", "filters", "runs", "cold"} times that many searches, each ranking
    afresh when `cold` (kept answers forgotten first), and answers their (wall, CPU)
    milliseconds, the total and the result's digest."""
    import sqlite3

    from kvali.search import search
    from kvali.selection import Selection

    try:
        from kvali.search.facts import forget_answers
    except ImportError:  # a tree that keeps no answers
        forget_answers = None
    db = None
    for line in sys.stdin:
        ask = json.loads(line)
        if "db" in ask:
            db = sqlite3.connect(f"file:{ask['db']}?mode=ro", uri=True, isolation_level=None)
            print(json.dumps({"answers": forget_answers is not None}), flush=True)
            continue
        filters = Selection(**{k: tuple(v) for k, v in ask["filters"].items()})
        times, result = [], None
        for _ in range(ask["runs"]):
            if ask["cold"] and forget_answers is not None:
                forget_answers()
            wall, cpu = time.perf_counter(), time.process_time()
            result = search(db, ask["query"], filters, **ask["options"])
            times.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
        data = json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False)
        print(json.dumps({"times": times, "total": result.total,
                          "digest": hashlib.sha1(data.encode()).hexdigest()}), flush=True)


class Worker:
    """A worker process on a source tree (None: this checkout)."""

    def __init__(self, label: str, src: Path | None) -> None:
        env = dict(os.environ)
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
        self.label = label
        self.keeps_answers = False
        self.process = subprocess.Popen([sys.executable, __file__, "--worker"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **request: object) -> dict:
        """Send one request and read its answer."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the {self.label} worker stopped (see its error above)")
        return json.loads(answer)

    def open(self, path: Path) -> None:
        """Open a project in the worker."""
        self.keeps_answers = self.ask(db=str(path))["answers"]

    def close(self) -> None:
        """End the worker."""
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait()


def measure(workers: list[Worker], query: str, options: dict, filters: dict,
            runs: int) -> dict[str, dict]:
    """Per worker: the first search's wall ms, then `runs` cold searches (and, for a tree that
    keeps answers, `runs` warm ones: the same search again), in alternating rounds of five."""
    results: dict[str, dict] = {}
    for w in workers:
        first = w.ask(query=query, options=options, filters=filters, runs=1, cold=True)
        results[w.label] = {"first": first["times"][0][0], "cold": [], "cpu": [], "warm": [],
                            "total": first["total"], "digest": first["digest"]}
    for number in range(max(1, -(-runs // ROUND))):
        count = min(ROUND, runs - number * ROUND) or ROUND
        for w in workers if number % 2 == 0 else workers[::-1]:
            for cold in (True, False) if w.keeps_answers else (True,):
                answer = w.ask(query=query, options=options, filters=filters, runs=count,
                               cold=cold)
                found = results[w.label]
                found["cold" if cold else "warm"] += [t[0] for t in answer["times"]]
                if cold:
                    found["cpu"] += [t[1] for t in answer["times"]]
                if answer["digest"] != found["digest"]:
                    found["digest"] = "changed between runs"
    return results


def latency_table(workers: list[Worker], runs: int) -> dict[str, dict[str, dict[str, float]]]:
    """Print one line per query and filter; returns per worker (and "warm") and type the worst
    p50 and p95."""
    labels = [w.label for w in workers]
    head = f"{'type':<9}{'query':<26}{'filter':<18}{'hits':>7}"
    for w in workers:
        head += f" |{w.label + ' p50':>12}{'p95':>7}{'cpu50':>7}{'cpu95':>7}{'first':>7}"
        if w.keeps_answers:
            head += f"{'warm p50':>10}{'p95':>6}"
    print(head + (" | p50 ratio  same" if len(workers) > 1 else ""))
    worst: dict[str, dict[str, dict[str, float]]] = {}
    for filter_name, filters in FILTERS:
        for kind, query, options in QUERIES:
            found = measure(workers, query, options, filters, runs)
            line = f"{kind:<9}{query[:25]:<26}{filter_name:<18}{found[labels[-1]]['total']:>7}"
            for w in workers:
                r = found[w.label]
                p50, p95 = statistics.median(r["cold"]), percentile(r["cold"], 95)
                cpu50, cpu95 = statistics.median(r["cpu"]), percentile(r["cpu"], 95)
                line += (f" |{p50:>12.1f}{p95:>7.1f}{cpu50:>7.1f}{cpu95:>7.1f}"
                         f"{r['first']:>7.0f}")
                _worst(worst, w.label, kind, p50, p95)
                _worst(worst, f"{w.label} CPU", kind, cpu50, cpu95)
                if w.keeps_answers:
                    warm50, warm95 = statistics.median(r["warm"]), percentile(r["warm"], 95)
                    line += f"{warm50:>10.1f}{warm95:>6.1f}"
                    _worst(worst, f"{w.label} warm", kind, warm50, warm95)
            if len(workers) > 1:
                before, after = (statistics.median(found[label]["cold"]) for label in labels)
                same = len({found[label]["digest"] for label in labels}) == 1
                line += f" | {before / after:>8.1f}x  {'yes' if same else 'NO'}"
            print(line, flush=True)
    return worst


def _worst(worst: dict[str, dict[str, dict[str, float]]], label: str, kind: str, p50: float,
           p95: float) -> None:
    row = worst.setdefault(label, {}).setdefault(kind, {"p50": 0.0, "p95": 0.0})
    row["p50"], row["p95"] = max(row["p50"], p50), max(row["p95"], p95)


def summary(worst_by_size: dict[int, dict[str, dict[str, dict[str, float]]]]) -> None:
    """The slowest p50 and p95 of each query type (over its queries and filters) per size."""
    print("\n== slowest p50 / p95 ms of each query type, over its queries and filters ==")
    kinds = list(dict.fromkeys(kind for kind, _, _ in QUERIES))
    print(f"{'words':>10} {'code':<12}" + "".join(f"{kind:>14}" for kind in kinds))
    for words, by_label in worst_by_size.items():
        for label, row in by_label.items():
            print(f"{words:>10,} {label:<12}" + "".join(
                f"{row[kind]['p50']:>7.1f}/{row[kind]['p95']:<6.1f}" for kind in kinds))


# --- the plain re scan (--re) --------------------------------------------------------------

def _pattern(tokens: tuple[str, ...], prefix: bool = False) -> str:
    body = r"[\W_]+".join(re.escape(t) for t in tokens)
    return _EDGE_L + body + ("" if prefix else _EDGE_R)


def compile_predicate(node, expansions) -> Callable[[str], bool]:
    """A Python predicate over "text\\nlemmas" with the semantics of the FTS5 expression."""
    from kvali.search.query import BinaryOp, Near, Phrase, Prefix

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


def re_comparison(path: Path) -> None:
    """Each query (no NEAR) answered by a `re` scan over the selected segments' text and lemmas,
    against the search (cold): the scan's time, the ratio and whether the hit sets are the same."""
    from kvali.search import prepare, search
    from kvali.search.query import parse_query
    from kvali.selection import Selection
    from kvali.store import open_db

    db = open_db(path)
    print(f"\n{'type':<9}{'query':<26}{'filter':<18}{'search ms':>10}{'re ms':>9}{'ratio':>8}"
          "  same hits")
    for filter_name, fields in FILTERS[:4]:
        filters = Selection(**fields)
        prepared = prepare(db, "x", filters, cached=False)
        rows = db.execute("SELECT s.id, s.text || char(10) || s.lemmas FROM segments s "
                          "JOIN segment_facts sf ON sf.segment_id = s.id WHERE 1"
                          + prepared.sql.clause(), prepared.sql.params).fetchall()
        for kind, query, options in QUERIES:
            if kind == "near":
                continue
            times, result = timed(partial(cold_search, db, query, filters, options), 5)
            prepared = prepare(db, query, filters, **options)
            predicate = compile_predicate(parse_query(query), prepared.expansions)
            re_times, found = timed(partial(re_scan, rows, predicate), 2)
            ids = {h.segment_id for h in search(db, query, filters, limit=None, **options).hits}
            same = "yes" if ids == found else f"no ({len(ids ^ found)} differ)"
            p50, re_p50 = statistics.median(times), statistics.median(re_times)
            print(f"{kind:<9}{query[:25]:<26}{filter_name:<18}{p50:>10.1f}{re_p50:>9.0f}"
                  f"{re_p50 / p50:>7.0f}x  {same}", flush=True)
    db.close()


def cold_search(db, query: str, filters, options: dict):
    """A search that ranks afresh (no kept answers), as the latency table's cold figures."""
    from kvali.search import search
    from kvali.search.facts import forget_answers

    forget_answers()
    return search(db, query, filters, **options)


def re_scan(rows: list[tuple[int, str]], predicate: Callable[[str], bool]) -> set[int]:
    """Segment ids whose text or lemmas satisfy the predicate."""
    return {segment_id for segment_id, text in rows if predicate(text)}


# --- other figures -------------------------------------------------------------------------

def timed(function: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """Run `function` once to warm up, then `runs` times; milliseconds and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def index_size(path: Path) -> None:
    """Words, segments, and the FTS5 index pages against the bytes of segment text (and lemmas)."""
    import sqlite3

    db = sqlite3.connect(path)
    segments, words, text, lemmas = db.execute(
        "SELECT count(*), coalesce(sum(length(lemmas) - length(replace(lemmas, ' ', '')) + 1), 0),"
        " sum(length(CAST(text AS BLOB))), sum(length(CAST(lemmas AS BLOB))) FROM segments"
    ).fetchone()
    index = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'segments_fts%'"
                       ).fetchone()[0]
    db.close()
    print(f"\n== {path.name}: {words:,} words, {segments:,} segments ==")
    print(f"index size: FTS5 {index / 1e6:.1f} MB for {text / 1e6:.1f} MB of text "
          f"(+{lemmas / 1e6:.1f} MB lemmas): {index / text:.2f}x the text, "
          f"{index / (text + lemmas):.2f}x text+lemmas")


def expansion_cost() -> None:
    """Compound and fuzzy expansion time on a realistic vocabulary (the Danish lemma table)."""
    from spacy.lookups import load_lookups

    from kvali.search.vocabulary import Vocabulary

    table = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    vocab = Vocabulary({str(lemma).lower(): 1 for lemma in table.values()})
    for word in ("netværk", "forening", "netværg"):
        times, found = timed(partial(vocab._containing, word), 10)
        fuzzy_times, close = timed(partial(vocab._similar, word, 1, 10), 10)
        print(f"expansion on a {len(vocab.terms):,}-term vocabulary, {word!r}: compounds "
              f"{statistics.median(times):.1f} ms ({len(found)} terms), fuzzy "
              f"{statistics.median(fuzzy_times):.1f} ms ({len(close)} terms); "
              "remembered for the vocabulary's life")


def ingest_speed(words: int) -> None:
    """Import the same corpus with the FTS triggers and without the search migration."""
    from build_project import OUT
    from generate_corpus import generate

    from kvali.importer import import_paths
    from kvali.ingest.model import ReadOptions
    from kvali.store import migrations, open_db

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


def source_tree(path: Path) -> Path:
    """DIR/src when DIR is a checkout, else DIR."""
    return (path / "src" if (path / "src" / "kvali").is_dir() else path).resolve()


def main() -> None:
    """Command line: --sizes, --runs, --before, --re, --ingest (and --worker, internal)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--before", type=Path, help="Another source tree to time alongside.")
    parser.add_argument("--re", action="store_true", help="Also time a plain re scan (slow).")
    parser.add_argument("--ingest", action="store_true", help="Also measure import speed.")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    if args.before is not None and not (source_tree(args.before) / "kvali").is_dir():
        raise SystemExit(f"--before {args.before}: no kvali source tree there")
    workers = ([Worker("before", source_tree(args.before))] if args.before else [])
    workers.append(Worker("after" if args.before else "this", None))
    worst: dict[int, dict[str, dict[str, dict[str, float]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for words in args.sizes:
            path = project(words, Path(tmp))
            index_size(path)
            for w in workers:
                w.open(path)
            worst[words] = latency_table(workers, args.runs)
            if args.re and words == min(args.sizes):
                re_comparison(path)
            path.unlink()
    for w in workers:
        w.close()
    summary(worst)
    expansion_cost()
    if args.ingest:
        ingest_speed(250_000)


if __name__ == "__main__":
    sys.exit(main())
