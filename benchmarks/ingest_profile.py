"""Where the time of `kvali import` goes: CPU seconds per stage, for this checkout and an older one.

Each import runs in a child process with timers around the stages (reading and normalising, the
spaCy tokenizer, the sentence rules, the lemmatiser, the rest of segmentation, the inserts, the
search index flush, the CPR count, the commit), the older one (--before COMMIT, its src/ unpacked
as in ingest.py) in the same rounds; like the command, without pandas in the process. CPU
rather than wall seconds, as the stages are compared with each other on a shared machine. For a
function-level view use cProfile on the same import:
`python -m cProfile -o import.prof -m kvali.cli import FOLDER --db /tmp/p.db`.

    python benchmarks/ingest_profile.py [--words 1000000] [--runs 3] [--before COMMIT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from generate_corpus import corpus_folder
from ingest import child_env, unpack, warm_cache

STAGES = ("start-up (imports, pipeline)", "read + normalise", "spaCy tokenizer", "sentence rules",
          "lemmatiser", "segments from tokens", "inserts", "search index flush", "CPR count",
          "commit", "other")

CHILD = r'''
import contextlib, functools, json, sys, time
from collections import defaultdict
clock = time.process_time
T = defaultdict(float)
try:  # as in `kvali import`: pandas out of the process (sqlite-utils would import it)
    from kvali.cli.lazy import without_pandas
except ImportError:
    without_pandas = contextlib.nullcontext
without_pandas().__enter__()

def timed(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            T[name] += clock() - started
    return wrapper

import kvali.importer as importer
from kvali.ingest.model import ReadOptions
from kvali.nlp import load_pipeline
from kvali.nlp.lemmas import Lemmatizer
from kvali.nlp.sentences import SentenceRules
from kvali.store import open_db

class Tokenizer:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
    def __call__(self, text):
        started = clock()
        doc = self.tokenizer(text)
        T["spaCy tokenizer"] += clock() - started
        return doc
    def pipe(self, texts, batch_size=1000):
        return map(self, texts)

nlp = load_pipeline()
nlp.tokenizer = Tokenizer(nlp.tokenizer)
if hasattr(SentenceRules, "starts"):  # the one-pass segmenter asks the components directly
    SentenceRules.starts = timed("sentence rules", SentenceRules.starts)
    Lemmatizer.lemma_keys = timed("lemmatiser", Lemmatizer.lemma_keys)
else:
    SentenceRules.__call__ = timed("sentence rules", SentenceRules.__call__)
    Lemmatizer.__call__ = timed("lemmatiser", Lemmatizer.__call__)
importer.read_source = timed("read + normalise", importer.read_source)
importer.segment_source = timed("segmentation", importer.segment_source)
importer.store_parsed_source = timed("store", importer.store_parsed_source)
importer.count_cpr = timed("CPR count", importer.count_cpr)
db = open_db(sys.argv[2])
execute = db.execute
def flush_timed(sql, *args, **kwargs):
    if not sql.startswith("UPDATE imports SET summary"):
        return execute(sql, *args, **kwargs)
    started = clock()
    try:
        return execute(sql, *args, **kwargs)
    finally:
        T["search index flush"] += clock() - started
db.execute = flush_timed
atomic = db.atomic
@contextlib.contextmanager
def commit_timed():
    with atomic() as inner:
        yield inner
        started = clock()
    T["commit"] += clock() - started
db.atomic = commit_timed
T["start-up (imports, pipeline)"] = clock()
report = importer.import_paths(db, [sys.argv[1]], ReadOptions())
total = clock()
if report.failed:
    raise SystemExit(report.failed[0].error)
T["segments from tokens"] = (T.pop("segmentation") - T["spaCy tokenizer"] - T["sentence rules"]
                             - T["lemmatiser"])
T["inserts"] = T.pop("store") - T["search index flush"] - T["CPR count"]
T["other"] = total - sum(T.values())
T["total"] = total
print("STAGES", json.dumps(T))
'''


def profile_run(folder: Path, src: Path | None) -> dict[str, float]:
    """CPU seconds per stage of one import into a fresh project (from `src` if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(Path(tmp) / "p.db")],
                                capture_output=True, text=True, env=child_env(src))
    line = next((x for x in result.stdout.splitlines() if x.startswith("STAGES ")), None)
    if result.returncode or line is None:
        raise SystemExit(f"the profiled import failed:\n{result.stderr[-2000:]}")
    return json.loads(line.removeprefix("STAGES "))


def main() -> None:
    """Print the median CPU seconds per stage (and share of the total) for each checkout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="Also profile this commit's import.")
    args = parser.parse_args()
    folder = corpus_folder(args.words)
    checkouts: dict[str, Path | None] = {"this checkout": None}
    if args.before:
        checkouts[f"before {args.before[:10]}"] = unpack(args.before)
    for src in checkouts.values():
        warm_cache(src)
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in checkouts}
    for _ in range(args.runs):
        for label, src in checkouts.items():
            runs[label].append(profile_run(folder, src))
    print(f"{folder.name}: CPU seconds per stage, median of {args.runs} rounds")
    print(f"  {'stage':<30}" + "".join(f"{label:>24}" for label in checkouts))
    for stage in (*STAGES, "total"):
        cells = []
        for label in checkouts:
            seconds = statistics.median(r.get(stage, 0.0) for r in runs[label])
            total = statistics.median(r["total"] for r in runs[label])
            cells.append(f"{seconds:8.2f} s ({100 * seconds / total:4.1f}%)")
        print(f"  {stage:<30}" + "".join(f"{cell:>24}" for cell in cells))


if __name__ == "__main__":
    main()
