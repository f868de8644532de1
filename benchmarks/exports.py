"""Export times on the 1M-word benchmark project with the default codebook loaded and tagged.

Suggestions count as codings here (`--status suggested` in the CLI), so the exports have the
volume a fully reviewed project would have.

    python benchmarks/exports.py [--words 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from build_project import build

from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.export.codings import write_codings
from kvali.export.formats import write_summary
from kvali.export.summary import build_summary
from kvali.refiqda.export import export_qdpx
from kvali.selection import Selection
from kvali.store import open_db
from kvali.tagging.run import tag_project

REPO = Path(__file__).resolve().parents[1]
ALL = Selection(status=("suggested", "accepted", "manual"))


def timed(work: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    """Print the median time of each export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "export.db"
        shutil.copy(build(args.words), project)
        db = open_db(project)
        sync_codebook(db, load_codebook(REPO / "codebook.yaml"))
        tag_project(db)
        codings = db.execute("SELECT count(*) FROM codings").fetchone()[0]
        words = db.execute("SELECT sum(length(text)) FROM segments").fetchone()[0]
        print(f"project: {codings:,} codings over {words:,} characters of segments")
        out = Path(folder)
        jobs = {f"summary {fmt}": (lambda fmt=fmt: write_summary(
                    build_summary(db, ALL), out / f"summary.{fmt}", fmt))
                for fmt in ("docx", "md", "html", "xlsx")}
        jobs.update({f"codings {fmt}": (lambda fmt=fmt: write_codings(
                        db, out / f"codings.{fmt}", fmt, ALL)) for fmt in ("csv", "json")})
        jobs["qdpx (accepted and manual only)"] = lambda: export_qdpx(db, out / "p.qdpx")
        for label, job in jobs.items():
            print(f"{label:<34} median {timed(job, args.runs):6.2f} s over {args.runs} runs")
        db.close()


if __name__ == "__main__":
    main()
