"""`kvali --help`, `kvali init` and `kvali status` start without the heavy libraries, and the
lazily loaded command list cannot drift from the commands themselves."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from kvali.cli import COMMANDS, cli

HEAVY = ("spacy", "docx", "openpyxl", "pypdf", "streamlit", "rapidfuzz", "ruamel")
PROBE = """
import json, sys
from kvali.cli import main
sys.argv = ["kvali", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_modules(*args: str, cwd: Path) -> set[str]:
    """The top-level packages imported by a fresh `kvali ARGS` process."""
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         cwd=cwd, timeout=60)
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith("MODULES "), run.stderr
    return {name.split(".")[0] for name in json.loads(line.removeprefix("MODULES "))}


@pytest.mark.parametrize("args", [("--help",), ("init",), ("status",), ("status", "--json")],
                         ids=" ".join)
def test_light_commands_import_no_heavy_library(project: Path, args: tuple[str, ...]):
    modules = loaded_modules("--db", str(project), *args, cwd=project.parent)
    assert "kvali" in modules and "click" in modules
    assert not modules & set(HEAVY), f"kvali {' '.join(args)} imported {modules & set(HEAVY)}"


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
