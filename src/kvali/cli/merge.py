"""`kvali merge OTHER`: bring another analyst's project (kvali file or .qdpx) into this one."""

from __future__ import annotations

from pathlib import Path

import click

from kvali.cli.options import db_option, echo_json, open_project
from kvali.merge import merge_project


@click.command()
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary and conflicts as JSON.")
@click.option("--dry-run", is_flag=True, help="Report what would be merged; write nothing.")
@db_option
def merge(other: Path, as_json: bool, dry_run: bool, db_path: str | None) -> None:
    """Merge another analyst's project (a kvali project file or a .qdpx) into this one.

    Documents are matched by their text; human codings, memos and key quotes keep their coder;
    documents this project lacks are added; disagreements are listed as conflicts, never
    guessed. Merging the same project again adds nothing."""
    report = merge_project(open_project(db_path), other, dry_run=dry_run)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo(report.summary())
    for conflict in report.conflicts:
        click.echo(f"  conflict: {conflict.line}")
    for line in report.skipped:
        click.echo(f"  warning: {line}", err=True)
