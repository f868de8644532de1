"""Export times of the benchmark projects as commands, before and after, in one run.

Issue 16's target: the summary DOCX of the 5M-word project in under 10 s. Each size's project
(benchmarks/out/bench-1m.db, bench-5m.db …, built by build_project.py when missing) is copied
to benchmarks/out/exports-<size>.db with the default codebook loaded and tagged, and to
exports-<size>-reviewed.db in the state a review leaves (set in SQL, the same every time): a
third of the suggestions accepted and a seventh of the rest rejected by one coder ("anna"),
every 97th accepted one a key quote, a second coder ("bo") coding a quarter of the documents by
hand (half of anna's codings there again, and some of its own), and a memo on every fifth code.
The copies are made again when missing, older than the project, or with `--fresh`.

Every export is a `kvali export …` command in a fresh process, start-up included:

- summary docx, md, html, xlsx with the suggestions counted (`--status suggested --status
  accepted --status manual`: the volume of a fully reviewed project);
- summary docx of the reviewed project (the default: accepted and manual codings; with the
  agreement lines and codings made by hand);
- codings csv with the suggestions counted; qdpx of the reviewed project.

`--before DIR` runs each command with another source tree in front of the installed one as
well (a checkout: `git worktree add /tmp/before COMMIT`), interleaved in the same rounds, so a
busy machine slows both alike. That tree tags the projects (an older kvali refuses a project a
newer one has upgraded), and each tree times its own copies of the same codings. Figures are
medians of `--runs` rounds: wall seconds and the CPU seconds of the process (on a machine
shared with other work the CPU time is the steadier).

    python benchmarks/exports.py [--words 1000000 5000000] [--runs 3] [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build_project import OUT, build
from cli_startup import KVALI
from generate_corpus import generate

REPO = Path(__file__).resolve().parents[1]
TARGET = 10.0  # seconds for the 5M-word summary DOCX
SUGGESTIONS = ["--status", "suggested", "--status", "accepted", "--status", "manual"]
REVIEW = """
UPDATE codings SET status = 'accepted', coder = 'anna' WHERE id % 3 = 0;
UPDATE codings SET status = 'rejected', coder = 'anna' WHERE id % 7 = 0 AND status = 'suggested';
UPDATE codings SET key_quote = 1 WHERE id % 97 = 0 AND status = 'accepted';
INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, status,
                     key_quote, created_at, updated_at)
  SELECT document_id, segment_id, start, "end", code_key, 'bo', 'manual', 'manual', id % 89 = 0,
         created_at, updated_at FROM codings
  WHERE document_id % 4 = 0 AND status = 'accepted' AND id % 2 = 0;
CREATE TEMP TABLE numbered AS SELECT row_number() OVER (ORDER BY key) - 1 AS n, key FROM codes;
INSERT INTO codings (document_id, segment_id, start, "end", code_key, coder, origin, status,
                     created_at, updated_at)
  SELECT c.document_id, c.segment_id, c.start, c."end", k.key, 'bo', 'manual', 'manual',
         c.created_at, c.updated_at FROM codings c
  JOIN numbered k ON k.n = c.id % (SELECT count(*) FROM numbered)
  WHERE c.document_id % 4 = 0 AND c.status = 'suggested' AND c.id % 11 = 0;
INSERT INTO memos (target_type, target, coder, text, created_at, updated_at)
  SELECT 'code', key, 'anna', 'Notat om ' || name || ': mønstret går igen på tværs af kommunerne.',
         '2026-01-01', '2026-01-01' FROM codes WHERE position % 5 = 0;
"""


def label(words: int) -> str:
    """"1m", "5m", "250k" as build_project names the projects."""
    return f"{words // 1_000_000}m" if words % 1_000_000 == 0 else f"{words // 1000}k"


TAG = """
import sys
from pathlib import Path
from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.store import open_db
from kvali.tagging.run import tag_project
db = open_db(Path(sys.argv[1]))
sync_codebook(db, load_codebook(Path(sys.argv[2])))
tag_project(db)
db.close()
"""
"""Load the codebook and tag a project (run by the tree that makes the projects)."""


IMPORT = """
import sys
from pathlib import Path
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
db = open_db(Path(sys.argv[1]))
if import_paths(db, [Path(sys.argv[2])], ReadOptions(case_column="Kommune")).failed:
    raise SystemExit("import failed")
db.close()
"""
"""Import a corpus as build_project.py does (run by the tree that makes the projects)."""


def prepared(words: int, trees: dict[str, dict[str, str] | None],
             fresh: bool) -> dict[str, tuple[Path, Path]]:
    """Per tree, the tagged and the reviewed copy of the project of `words` words, made when
    missing, older than the corpus or `fresh`. The first tree imports and tags (a newer kvali
    upgrades a project it opens, and an older one then refuses it: with --before, the corpus
    is imported by that tree into a project of its own), and each tree gets its own copies of
    the same codings, opened by it once before they are timed."""
    if len(trees) == 1:
        source = build(words)
    else:
        corpus = OUT / f"corpus-{label(words)}"
        if not corpus.exists():
            generate(corpus, words)
        source = OUT / f"exports-{label(words)}-imported{_tagged(next(iter(trees)))}.db"
        if fresh or not source.exists() or source.stat().st_mtime < corpus.stat().st_mtime:
            source.unlink(missing_ok=True)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", IMPORT, str(source), str(corpus)], check=True,
                           env=next(iter(trees.values())))
            print(f"{source.name}: imported in {time.perf_counter() - started:.0f} s",
                  flush=True)
    found = {tree: tuple(OUT / f"exports-{label(words)}{kind}{_tagged(tree)}.db"
                         for kind in ("", "-reviewed")) for tree in trees}
    paths = [path for pair in found.values() for path in pair]
    if fresh or any(not path.exists() or path.stat().st_mtime < source.stat().st_mtime
                    for path in paths):
        for path in paths:
            for suffix in ("", "-wal", "-shm", ".bak"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        first, *others = trees
        tagged, reviewed = found[first]
        _copy(source, tagged)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", TAG, str(tagged), str(REPO / "codebook.yaml")],
                       check=True, env=trees[first])
        print(f"{tagged.name}: tagged in {time.perf_counter() - started:.0f} s", flush=True)
        _copy(tagged, reviewed)
        with sqlite3.connect(reviewed) as connection:
            connection.executescript(REVIEW)
        for tree in others:
            for made, copy in zip(found[first], found[tree], strict=True):
                _copy(made, copy)
        for tree in trees:
            for path in found[tree]:
                subprocess.run([sys.executable, "-c", OPEN, str(path)], check=True,
                               env=trees[tree])
                Path(f"{path}.bak").unlink(missing_ok=True)  # the upgrade's copy: not needed
    return found


OPEN = "import sys; from kvali.store import open_db; open_db(sys.argv[1], create=False).close()"
"""Open a project once (a tree upgrades its copy before it is timed)."""


def _tagged(tree: str) -> str:
    """The name part that tells a tree's copies from the others' ("" for now)."""
    return "" if tree == "now" else f".{tree}"


def _copy(source: Path, target: Path) -> None:
    """A consistent copy (WAL contents included)."""
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)


def describe(path: Path) -> str:
    """Words and codings of a project, by status."""
    with sqlite3.connect(path) as connection:
        words = connection.execute("SELECT count(*) FROM segments").fetchone()[0]
        statuses = connection.execute(
            "SELECT status, count(*) FROM codings GROUP BY status ORDER BY status").fetchall()
    return f"{words:,} segments; codings " + ", ".join(f"{s} {n:,}" for s, n in statuses)


def jobs(tagged: Path, reviewed: Path, folder: Path) -> dict[str, list[str]]:
    """The timed export commands (arguments after `kvali`)."""
    def export(project: Path, *args: str) -> list[str]:
        return [sys.executable, "-c", KVALI, "--db", str(project), "export", *args]

    found = {f"summary {fmt} (suggestions counted)":
             export(tagged, "summary", "-o", str(folder / f"s.{fmt}"), *SUGGESTIONS)
             for fmt in ("docx", "md", "html", "xlsx")}
    found["summary docx (reviewed)"] = export(reviewed, "summary", "-o", str(folder / "r.docx"))
    found["codings csv (suggestions counted)"] = export(
        tagged, "codings", "-o", str(folder / "c.csv"), *SUGGESTIONS)
    found["qdpx (reviewed)"] = export(reviewed, "qdpx", "-o", str(folder / "p.qdpx"))
    return found


def timed(command: list[str], env: dict[str, str] | None) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (a failure stops the benchmark)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(commands: dict, runs: int) -> dict:
    """Median (wall, CPU) per command ((argv, environment) by name) over `runs` rounds; in
    each round every command runs once, in an order turned by one each round (so the trees
    take turns going first)."""
    times: dict = {name: [] for name in commands}
    names = list(commands)
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(timed(*commands[name]))
    return {name: (statistics.median(w for w, _ in values),
                   statistics.median(c for _, c in values)) for name, values in times.items()}


def main() -> None:
    """Command line: --words, --runs, --before."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="Another source tree (its src/ folder or "
                        "its parent), timed in the same rounds.")
    parser.add_argument("--fresh", action="store_true", help="Tag and copy the projects again.")
    args = parser.parse_args()
    trees: dict[str, dict[str, str] | None] = {"now": None}
    if args.before is not None:
        src = args.before / "src" if (args.before / "src").is_dir() else args.before
        trees = {"before": {**os.environ, "PYTHONPATH": str(src.resolve())}, **trees}
    with tempfile.TemporaryDirectory() as folder:
        for words in args.words:
            projects = prepared(words, trees, args.fresh)
            tagged, reviewed = projects["now"]
            print(f"\n{label(words).upper()} words: {describe(tagged)}; reviewed copy: "
                  f"{describe(reviewed)}", flush=True)
            bare = [sys.executable, "-c", "import click, sqlite3"]
            [start] = measure({"bare": (bare, None)}, runs=3).values()
            per_tree = {tree: jobs(*projects[tree], Path(folder)) for tree in trees}
            commands = {(name, tree): (per_tree[tree][name], trees[tree])
                        for name in per_tree["now"] for tree in trees}
            figures = measure(commands, args.runs)
            print(f"median of {args.runs} runs, wall / CPU seconds (python -c 'import click, "
                  f"sqlite3': {start[0]:.2f} / {start[1]:.2f} s)")
            print(f"  {'':<36}" + "".join(f"{tree:>18}" for tree in trees)
                  + ("   now/before (CPU)" if len(trees) > 1 else ""))
            for name in jobs(tagged, reviewed, Path(folder)):
                cells = "".join(f"{figures[name, tree][0]:>9.2f} /{figures[name, tree][1]:>6.2f}"
                                for tree in trees)
                ratio = f"{figures[name, 'now'][1] / figures[name, 'before'][1]:>10.2f}" \
                    if len(trees) > 1 else ""
                mark = f"   (target < {TARGET:.0f} s)" if name.startswith("summary docx") \
                    and words >= 5_000_000 else ""
                print(f"  {name:<36}{cells}{ratio}{mark}")


if __name__ == "__main__":
    main()
