"""A click group that imports a command's module only when that command is used.

`kvali --help` and `kvali status` should not pay for spaCy, the file readers or Streamlit. The
group knows each command by a registry entry (where it lives and the first paragraph of its
help); the module is imported when the command runs or shows its own help.
tests/test_cli_startup.py checks each entry's help against the command's own, so the list in
`kvali --help` cannot drift.

The group is also the one place that keeps pandas out of a command's process (`without_pandas`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

NOT_FOR_COMMANDS = ("pandas",)
"""Packages no command uses. pandas (installed for Streamlit, and only used by the app's pages,
which run in the app's own process) would otherwise be imported, with pyarrow, by every import
of sqlite-utils: half a second or more on each command that opens a project through it."""


@contextmanager
def without_pandas() -> Iterator[None]:
    """Let NOT_FOR_COMMANDS look uninstalled inside the block (an import of one fails as for a
    missing package, which every optional import expects) unless already imported; as before
    afterwards. sqlite-utils then only lacks pandas.Timestamp as a column type, and kvali never
    stores such a value."""
    hidden = [name for name in NOT_FOR_COMMANDS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives ("package.module:attribute") and the first paragraph of its help."""

    target: str
    help: str

    def load(self) -> click.Command:
        """Import the command's module and return the command."""
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """A group whose commands come from a registry `name -> LazyCommand`, imported on demand."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line with pandas out of the process (`without_pandas`)."""
        with without_pandas():
            return super().main(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        return entry.load() if entry else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the registry's help lines, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, click.Command(name, help=self.lazy[name].help).get_short_help_str(limit))
                for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
