"""Tagging throughput: a codebook of 200 codes / 2,000 keywords and phrases over ~1M words.

The codebook is generated from the corpus vocabulary (so rules really match), with a mix of
keywords (compound matching on), phrases, a few patterns and fuzzy rules. Reported: words/s of
`tag_project` and the ratio to segmenting the same segments (spaCy pipeline with kvali's rules).

    python benchmarks/tagging.py [--words 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from build_project import build

from kvali.codebook.load import parse_codebook
from kvali.nlp import load_pipeline
from kvali.store import open_db

REPO = Path(__file__).resolve().parents[1]
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
    nlp("Start.")  # one-off start-up (tables) is not part of the figure
    texts = [row[0] for row in db.execute("SELECT text FROM segments")]
    start = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=1000))
    return time.perf_counter() - start, words


def run_child(project: Path, codebook_text: str) -> tuple[float, float, dict]:
    """Tag a copy of the project in a fresh process: (seconds, peak RSS in MB, report)."""
    code = (
        "import json, resource, sys, time\n"
        "from kvali.codebook.load import parse_codebook\n"
        "from kvali.codebook.sync import sync_codebook\n"
        "from kvali.store import open_db\n"
        "from kvali.nlp import load_pipeline\n"
        "from kvali.tagging.run import tag_project\n"
        "load_pipeline()('Start.')  # one-off start-up (tables), as for segmentation\n"
        "db = open_db(sys.argv[1])\n"
        "sync_codebook(db, parse_codebook(sys.stdin.read(), 'bench')[0])\n"
        "start = time.perf_counter()\n"
        "report = tag_project(db)\n"
        "seconds = time.perf_counter() - start\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([seconds, rss, report.to_dict()]))\n")
    result = subprocess.run([sys.executable, "-c", code, str(project)], input=codebook_text,
                            capture_output=True, text=True, check=True)
    return tuple(json.loads(result.stdout.splitlines()[-1]))


def main() -> None:
    """Print codebook size, tagging words/s, the ratio to segmentation and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for words in (args.words // 4, args.words):
        source = build(words)
        db = open_db(source)
        text = generated_codebook(db, random.Random(11))
        codebook, problems = parse_codebook(text, "bench")
        assert not problems, problems[:3]
        segment_seconds, tokens = segmentation_seconds(db)
        db.close()
        runs = []
        with tempfile.TemporaryDirectory() as folder:
            for run in range(args.runs):
                path = Path(folder) / f"tag-{run}.db"
                shutil.copy(source, path)
                runs.append(run_child(path, text))
        median = statistics.median(seconds for seconds, _, _ in runs)
        rss = max(peak for _, peak, _ in runs)
        report = runs[0][2]
        rules = sum(len(c.rules.keywords) + len(c.rules.phrases) for c in codebook.codes)
        print(f"== {source.name}: {len(codebook.codes)} codes, {rules} keywords+phrases; "
              f"{report['segments']:,} segments tagged (interviewer turns skipped), "
              f"{tokens:,} tokens in all segments")
        print(f"suggestions: {sum(report['added'].values()):,}")
        print(f"tagging: median {median:.1f} s over {len(runs)} runs = "
              f"{tokens / median:,.0f} tokens/s; peak RSS {rss:.0f} MB")
        print(f"segmentation of the same segments: {segment_seconds:.1f} s "
              f"= {tokens / segment_seconds:,.0f} tokens/s; "
              f"ratio tagging/segmentation {median / segment_seconds:.2f}")
    default = (REPO / "codebook.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "default.db"
        shutil.copy(source, path)
        seconds, rss, report = run_child(path, default)
    print(f"== the default codebook.yaml on {source.name}: {seconds:.1f} s = "
          f"{tokens / seconds:,.0f} tokens/s, {sum(report['added'].values()):,} suggestions, "
          f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
