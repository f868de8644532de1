"""Tagging throughput against segmenting the same text, old path against new, and peak memory.

A codebook of 200 codes / 2,000 keywords and phrases is generated from the corpus's lemmas (so
rules really match: keywords with compound matching, phrases, a few patterns and fuzzy rules).
For each of two corpus sizes one run prints, as medians over --runs rounds that interleave the
three measurements (the machine may be shared):

- segmenting: kvali's segmenter (`segment_documents`) over every segment text: the reference;
- tagging with the generated codebook on a copy of the project, in a fresh process: seconds,
  tokens/s, the ratio to segmenting and peak RSS, for the current code and for the code of
  --old (tagging/matcher.py and run.py of that commit, loaded in place of the current ones:
  it tokenises every segment again), and whether both stored the same suggestions;

then the default codebook.yaml on the larger project, old against new.

    python benchmarks/tagging.py [--words 1000000] [--runs 3] [--old d066efd]

The projects come from build_project.py (benchmarks/out/bench-1m.db and a quarter-size one);
they are only read here, every tagging run works on a copy.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from build_project import build

from kvali.codebook.load import parse_codebook
from kvali.ingest.model import Block
from kvali.nlp import load_pipeline
from kvali.nlp.segment import segment_documents

REPO = Path(__file__).resolve().parents[1]
CODES = 200
RULES_PER_CODE = 10
OLD = "d066efd"  # the last commit whose tagger tokenised every segment again
OLD_FILES = ("matcher", "run")
CODINGS = ('SELECT segment_id, code_key, start, "end", rule, score, matched FROM codings '
           "ORDER BY segment_id, code_key")


def generated_codebook(db: sqlite3.Connection, rng: random.Random) -> str:
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


def segmentation_seconds(texts: list[str]) -> tuple[float, int]:
    """Seconds kvali's segmenter takes over the texts (each one block), and their tokens."""
    nlp = load_pipeline()
    nlp("Start.")  # one-off start-up (tables) is not part of the figure
    started = time.perf_counter()
    for _ in segment_documents((text, [Block(0, len(text))]) for text in texts):
        pass
    seconds = time.perf_counter() - started
    return seconds, sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))


CHILD = """
import importlib.util, json, sys, time
old = sys.argv[2]
if old:  # the old tagger's modules stand in for the current ones
    import kvali.tagging
    for name in ("matcher", "run"):
        spec = importlib.util.spec_from_file_location(f"kvali.tagging.{name}",
                                                      f"{old}/{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import sync_codebook
from kvali.nlp import load_pipeline
from kvali.store import open_db
from kvali.tagging.run import tag_project
load_pipeline()("Start.")  # one-off start-up (tables), as for segmentation
db = open_db(sys.argv[1])
sync_codebook(db, parse_codebook(sys.stdin.read(), "bench")[0])
start = time.perf_counter()
report = tag_project(db)
seconds = time.perf_counter() - start
# VmHWM is this process's own peak (ru_maxrss would count the parent's memory at the fork)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
rss = int(status["VmHWM"].split()[0]) / 1024
print(json.dumps([seconds, rss, report.to_dict()]))
"""


def run_child(project: Path, codebook_text: str, old: Path | None) -> tuple[float, float, dict]:
    """Tag the project in a fresh process: (seconds, peak RSS in MB, report)."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(project), str(old or "")],
                            input=codebook_text, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"tagging failed:\n{result.stderr[-2000:]}")
    return tuple(json.loads(result.stdout.splitlines()[-1]))


def tag_copy(source: Path, folder: Path, name: str, text: str, old: Path | None
             ) -> tuple[float, float, dict, list]:
    """Tag a fresh copy of the project; (seconds, RSS, report, the codings stored)."""
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm", ".bak"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, path)
    seconds, rss, report = run_child(path, text, old)
    with sqlite3.connect(path) as db:
        codings = db.execute(CODINGS).fetchall()
    return seconds, rss, report, codings


def old_sources(commit: str, folder: Path) -> Path:
    """The old tagger's modules, written out of git into `folder`."""
    for name in OLD_FILES:
        source = subprocess.run(["git", "show", f"{commit}:src/kvali/tagging/{name}.py"],
                                cwd=REPO, capture_output=True, text=True, check=True).stdout
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def compare(source: Path, text: str, runs: int, folder: Path, old: Path, segmenting: bool
            ) -> dict:
    """Interleaved rounds of segmenting (optional), new and old tagging: medians and more."""
    with sqlite3.connect(source) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM segments")]
    seg, new, before = [], [], []
    tokens = 0
    for round_ in range(runs):
        if segmenting:
            seconds, tokens = segmentation_seconds(texts)
            seg.append(seconds)
        new.append(tag_copy(source, folder, "new", text, None))
        before.append(tag_copy(source, folder, "old", text, old))
        same = new[-1][3] == before[-1][3]
        if not same:
            raise SystemExit(f"round {round_ + 1}: old and new suggestions differ")
    return {"segment": statistics.median(seg) if seg else None, "tokens": tokens,
            "new": statistics.median(r[0] for r in new),
            "old": statistics.median(r[0] for r in before),
            "rss_new": max(r[1] for r in new), "rss_old": max(r[1] for r in before),
            "report": new[0][2], "suggestions": len(new[0][3]), "segments": len(texts)}


def main() -> None:
    """Print, per corpus size, segmenting vs tagging (old and new) and peak memory; then the
    default codebook old vs new."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", default=OLD, help="commit of the tagger to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "old").mkdir()
        old = old_sources(args.old, folder / "old")
        source = None
        for words in (args.words // 4, args.words):
            source = build(words)
            with sqlite3.connect(source) as db:
                text = generated_codebook(db, random.Random(11))
            codebook, problems = parse_codebook(text, "bench")
            assert not problems, problems[:3]
            rules = sum(len(c.rules.keywords) + len(c.rules.phrases) for c in codebook.codes)
            found = compare(source, text, args.runs, folder, old, segmenting=True)
            tokens, seg = found["tokens"], found["segment"]
            print(f"== {source.name}: {len(codebook.codes)} codes, {rules} keywords+phrases; "
                  f"{found['segments']:,} segments ({found['report']['segments']:,} tagged, "
                  f"interviewer turns skipped), {tokens:,} tokens; "
                  f"{found['suggestions']:,} suggestions, old and new identical")
            print(f"segmenting (reference): {seg:.2f} s = {tokens / seg:,.0f} tokens/s")
            for label in ("new", "old"):
                seconds = found[label]
                print(f"tagging {label}: {seconds:.2f} s = {tokens / seconds:,.0f} tokens/s, "
                      f"ratio to segmenting {seconds / seg:.2f}, "
                      f"peak RSS {found['rss_' + label]:.0f} MB")
            print(f"new vs old: {found['old'] / found['new']:.1f}x faster "
                  f"(medians of {args.runs} interleaved rounds)")
        default = (REPO / "codebook.yaml").read_text(encoding="utf-8")
        found = compare(source, default, args.runs, folder, old, segmenting=False)
        print(f"== the default codebook.yaml on {source.name}: "
              f"{found['suggestions']:,} suggestions, old and new identical")
        for label in ("new", "old"):
            seconds = found[label]
            print(f"tagging {label}: {seconds:.2f} s = {tokens / seconds:,.0f} tokens/s, "
                  f"peak RSS {found['rss_' + label]:.0f} MB")
        print(f"new vs old: {found['old'] / found['new']:.1f}x faster")


if __name__ == "__main__":
    main()
