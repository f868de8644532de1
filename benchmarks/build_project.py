"""Build the benchmark project: a generated ~1M-word corpus imported into benchmarks/out/.

    python benchmarks/build_project.py [--words 1000000]   # -> benchmarks/out/bench-1m.db
    python benchmarks/build_project.py --words 5000000     # -> benchmarks/out/bench-5m.db

Other benchmarks (tagging, search, UI, exports) open the resulting project read-only or copy it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from generate_corpus import corpus_folder, size_label

from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.store.stats import project_status

OUT = Path(__file__).resolve().parent / "out"


def build(words: int, *, rebuild: bool = False) -> Path:
    """Generate and import the corpus once (again with `rebuild`); returns the project path."""
    corpus = corpus_folder(words)
    target = OUT / f"bench-{size_label(words)}.db"
    if target.exists() and not rebuild:
        return target
    for suffix in ("", "-wal", "-shm", ".bak"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = open_db(target)
    started = time.perf_counter()
    report = import_paths(db, [corpus], ReadOptions(case_column="Kommune"))
    seconds = time.perf_counter() - started
    if report.failed:
        raise SystemExit(f"import failed: {report.failed[0].error}")
    status = project_status(db)
    print(f"{target}: {status['words']:,} words, {status['segments']:,} segments, "
          f"{status['municipalities']} municipalities, imported in {seconds:.1f} s")
    db.close()
    return target


def main() -> None:
    """Command line: --words N."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="Import again even if present.")
    args = parser.parse_args()
    build(args.words, rebuild=args.rebuild)


if __name__ == "__main__":
    main()
