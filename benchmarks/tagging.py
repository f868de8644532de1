"""Tagging throughput against segmenting the same text, old path against new, and peak memory.

A codebook of 200 codes / 2,000 keywords and phrases is generated from the corpus's lemmas (so
rules really match: keywords with compound matching, phrases, a few patterns and fuzzy rules).
For each of two corpus sizes one run prints, as medians over --runs rounds that interleave the
three measurements (the machine may be shared), wall and CPU seconds of:

- segmenting: kvali's segmenter (`segment_documents`) over every segment text: the reference;
- tagging with the generated codebook on a copy of the project, in a fresh process, for the
  current code and for the code of --old (tagging/matcher.py and run.py of that commit, loaded
  in place of the current ones: it tokenises every segment again): tokens/s, the ratios to
  segmenting, the part spent writing the suggestions (`run._store`), peak RSS (VmHWM), and
  whether both stored the same suggestions (the run stops if not);

then the default codebook.yaml on the larger project, old against new.

    python benchmarks/tagging.py [--words 1000000] [--runs 3] [--old d066efd] [--folder DIR]

The projects come from build_project.py (benchmarks/out/bench-1m.db and a quarter-size one);
they are only read here, every tagging run works on a copy (in /dev/shm when there is one).
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
DEFAULT_FOLDER = "/dev/shm" if Path("/dev/shm").is_dir() else None
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


def segmentation_seconds(texts: list[str]) -> tuple[dict, int]:
    """Wall and CPU seconds kvali's segmenter takes over the texts (each one block), and their
    tokens."""
    nlp = load_pipeline()
    nlp("Start.")  # one-off start-up (tables) is not part of the figure
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in segment_documents((text, [Block(0, len(text))]) for text in texts):
        pass
    figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return figures, sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))


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
import kvali.tagging.run as run
load_pipeline()("Start.")  # one-off start-up (tables), as for segmentation
db = open_db(sys.argv[1])
sync_codebook(db, parse_codebook(sys.stdin.read(), "bench")[0])
store, writing = run._store, {"write_wall": 0.0, "write_cpu": 0.0}


def timed_store(*args, **kwargs):  # the time spent diffing and writing the suggestions
    wall, cpu = time.perf_counter(), time.process_time()
    store(*args, **kwargs)
    writing["write_wall"] += time.perf_counter() - wall
    writing["write_cpu"] += time.process_time() - cpu


run._store = timed_store
wall, cpu = time.perf_counter(), time.process_time()
report = run.tag_project(db)
figures = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, **writing}
# VmHWM is this process's own peak (ru_maxrss would count the parent's memory at the fork)
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
figures["rss"] = int(status["VmHWM"].split()[0]) / 1024
print(json.dumps([figures, report.to_dict()]))
"""


def run_child(project: Path, codebook_text: str, old: Path | None) -> tuple[dict, dict]:
    """Tag the project in a fresh process: (wall and CPU seconds, those spent writing the
    suggestions, peak RSS in MB; the run's report)."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(project), str(old or "")],
                            input=codebook_text, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"tagging failed:\n{result.stderr[-2000:]}")
    figures, report = json.loads(result.stdout.splitlines()[-1])
    return figures, report


def tag_copy(source: Path, folder: Path, name: str, text: str, old: Path | None) -> dict:
    """Tag a fresh copy of the project: `run_child`'s figures and report, the codings stored
    and the triggers on `codings` (each runs once per suggestion written)."""
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm", ".bak"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, path)
    figures, report = run_child(path, text, old)
    with sqlite3.connect(path) as db:
        figures["codings"] = db.execute(CODINGS).fetchall()
        figures["triggers"] = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'codings'")]
    path.unlink()
    return {**figures, "report": report}


def old_sources(commit: str, folder: Path) -> Path:
    """The old tagger's modules, written out of git into `folder`."""
    for name in OLD_FILES:
        source = subprocess.run(["git", "show", f"{commit}:src/kvali/tagging/{name}.py"],
                                cwd=REPO, capture_output=True, text=True, check=True).stdout
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def compare(source: Path, text: str, runs: int, folder: Path, old: Path, segmenting: bool
            ) -> dict:
    """Interleaved rounds of segmenting (optional), new and old tagging; the medians."""
    with sqlite3.connect(source) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM segments")]
    rounds: dict[str, list[dict]] = {"segmenting": [], "new": [], "old": []}
    tokens = 0
    for round_ in range(runs):
        if segmenting:
            figures, tokens = segmentation_seconds(texts)
            rounds["segmenting"].append(figures)
        rounds["new"].append(tag_copy(source, folder, "new", text, None))
        rounds["old"].append(tag_copy(source, folder, "old", text, old))
        if rounds["new"][-1]["codings"] != rounds["old"][-1]["codings"]:
            raise SystemExit(f"round {round_ + 1}: old and new suggestions differ")
    medians = {label: {key: statistics.median(r[key] for r in found)
                       for key in found[0] if isinstance(found[0][key], float)}
               for label, found in rounds.items() if found}
    first = rounds["new"][0]
    return {**medians, "tokens": tokens, "segments": len(texts), "report": first["report"],
            "suggestions": len(first["codings"]), "triggers": first["triggers"]}


def print_tagging(found: dict, tokens: int, reference: dict | None) -> None:
    """One line per tagger: seconds, tokens/s, ratios to segmenting, writing, peak RSS."""
    for label in ("new", "old"):
        run = found[label]
        line = (f"tagging {label}: {run['wall']:.2f} s wall ({run['cpu']:.2f} s CPU) = "
                f"{tokens / run['wall']:,.0f} tokens/s; writing the suggestions "
                f"{run['write_wall']:.2f} s ({run['write_cpu']:.2f} s CPU)")
        if reference:
            ratio = {key: run[key] / reference[key] for key in ("wall", "cpu")}
            rest = (run["cpu"] - run["write_cpu"]) / reference["cpu"]
            line += (f"; ratio to segmenting {ratio['wall']:.2f} wall, {ratio['cpu']:.2f} CPU"
                     f" (writing {run['write_cpu'] / reference['cpu']:.2f}, "
                     f"the rest {rest:.2f})")
        print(line + f"; peak RSS {run['rss']:.0f} MB")
    print(f"new vs old: {found['old']['wall'] / found['new']['wall']:.1f}x faster wall, "
          f"{found['old']['cpu'] / found['new']['cpu']:.1f}x CPU")


def main() -> None:
    """Print, per corpus size, segmenting vs tagging (old and new) and peak memory; then the
    default codebook old vs new."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", default=OLD, help="commit of the tagger to compare with")
    parser.add_argument("--folder", default=DEFAULT_FOLDER,
                        help="where the copies are tagged (default: RAM-backed /dev/shm when "
                             "there is one, so other work's disk traffic does not count)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        folder = Path(tmp)
        print(f"copies tagged in {folder.parent}; medians of {args.runs} interleaved rounds")
        (folder / "old").mkdir()
        old = old_sources(args.old, folder / "old")
        source, tokens = None, 0
        for words in (args.words // 4, args.words):
            source = build(words)
            with sqlite3.connect(source) as db:
                text = generated_codebook(db, random.Random(11))
            codebook, problems = parse_codebook(text, "bench")
            assert not problems, problems[:3]
            rules = sum(len(c.rules.keywords) + len(c.rules.phrases) for c in codebook.codes)
            found = compare(source, text, args.runs, folder, old, segmenting=True)
            tokens, seg = found["tokens"], found["segmenting"]
            print(f"== {source.name}: {len(codebook.codes)} codes, {rules} keywords+phrases; "
                  f"{found['segments']:,} segments ({found['report']['segments']:,} tagged, "
                  f"interviewer turns skipped), {tokens:,} tokens; "
                  f"{found['suggestions']:,} suggestions, old and new identical; "
                  f"triggers on codings: {', '.join(found['triggers']) or 'none'}")
            print(f"segmenting (reference): {seg['wall']:.2f} s wall ({seg['cpu']:.2f} s CPU) "
                  f"= {tokens / seg['wall']:,.0f} tokens/s")
            print_tagging(found, tokens, seg)
        default = (REPO / "codebook.yaml").read_text(encoding="utf-8")
        found = compare(source, default, args.runs, folder, old, segmenting=False)
        print(f"== the default codebook.yaml on {source.name}: "
              f"{found['suggestions']:,} suggestions, old and new identical")
        print_tagging(found, tokens, None)


if __name__ == "__main__":
    main()
