"""`kvali --help`, `kvali init`, `kvali status` and `kvali search` start without the heavy
libraries, and the lazily loaded command list cannot drift from the commands themselves.

Each command runs in a fresh process that reports what it imported (no timing here: the figures
are benchmarks/cli_startup.py's)."""

from __future__ import annotations

import inspect
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest

from kvali.cli import COMMANDS, cli

HEAVY = ("spacy", "thinc", "pandas", "pyarrow", "streamlit", "docx", "openpyxl", "pypdf", "lxml",
         "ruamel", "re2")
"""Never imported by the light commands, nor by a search."""
STARTUP = ("numpy", "sqlite_utils", "rapidfuzz")
"""Also kept off `kvali --help`, `kvali status` and `kvali search --help`. (A search still loads
sqlite-utils, and with it numpy, through kvali.export's citations, records and output.)"""
PROBE = """
import json, sys
from kvali.cli import main
sys.argv = ["kvali", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
modules = sorted(sys.modules)
import pandas  # pandas is out of the command's process only while the command runs
print("MODULES " + json.dumps(modules), file=sys.stderr)
"""


def run_kvali(*args: str, cwd: Path) -> tuple[str, set[str]]:
    """The output of a fresh `kvali ARGS` process, and the top-level packages it imported."""
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         cwd=cwd, timeout=120)
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith("MODULES "), run.stderr
    return run.stdout, {name.split(".")[0] for name in json.loads(line.removeprefix("MODULES "))}


def loaded_modules(*args: str, cwd: Path) -> set[str]:
    """The top-level packages imported by a fresh `kvali ARGS` process."""
    return run_kvali(*args, cwd=cwd)[1]


@pytest.mark.parametrize("args", [("--help",), ("init",), ("status",), ("status", "--json"),
                                  ("search", "--help")], ids=" ".join)
def test_light_commands_import_no_heavy_library(project: Path, args: tuple[str, ...]):
    modules = loaded_modules("--db", str(project), *args, cwd=project.parent)
    assert "kvali" in modules and "click" in modules
    avoided = set(HEAVY) if args == ("init",) else {*HEAVY, *STARTUP}  # init upgrades: sqlite-utils
    assert not modules & avoided, f"kvali {' '.join(args)} imported {modules & avoided}"


@pytest.mark.parametrize("args", [("export", "summary", "--help"), ("export", "qdpx", "--help"),
                                  ("import-qdpx", "--help")], ids=" ".join)
def test_export_commands_start_without_the_importers_pipeline(project: Path,
                                                              args: tuple[str, ...]):
    """Exporting never segments text, so spaCy (a second of start-up) stays out."""
    modules = loaded_modules("--db", str(project), *args, cwd=project.parent)
    assert "kvali" in modules
    assert not modules & {"spacy", "thinc", "pandas"}, f"kvali {' '.join(args)} imported them"


def test_the_app_starts_without_spacy():
    """Importing the app (every page, as the first page of a server process does) loads no
    spaCy: it comes with the first import or tagging run, which segments or matches text."""
    run = subprocess.run([sys.executable, "-c", "import json, sys, kvali.ui.app; "
                          "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    modules = set(json.loads(run.stdout))
    assert "streamlit" in modules and "kvali" in modules
    assert not modules & {"spacy", "thinc"}, modules & {"spacy", "thinc"}


@pytest.mark.parametrize("query", ["netværkene", '"nære netværk"', "frivillig* ELLER Aarhus",
                                   "18-midler", "netvaerk"], ids=str)
def test_a_search_loads_neither_spacy_nor_pandas(project: Path, query: str):
    """Query words are lemmatised by kvali's rules, without spaCy ("18-midler" is two one-token
    words); pandas is never imported."""
    out, modules = run_kvali("--db", str(project), "search", query, "--fuzzy", "--json",
                             cwd=project.parent)
    assert json.loads(out)["total"] > 0
    assert not modules & set(HEAVY), f"kvali search {query} imported {modules & set(HEAVY)}"


def test_help_alone_does_not_even_open_the_store(tmp_path: Path):
    assert not {"sqlite_utils", "kvali.store"} & loaded_modules("--help", cwd=tmp_path)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_help_is_the_commands_own_first_paragraph(name: str):
    command = COMMANDS[name].load()
    assert command.name == name
    first = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert COMMANDS[name].help == " ".join(first.split()), "update COMMANDS in kvali/cli"


def test_group_help_lists_what_the_loaded_commands_would_say():
    eager = click.Group("kvali", commands={name: entry.load() for name, entry in COMMANDS.items()},
                        context_settings=cli.context_settings)
    lazy_lines = cli.get_help(click.Context(cli)).split("Commands:")[1]
    eager_lines = eager.get_help(click.Context(eager)).split("Commands:")[1]
    assert lazy_lines == eager_lines
    assert all(f"  {name} " in lazy_lines for name in COMMANDS)


def test_a_search_indexes_queued_segments_before_it_reads(project: Path):
    """A segment written outside an import waits in the index queue; the read-only search path
    hands such a project to the full one, which indexes it first."""
    conn = sqlite3.connect(project)
    with conn:
        segment_id, text, lemmas = conn.execute(
            "SELECT id, text, lemmas FROM segments WHERE text LIKE '%pårørende%'").fetchone()
        conn.execute("INSERT INTO segments_fts (segments_fts, rowid, text, lemmas) "
                     "VALUES ('delete', ?, ?, ?)", (segment_id, text, lemmas))
        conn.execute("INSERT INTO segments_fts_pending (id) VALUES (?)", (segment_id,))
    indexed = "SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'pårørende'"
    assert (segment_id,) not in conn.execute(indexed).fetchall()
    conn.close()
    out, modules = run_kvali("--db", str(project), "search", "pårørende", "--json",
                             cwd=project.parent)
    assert segment_id in [hit["segment_id"] for hit in json.loads(out)["hits"]]
    assert not modules & set(HEAVY)
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT count(*) FROM segments_fts_pending").fetchone()[0] == 0
    conn.close()
