"""Every CLI command and option has help text (a command without help is a bug)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kvali.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top level loads its commands lazily
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize(("path", "command"), list(_commands(cli)),
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_command_has_help(path, command):
    assert command.help, f"kvali {' '.join(path)} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_contract_commands_exist():
    names = {" ".join(path) for path, _ in _commands(cli)}
    assert {"init", "import", "segment", "status", "demo", "app"} <= names
