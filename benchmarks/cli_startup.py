"""CLI start-up time: `kvali --help` and `kvali status` against bare Python imports.

Each command runs in a fresh process, once to warm the file cache and then `--runs` times; the
figure is the median wall time. The references are `python -c "import click"` (what `--help`
needs) and `python -c "import click, sqlite3"`; `import sqlite_utils` is shown because `status`
opens the project through it (and sqlite-utils imports pandas when it is installed).

    python benchmarks/cli_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "interviews"


def small_project(folder: Path) -> Path:
    """A project holding the demo interviews (a few thousand words)."""
    path = folder / "small.db"
    db = open_db(path)
    report = import_paths(db, [CORPUS], ReadOptions(kind="interview"))
    db.close()
    assert not report.failed, report.failed
    return path


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of `runs` fresh processes, after one warm-up run."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def main() -> None:
    """Command line: --runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    script = Path(sys.executable).with_name("kvali")
    kvali = [str(script)] if script.exists() else [sys.executable, "-m", "kvali.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        project = small_project(Path(tmp))
        figures = {
            "kvali --help": median_seconds([*kvali, "--help"], runs),
            "kvali status": median_seconds([*kvali, "--db", str(project), "status"], runs),
            "python -c 'import click'": median_seconds([sys.executable, "-c", "import click"],
                                                       runs),
            "python -c 'import click, sqlite3'": median_seconds(
                [sys.executable, "-c", "import click, sqlite3"], runs),
            "python -c 'import sqlite_utils'": median_seconds(
                [sys.executable, "-c", "import sqlite_utils"], runs),
        }
    print(f"median of {runs} runs each (after one warm-up)")
    for name, seconds in figures.items():
        print(f"  {name:<36}{seconds * 1000:>8.0f} ms")
    click_only = figures["python -c 'import click'"]
    click_sqlite = figures["python -c 'import click, sqlite3'"]
    for name in ("kvali --help", "kvali status"):
        print(f"  {name:<14} / import click: {figures[name] / click_only:>5.1f}×   "
              f"/ import click, sqlite3: {figures[name] / click_sqlite:>5.1f}×")


if __name__ == "__main__":
    main()
