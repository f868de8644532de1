"""CLI start-up and a search as a command, against a bare Python start, in one run.

Issue 16's target: `kvali --help`, `kvali status` and `kvali search` start within 1.5x of
`python -c "import click, sqlite3"`, and a search on the 1M-word project takes under 1 s end to
end as a command. Every command runs in a fresh process; the runs are interleaved (round k runs
each command once, in a rotating order) so a busy machine slows all of them alike, and each
figure is the median of `--runs` rounds after one warm-up round.

- start-up: `kvali --help`, `kvali status` on a small project (the demo interviews) and
  `kvali search --help` (the command loaded, nothing searched);
- a search: `kvali search QUERY` on the small project and on the 1M-word project
  (benchmarks/out/bench-1m.db, built by build_project.py when missing; copied, never changed).

`--before DIR` times the same commands with another source tree in front of the installed one
(e.g. `git archive COMMIT src | tar -x -C DIR`), in the same rounds, for before/after figures.
The first search after installing also writes the lemma table's cache once (kvali.nlp.lemma_table);
that run is timed on its own, with an empty cache folder.

    python benchmarks/cli_startup.py [--runs 9] [--query netværk] [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build_project import build

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db, open_read_only
from kvali.store.stats import project_status

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "interviews"
REFERENCE = "python -c 'import click, sqlite3'"
TARGET_RATIO = 1.5
KVALI = "import sys; from kvali.cli import main; sys.argv[0] = 'kvali'; sys.exit(main())"
"""What the `kvali` console script runs (as `python -c`, so another source tree can run it)."""


def small_project(folder: Path) -> Path:
    """A project holding the demo interviews (a few thousand words)."""
    path = folder / "small.db"
    db = open_db(path)
    report = import_paths(db, [CORPUS], ReadOptions(kind="interview"))
    db.close()
    assert not report.failed, report.failed
    return path


def copy_project(source: Path, folder: Path) -> Path:
    """A consistent copy of a project (WAL contents included), upgraded if it needs it."""
    target = folder / source.name
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    open_db(target, create=False).close()
    return target


def run(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of one fresh process (its output discarded; a failure stops the benchmark)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def interleaved_medians(commands: dict[str, tuple[list[str], dict[str, str] | None]],
                        runs: int) -> dict[str, float]:
    """Median seconds per command over `runs` rounds, after a warm-up round."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(runs + 1):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = run(*commands[name])
            if round_number:
                times[name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def kvali_commands(label: str, env: dict[str, str] | None, small: Path, big: Path,
                   query: str) -> dict[str, tuple[list[str], dict[str, str] | None]]:
    """The timed kvali commands, named with `label` ("" for the installed tree)."""
    kvali = [sys.executable, "-c", KVALI]
    prefix = f"{label} " if label else ""
    return {
        f"{prefix}kvali --help": ([*kvali, "--help"], env),
        f"{prefix}kvali status": ([*kvali, "--db", str(small), "status"], env),
        f"{prefix}kvali search --help": ([*kvali, "search", "--help"], env),
        f"{prefix}kvali search (small)": ([*kvali, "--db", str(small), "search", query], env),
        f"{prefix}kvali search (1M words)": ([*kvali, "--db", str(big), "search", query], env),
    }


def first_search_seconds(big: Path, query: str, folder: Path) -> float:
    """One 1M-word search with an empty cache folder (the lemma table's copy is written)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "empty-cache")}
    return run([sys.executable, "-c", KVALI, "--db", str(big), "search", query], env)


def report(figures: dict[str, float], runs: int, words: str) -> None:
    """Print the medians and the ratios to the reference."""
    reference = figures[REFERENCE]
    print(f"median of {runs} interleaved runs each (after one warm-up); 1M project: {words}")
    for name, seconds in figures.items():
        ratio = "" if name == REFERENCE else f"{seconds / reference:>7.2f}x reference"
        if "search (1M" in name:
            ratio += "   (target < 1 s)"
        elif name.endswith(("--help", "status")):
            ratio += f"   (target <= {TARGET_RATIO}x)"
        print(f"  {name:<44}{seconds * 1000:>8.0f} ms {ratio}")


def main() -> None:
    """Command line: --runs, --query, --before."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--query", default="netværk")
    parser.add_argument("--before", type=Path, help="Another source tree (its src/ folder or "
                        "its parent), timed in the same rounds.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = small_project(folder)
        big = copy_project(build(1_000_000), folder)
        conn = open_read_only(big)
        words = f"{project_status(conn)['words']:,} words"
        conn.close()
        commands = {REFERENCE: ([sys.executable, "-c", "import click, sqlite3"], None),
                    **kvali_commands("", None, small, big, args.query)}
        if args.before is not None:
            src = args.before / "src" if (args.before / "src").is_dir() else args.before
            env = {**os.environ, "PYTHONPATH": str(src.resolve())}
            commands.update(kvali_commands("before:", env, small, big, args.query))
        figures = interleaved_medians(commands, args.runs)
        first = first_search_seconds(big, args.query, folder)
    report(figures, args.runs, words)
    print(f"  first search after installing (writes the lemma cache): {first:.1f} s, once")


if __name__ == "__main__":
    main()
