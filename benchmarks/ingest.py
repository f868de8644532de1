"""Ingest throughput: `kvali import` against spaCy's tokenizer alone on the same text, and memory.

End to end = `kvali import` of a generated corpus into a fresh project (read, normalise, segment,
lemmatise, store, index), run as the command in a child process so its peak RSS can be read.
The reference is a fresh spaCy Danish tokenizer over the text of the same blocks, timed in the
same round as each import; the ratios are of medians from this one run. CPU seconds are given
besides wall seconds: on a machine shared with other work the CPU ratio is the steadier one.

    python benchmarks/ingest.py [--sizes 1000000 5000000] [--runs 3] [--before COMMIT]

--before runs the import of an older commit (its `src/`, unpacked with `git archive` into
benchmarks/out/) in the same rounds, for before/after figures from one run. The children use a
lemma-table cache of their own (benchmarks/out/cache), written before the first round, so that
nothing else on the machine that clears or rebuilds the user's cache changes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from generate_corpus import OUT, REPO, corpus_folder

from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import expand_paths, read_source

CACHE = OUT / "cache"
WARM = "from kvali.nlp.lemma_table import lemma_table; lemma_table()"

CHILD = """
import resource, sys, time
from kvali.cli import main
sys.argv = ["kvali", "import", sys.argv[1], "--db", sys.argv[2], "--json"]
started = time.perf_counter()
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
usage = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT", code, time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
      usage.ru_maxrss, file=sys.stderr)
"""


@dataclass
class Runs:
    """Seconds (wall, CPU) and peak RSS (MB) of repeated runs of one thing."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float, rss: float = 0.0) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss.append(rss)


def block_texts(folder: Path) -> list[str]:
    """The text of every block the readers find, i.e. what the segmenter sees."""
    texts: list[str] = []
    for path in expand_paths([folder]):
        for document in read_source(path, ReadOptions()).documents:
            texts.extend(document.text[b.start:b.end] for b in document.blocks)
    return texts


def tokenizer_run(texts: list[str]) -> tuple[float, float]:
    """A fresh spaCy Danish tokenizer over the texts (cold cache, as in an import):
    (wall seconds, CPU seconds)."""
    tokenizer = spacy.blank("da").tokenizer
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    return time.perf_counter() - wall, time.process_time() - cpu


def child_env(src: Path | None) -> dict[str, str]:
    """The environment of a child: the benchmark's own lemma cache, `src` first on the path."""
    env = {**os.environ, "XDG_CACHE_HOME": str(CACHE)}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def warm_cache(src: Path | None = None) -> None:
    """Write the lemma table's cache before anything is timed (a checkout without one: nothing)."""
    subprocess.run([sys.executable, "-c", WARM], env=child_env(src), capture_output=True)


def import_run(folder: Path, src: Path | None = None) -> tuple[float, float, float, dict]:
    """One `kvali import` into a fresh project, from `src` (another checkout's src/) if given:
    (wall seconds, CPU seconds, peak RSS in MB, the JSON report) of the child."""
    env = child_env(src)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(Path(tmp) / "b.db")],
                                capture_output=True, text=True, env=env)
    line = next((x for x in result.stderr.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"the import of {folder} did not finish:\n{result.stderr[-2000:]}")
    _, code, wall, cpu, rss_kb = line.split()
    report = json.loads(result.stdout)
    if code != "0" or report["failed"]:
        raise SystemExit(f"the import of {folder} failed: {result.stdout[-2000:]}")
    return float(wall), float(cpu), int(rss_kb) / 1024, report


def unpack(commit: str) -> Path:
    """The `src/` of an older commit, unpacked once into benchmarks/out/src-COMMIT."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", commit],
                         capture_output=True, text=True, check=True).stdout.strip()
    target = OUT / f"src-{sha}"
    if not (target / "src" / "kvali").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha, "src"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def words_of(report: dict) -> int:
    """The words the import stored (segment word counts)."""
    return sum(f["words"] for f in report["files"])


def line(label: str, words: int, runs: Runs, tok: Runs) -> str:
    """One result line: words/s, the wall and CPU ratios to the tokenizer, peak RSS."""
    wall, cpu = statistics.median(runs.wall), statistics.median(runs.cpu)
    return (f"  {label:<16} {wall:6.1f} s wall {cpu:6.1f} s CPU | {words / wall:>9,.0f} words/s | "
            f"ratio {wall / statistics.median(tok.wall):5.1f} wall "
            f"{cpu / statistics.median(tok.cpu):5.1f} CPU | peak RSS {max(runs.rss):4.0f} MB")


def main() -> None:
    """Per corpus size: the tokenizer, this checkout's import and (--before) an older one's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="Also time this commit's import.")
    args = parser.parse_args()
    before = unpack(args.before) if args.before else None
    warm_cache()
    if before is not None:
        warm_cache(before)
    for size in args.sizes:
        folder = corpus_folder(size)
        texts = block_texts(folder)
        tok, after, old = Runs(), Runs(), Runs()
        words = 0
        for _ in range(args.runs):  # one round: reference, this import, the older import
            tok.add(*tokenizer_run(texts))
            wall, cpu, rss, report = import_run(folder)
            after.add(wall, cpu, rss)
            words = words_of(report)
            if before is not None:
                old.add(*import_run(folder, before)[:3])
        print(f"{folder.name}: {words:,} words in {len(report['files'])} files, "
              f"median of {args.runs} rounds")
        print(f"  {'tokenizer alone':<16} {statistics.median(tok.wall):6.1f} s wall "
              f"{statistics.median(tok.cpu):6.1f} s CPU | "
              f"{words / statistics.median(tok.wall):>9,.0f} words/s")
        print(line("kvali import", words, after, tok))
        if before is not None:
            print(line(f"before {args.before[:10]}", words, old, tok))
    print(f"(this script's own RSS, which holds the texts: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
