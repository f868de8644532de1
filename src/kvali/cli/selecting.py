"""The selection options (--kommune, --region, --size, --kind, --question, --role, --code,
--not-code, --coder, --status, --document), made from `kvali.selection.FIELDS` so that search and
every export offer the same options with the same names and meanings, and `--pseudonymise`,
which every export and `kvali search --export` take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kvali.domain import DOCUMENT_KINDS, STATUSES
from kvali.selection_fields import FIELDS, Selection

F = TypeVar("F", bound=Callable[..., Any])

ALIASES = {"code": ("--codes",)}
"""Other spellings kept for scripts written against earlier versions."""
CHOICES = {"kind": DOCUMENT_KINDS, "status": STATUSES}


STATUS_DEFAULTS = {"shown": "every status but rejected", "decided": "accepted and manual"}
"""What a command counts without --status: what the app shows, or (theme summaries,
`kvali.export.summary.summary_selection`) what the analyst decided."""


def selection_options(func: F, *, counts: str = "shown") -> F:
    """Add every selection option (each repeatable) to a command; `counts` names its default
    statuses (a key of STATUS_DEFAULTS)."""
    for name in reversed(FIELDS):
        info = FIELDS[name]
        choices = CHOICES.get(name)
        text = info.help
        if name == "status":
            text = f"{text.removesuffix('.')} (default: {STATUS_DEFAULTS[counts]})."
        func = click.option(
            "--" + name.replace("_", "-"), *ALIASES.get(name, ()), name, multiple=True,
            metavar=None if choices else info.metavar,
            type=click.Choice(choices) if choices else None,
            help=f"{text} Repeatable.")(func)
    return func


def decided_selection_options(func: F) -> F:
    """`selection_options` of a command that counts accepted and manual codings by default."""
    return selection_options(func, counts="decided")


def pop_selection(options: dict[str, Any]) -> Selection:
    """Take the selection options out of a command's keyword arguments."""
    return Selection(**{name: tuple(options.pop(name, ())) for name in FIELDS})


pseudonymise_option = click.option(
    "--pseudonymise", is_flag=True,
    help="Replace the confirmed personal data in what is written: names by [Person N] (the "
         "same number for the same person project-wide), CPR, address, phone and e-mail by "
         "[CPR], [Adresse], [Telefon], [E-mail]; citations name the replacements.")
