"""Precision and recall of the personal-data scanner per type on the labelled test transcript,
and (when benchmarks/out/bench-1m.db exists) the time to scan the 1M-word benchmark project.

    python benchmarks/pii_detection.py

The 1M-word project is scanned in a throw-away copy, so the benchmark project stays as it is.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.privacy.evaluation import load_labels, score
from kvali.privacy.findings import list_findings, scan_project
from kvali.store import open_db

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pii"
BENCH = ROOT / "benchmarks" / "out" / "bench-1m.db"


def labelled() -> None:
    """The table of precision and recall per type."""
    db = open_db(":memory:")
    import_paths(db, [DATA / "interview.md"], ReadOptions(kind="interview"))
    scan_project(db)
    text = db.execute("SELECT text FROM documents").fetchone()[0]
    found = {(r.start, r.end, r.type) for r in list_findings(db)}
    print(f"{'type':<9}{'expected':>9}{'found':>7}{'correct':>8}{'precision':>11}{'recall':>8}")
    for type_, s in score(found, load_labels(DATA / "labels.tsv", text)).items():
        print(f"{type_:<9}{s.expected:>9}{s.found:>7}{s.correct:>8}{s.precision:>11.2f}"
              f"{s.recall:>8.2f}")


def big_project() -> None:
    """Seconds to scan every document of the 1M-word project."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / BENCH.name
        shutil.copy(BENCH, copy)
        db = open_db(copy)
        began = time.perf_counter()
        report = scan_project(db)
        seconds = time.perf_counter() - began
        print(f"\n1M-word project: {report.documents} documents, {report.added} findings in "
              f"{seconds:.1f} s")
        db.close()


if __name__ == "__main__":
    labelled()
    if BENCH.exists():
        big_project()
