"""Tagging throughput: a codebook of 200 codes / 2,000 keywords and phrases over ~1M words.

The codebook is generated from the corpus vocabulary (so rules really match), with a mix of
keywords (compound matching on), phrases, a few patterns and fuzzy rules. Reported: words/s of
`tag_project` and the ratio to segmenting the same segments (spaCy pipeline with kvali's rules).

    python benchmarks/tagging.py [--words 1000000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from build_project import build

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.nlp import load_pipeline
from kvali.store import open_db
from kvali.tagging.run import tag_project

CODES = 200
RULES_PER_CODE = 10


def generated_codebook(db, rng: random.Random) -> str:
    """YAML text of 200 codes with 2,000 keywords/phrases drawn from the project's lemmas."""
    counts: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for (lemmas,) in db.execute("SELECT lemmas FROM segments WHERE id % 4 = 0 LIMIT 20000"):
        words = [w for w in lemmas.split() if w.isalpha() and len(w) > 3]
        counts.update(words)
        bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    vocabulary = [w for w, _ in counts.most_common(3000)[100:]]
    phrases = [p for p, _ in bigrams.most_common(2000)]
    lines = ["name: Benchmark", 'version: "bench"', "codes:"]
    for number in range(CODES):
        keywords = rng.sample(vocabulary, RULES_PER_CODE - 3)
        chosen = rng.sample(phrases, 3)
        lines += [f"  - key: kode{number:03d}", f"    name: Kode {number}", "    rules:",
                  f"      keywords: [{', '.join(keywords)}]",
                  f"      phrases: [{', '.join(chosen)}]"]
        if number % 20 == 0:
            lines.append("      patterns: ['§\\s*\\d+']")
        if number % 10 == 0:
            lines.append("      fuzzy: 90")
    return "\n".join(lines) + "\n"


def segmentation_seconds(db) -> tuple[float, int]:
    """Seconds to run the full segmentation pipeline over every segment text, and the words."""
    nlp = load_pipeline()
    texts = [row[0] for row in db.execute("SELECT text FROM segments")]
    start = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=1000))
    return time.perf_counter() - start, words


def main() -> None:
    """Print codebook size, tagging words/s and the ratio to segmentation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = build(args.words)
    with tempfile.TemporaryDirectory() as folder:
        runs = []
        for run in range(args.runs):
            path = Path(folder) / f"tag-{run}.db"
            shutil.copy(source, path)
            db = open_db(path)
            codebook, problems = parse_codebook(generated_codebook(db, random.Random(11)), "bench")
            assert not problems, problems[:3]
            sync_codebook(db, codebook)
            start = time.perf_counter()
            report = tag_project(db)
            runs.append((time.perf_counter() - start, report))
            db.close()
        segment_seconds, words = segmentation_seconds(open_db(source))
    median = statistics.median(seconds for seconds, _ in runs)
    report = runs[0][1]
    rules = sum(len(c.rules.keywords) + len(c.rules.phrases) for c in codebook.codes)
    print(f"codebook: {len(codebook.codes)} codes, {rules} keywords+phrases")
    print(f"corpus: {report.segments:,} segments, {words:,} tokens")
    print(f"suggestions: {sum(report.added.values()):,}")
    print(f"tagging: median {median:.1f} s over {len(runs)} runs = {words / median:,.0f} tokens/s")
    print(f"segmentation of the same segments: {segment_seconds:.1f} s "
          f"= {words / segment_seconds:,.0f} tokens/s")
    print(f"ratio tagging/segmentation: {median / segment_seconds:.2f}")


if __name__ == "__main__":
    main()
