"""Ingest throughput: words/s end to end vs spaCy's tokenizer alone, and peak memory.

End to end = `kvali import` of a generated corpus into a fresh project (read, normalise, segment,
lemmatise, store, index), run in a child process so its peak RSS can be read. Runs at two corpus
sizes to show that memory does not grow with the corpus.

    python benchmarks/ingest.py [--words 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import spacy
from generate_corpus import generate

from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import expand_paths, read_source

OUT = Path(__file__).resolve().parent / "out"


def corpus(words: int) -> tuple[Path, int]:
    """The generated corpus of about `words` words (made once, kept in benchmarks/out)."""
    folder = OUT / f"corpus-{words // 1000}k"
    if not folder.exists():
        generate(folder, words)
    texts = block_texts(folder)
    return folder, sum(len(t.split()) for t in texts)


def block_texts(folder: Path) -> list[str]:
    """The text of every block the readers find, i.e. what the segmenter sees."""
    texts: list[str] = []
    for path in expand_paths([folder]):
        for document in read_source(path, ReadOptions()).documents:
            texts.extend(document.text[b.start:b.end] for b in document.blocks)
    return texts


def tokenizer_seconds(texts: list[str]) -> float:
    """Time a fresh spaCy Danish tokenizer over the texts (cold cache, as in an import)."""
    tokenizer = spacy.blank("da").tokenizer
    started = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    return time.perf_counter() - started


def import_run(folder: Path) -> tuple[float, float]:
    """One `kvali import` into a fresh project: (seconds, peak RSS in MB of the child)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c",
                   "import sys, resource, time; from kvali.cli import main; "
                   "sys.argv = ['kvali', 'import', sys.argv[1], '--db', sys.argv[2]]; "
                   "t = time.perf_counter()\n"
                   "try:\n    main()\nexcept SystemExit:\n    pass\n"
                   "print('SECONDS', time.perf_counter() - t, "
                   "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
                   str(folder), str(Path(tmp) / "bench.db")]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(x for x in result.stderr.splitlines() if x.startswith("SECONDS"))
    _, seconds, rss_kb = line.split()
    return float(seconds), int(rss_kb) / 1024


def main() -> None:
    """Print words/s, the ratio to the tokenizer, and peak RSS at two corpus sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for size in (args.words // 4, args.words):
        folder, words = corpus(size)
        texts = block_texts(folder)
        tok = statistics.median(tokenizer_seconds(texts) for _ in range(args.runs))
        runs = [import_run(folder) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        print(f"corpus {words:>9,} words | tokenizer alone {words / tok:>9,.0f} words/s | "
              f"kvali import {words / seconds:>9,.0f} words/s (median of {args.runs}) | "
              f"ratio {seconds / tok:4.2f} | peak RSS {rss:6.0f} MB")
    print(f"(self RSS of this script: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
