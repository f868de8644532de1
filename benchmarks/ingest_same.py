"""Same stored results: `kvali import` of one corpus by an older commit and by this checkout.

Both imports run as the command in child processes (the older one from its `src/`, unpacked as in
ingest.py) into fresh projects; then every table is compared row by row, sorted by its columns:
the documents, segments with their lemmas, speakers, responses, respondents, cases, imports, the
search index's own tables — leaving out only the columns that hold the time of the import
(`*_at`). The search index is also asked a few MATCH queries. Prints one line per table and
exits non-zero on any difference.

    python benchmarks/ingest_same.py --before COMMIT [--words 250000]
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from generate_corpus import corpus_folder
from ingest import child_env, unpack, warm_cache

QUERIES = ("kommune", "borger*", "\"tidlig indsats\"", "lemmas:samarbejde", "text:Aarhus OR Nyborg")


def import_into(folder: Path, db: Path, src: Path | None) -> None:
    """`kvali import FOLDER --db DB` from SRC (this checkout's when None)."""
    result = subprocess.run([sys.executable, "-m", "kvali.cli", "import", str(folder), "--db",
                             str(db), "--json"], capture_output=True, text=True,
                            env=child_env(src))
    if result.returncode:
        raise SystemExit(f"the import into {db} failed:\n{result.stderr[-2000:]}")


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every table of the project, the search index's shadow tables included."""
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    """TABLE's rows sorted by every column (a virtual table's in its own order), without the
    `*_at` columns."""
    columns = [c[1] for c in conn.execute(f"PRAGMA table_info([{table}])")
               if not c[1].endswith("_at")]
    listed = ", ".join(f"[{c}]" for c in columns)
    virtual = conn.execute("SELECT sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master WHERE name = ?",
                           [table]).fetchone()[0]
    order = "" if virtual else f" ORDER BY {listed}"
    return conn.execute(f"SELECT {listed} FROM [{table}]{order}").fetchall()  # noqa: S608


def compare(old: Path, new: Path) -> int:
    """Print the comparison; the number of tables or queries that differ."""
    a, b = sqlite3.connect(old), sqlite3.connect(new)
    differences = 0
    names = tables(a)
    if names != tables(b):
        print(f"tables differ: {sorted(set(names) ^ set(tables(b)))}")
        differences += 1
    for table in names:
        before, after = rows(a, table), rows(b, table)
        same = before == after
        differences += not same
        print(f"{table:32} {len(before):>8} rows  {'same' if same else 'DIFFERENT'}"
              + ("" if same else f" (this checkout: {len(after)} rows)"))
    for query in QUERIES:
        sql = "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rowid"
        before, after = a.execute(sql, [query]).fetchall(), b.execute(sql, [query]).fetchall()
        same = before == after
        differences += not same
        print(f"MATCH {query:26} {len(before):>8} hits  {'same' if same else 'DIFFERENT'}")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the older commit")
    parser.add_argument("--words", type=int, default=250_000)
    args = parser.parse_args()
    folder = corpus_folder(args.words)
    old_src = unpack(args.before)
    warm_cache(old_src)
    warm_cache()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "before.db", Path(tmp) / "after.db"
        import_into(folder, old, old_src)
        import_into(folder, new, None)
        differences = compare(old, new)
    print(f"{folder.name}: {'identical' if not differences else f'{differences} differences'}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
