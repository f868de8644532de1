"""Many analysts at once: writers (as the app writes, and through `kvali code`) while `kvali tag
--all` re-tags the project and `kvali import` adds a file, all on one project file.

Prints, per kind of writer, how many writes were attempted, acknowledged (returned / exit 0) and
present in the project afterwards, and every error a user would have seen. `--json` prints the
same as JSON (tests/test_concurrency.py runs a small version and checks it).

    python benchmarks/concurrency.py [--writers 8] [--writes 40] [--cli-writers 2]
                                     [--cli-writes 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "interviews"
CODEBOOK = ROOT / "codebook.yaml"
KVALI = [sys.executable, "-c", "from kvali.cli import main; main()"]
CODE = "naere_netvaerk"

WORKER = """
import json, sys
from kvali.coding.store import add_manual_coding
from kvali.store import open_db
path, coder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = open_db(path, create=False)
segments = [row[0] for row in db.execute("SELECT id FROM segments ORDER BY id")]
done, errors = [], []
for i in range(count):
    try:
        add_manual_coding(db, segments[(i * 7) % len(segments)], "CODE", coder, memo=f"{coder}-{i}")
        done.append(f"{coder}-{i}")
    except Exception as exc:  # counted and shown: the figure this script measures
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"done": done, "errors": errors}))
""".replace("CODE", CODE)


def kvali(path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the kvali command on the project."""
    return subprocess.run([*KVALI, "--db", str(path), *args], capture_output=True, text=True,
                          timeout=600)


def build(folder: Path) -> tuple[Path, Path]:
    """A tagged project of the demo interviews but one; returns (project, the file left out)."""
    files = sorted(CORPUS.glob("*.md"))
    path = folder / "p.db"
    for step in (["import", *map(str, files[:-1]), "--kind", "interview"],
                 ["codebook", "load", str(CODEBOOK)], ["tag"]):
        result = kvali(path, *step)
        if result.returncode:
            raise SystemExit(f"setup failed: {' '.join(step)}: {result.stderr.strip()}")
    return path, files[-1]


def run(writers: int, writes: int, cli_writers: int, cli_writes: int) -> dict:
    """Everything at once; returns the counts."""
    with tempfile.TemporaryDirectory(prefix="kvali-concurrency-") as tmp:
        path, extra = build(Path(tmp))
        segments = int(json.loads(kvali(path, "status", "--json").stdout)["segments"])
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(path), f"app{n}",
                                     str(writes)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for n in range(writers)]
        jobs: dict[str, subprocess.CompletedProcess] = {}
        cli_done: dict[str, list[str]] = {}
        cli_errors: list[str] = []

        def cli_writer(n: int) -> None:
            coder = f"cli{n}"
            cli_done[coder] = []
            for i in range(cli_writes):
                result = kvali(path, "code", str(1 + (n * 13 + i * 5) % segments), CODE,
                               "--coder", coder, "--memo", f"{coder}-{i}")
                if result.returncode == 0:
                    cli_done[coder].append(f"{coder}-{i}")
                else:
                    cli_errors.append(result.stderr.strip())

        def job(name: str, *args: str) -> None:
            jobs[name] = kvali(path, *args)

        threads = [threading.Thread(target=cli_writer, args=(n,)) for n in range(cli_writers)]
        threads += [threading.Thread(target=job, args=("tag", "tag", "--all")),
                    threading.Thread(target=job, args=("import", "import", str(extra),
                                                       "--kind", "interview"))]
        for thread in threads:
            thread.start()
        app_done: dict[str, list[str]] = {}
        app_errors: list[str] = []
        for n, worker in enumerate(workers):
            out, err = worker.communicate(timeout=600)
            result = json.loads(out) if worker.returncode == 0 else {
                "done": [], "errors": [err.strip().splitlines()[-1]]}
            app_done[f"app{n}"] = result["done"]
            app_errors.extend(result["errors"])
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        present = _present(path, {**app_done, **cli_done})
        return {
            "seconds": round(seconds, 1),
            "app": _counts(writers * writes, app_done, present, app_errors),
            "cli": _counts(cli_writers * cli_writes, cli_done, present, cli_errors),
            "tag": {"exit": jobs["tag"].returncode, "errors": _lines(jobs["tag"])},
            "import": {"exit": jobs["import"].returncode, "errors": _lines(jobs["import"])},
        }


def _present(path: Path, done: dict[str, list[str]]) -> set[str]:
    """The acknowledged writes (coder-memo) found in the project afterwards."""
    result = kvali(path, "export", "codings", "-o", str(path.with_suffix(".json")),
                   "--status", "manual")
    if result.returncode:
        raise SystemExit(f"export failed: {result.stderr.strip()}")
    rows = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    memos = {row["memo"] for row in rows if row["coder"] in done}
    return {memo for memos_of in done.values() for memo in memos_of if memo in memos}


def _counts(attempted: int, done: dict[str, list[str]], present: set[str],
            errors: list[str]) -> dict:
    acknowledged = [memo for memos in done.values() for memo in memos]
    return {"attempted": attempted, "acknowledged": len(acknowledged),
            "present": sum(memo in present for memo in acknowledged), "errors": errors}


def _lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()] if result.returncode \
        else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--cli-writers", type=int, default=2)
    parser.add_argument("--cli-writes", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = run(args.writers, args.writes, args.cli_writers, args.cli_writes)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"{args.writers} app writers x {args.writes}, {args.cli_writers} CLI writers x "
          f"{args.cli_writes}, kvali tag --all and kvali import at once: {figures['seconds']} s")
    print(f"{'writer':<8}{'attempted':>10}{'acknowledged':>14}{'present':>9}{'errors':>8}")
    for name in ("app", "cli"):
        row = figures[name]
        print(f"{name:<8}{row['attempted']:>10}{row['acknowledged']:>14}{row['present']:>9}"
              f"{len(row['errors']):>8}")
    for name in ("tag", "import"):
        print(f"kvali {name}: exit {figures[name]['exit']}")
    for line in [*figures["app"]["errors"], *figures["cli"]["errors"], *figures["tag"]["errors"],
                 *figures["import"]["errors"]]:
        print(f"  error shown: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
