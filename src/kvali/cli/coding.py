"""Codebook and coding commands: codebook check|load|import|export|report|merge|split, tag,
code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kvali.cli.options import SQLITE_INTEGER, db_option, echo_json, open_project
from kvali.cli.selecting import pseudonymise_option
from kvali.codebook.edit import merge_codes, split_code
from kvali.codebook.install import export_codebook, install_codebook
from kvali.codebook.load import check_codebook, load_codebook
from kvali.codebook.sync import SyncReport, sync_codebook
from kvali.coding.quality import rule_quality
from kvali.coding.store import add_manual_coding
from kvali.errors import CodebookError
from kvali.tagging.run import tag_project

DEFAULT_CODEBOOK = "codebook.yaml"
codebook_path = click.argument("path", default=DEFAULT_CODEBOOK,
                               type=click.Path(dir_okay=False, path_type=Path))


@click.group()
def codebook() -> None:
    """Check, load, export and report on the codebook."""


@codebook.command()
@codebook_path
def check(path: Path) -> None:
    """Validate a codebook file; every problem is printed with its line and code key."""
    parsed, problems = check_codebook(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise CodebookError(f"{path}: {len(problems)} problem(s) found")
    assert parsed is not None
    click.echo(f"{path}: {len(parsed.codes)} codes, version {parsed.version}: valid")


@codebook.command()
@codebook_path
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@db_option
def load(path: Path, as_json: bool, db_path: str | None) -> None:
    """Load (or reload) the codebook into the project; codings keep their codes by key."""
    report = sync_codebook(open_project(db_path, create=True), load_codebook(path))
    _echo_report(report, as_json, f"loaded {path}")


@codebook.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", default=DEFAULT_CODEBOOK, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The codebook.yaml to write (replaced only when SOURCE is valid).")
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@click.option("--coder", default="kvali", show_default=True)
@db_option
def import_command(source: Path, output: Path, as_json: bool, coder: str,
                   db_path: str | None) -> None:
    """Make a REFI-QDA codebook (.qdc) or a CSV codebook (Taguette's `tag`, `description`;
    kvali's `key`, `parent`, `color`) the project's codebook: written as OUTPUT and loaded.
    Every problem is printed with its line; then nothing is changed."""
    report, problems = install_codebook(open_project(db_path, create=True), source, output,
                                        coder)
    if report is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise CodebookError(f"{source}: {len(problems)} problem(s) found; nothing loaded")
    _echo_report(report, as_json, f"loaded {source} as {output}")


@codebook.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .csv (Taguette's columns) or .qdc (REFI-QDA).")
@pseudonymise_option
@db_option
def export(output: Path, pseudonymise: bool, db_path: str | None) -> None:
    """Export the project's codebook as CSV (a .csv name) or as a REFI-QDA codebook (.qdc).

    With --pseudonymise the codes' notes (description, inclusion, exclusion, example) are
    scrubbed of the confirmed personal data."""
    chosen = export_codebook(open_project(db_path), output, pseudonymise=pseudonymise)
    click.echo(f"wrote {output} ({chosen})")


def _echo_report(report: SyncReport, as_json: bool, done: str) -> None:
    """What a codebook sync changed, as JSON or one line per kind of change, then DONE."""
    if as_json:
        echo_json(report.to_dict())
        return
    for label, keys in report.to_dict().items():
        if keys:
            click.echo(f"{label.replace('_', ' ')}: {', '.join(keys)}")
    click.echo(done)


@codebook.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def report(as_json: bool, db_path: str | None) -> None:
    """Precision and recall of each code's rules against the analysts' decisions."""
    rows = rule_quality(open_project(db_path))
    if as_json:
        echo_json(rows)
        return
    click.echo(f"{'code':<34}{'pending':>8}{'accepted':>9}{'rejected':>9}{'missed':>7}"
               f"{'precision':>10}{'recall':>8}")
    for row in rows:
        precision = "–" if row["precision"] is None else f"{row['precision']:.2f}"
        recall = "–" if row["recall"] is None else f"{row['recall']:.2f}"
        click.echo(f"{row['code']:<34}{row['pending']:>8}{row['accepted']:>9}"
                   f"{row['rejected']:>9}{row['missed']:>7}{precision:>10}{recall:>8}")


@codebook.command()
@click.argument("source")
@click.argument("target")
@click.option("--file", "path", default=DEFAULT_CODEBOOK, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The codebook file to edit.")
@click.option("--coder", default="kvali", show_default=True)
@db_option
def merge(source: str, target: str, path: Path, coder: str, db_path: str | None) -> None:
    """Merge code SOURCE into TARGET: codings, children and rules move; SOURCE disappears."""
    moved = merge_codes(open_project(db_path), path, source, target, coder)
    click.echo(f"merged {source} into {target}: {moved} codings moved; {path} updated")


@codebook.command()
@click.argument("key")
@click.argument("new_key")
@click.option("--name", required=True, help="Name of the new code.")
@click.option("--coding", "coding_ids", multiple=True, type=SQLITE_INTEGER,
              help="Coding id to move to the new code (repeatable).")
@click.option("--file", "path", default=DEFAULT_CODEBOOK, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The codebook file to edit.")
@click.option("--coder", default="kvali", show_default=True)
@db_option
def split(key: str, new_key: str, name: str, coding_ids: tuple[int, ...], path: Path,
          coder: str, db_path: str | None) -> None:
    """Split code KEY: add NEW_KEY beside it and move the given codings to it."""
    moved = split_code(open_project(db_path), path, key, new_key, name, list(coding_ids), coder)
    click.echo(f"split {new_key} from {key}: {moved} codings moved; {path} updated")


@click.command()
@click.option("--codes", "keys", multiple=True, metavar="KEY",
              help="Only these codes, everywhere (repeatable); default: what is new or "
              "changed.")
@click.option("--all", "force", is_flag=True,
              help="Re-run every code on every document, changed or not.")
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@db_option
def tag(keys: tuple[str, ...], force: bool, as_json: bool, db_path: str | None) -> None:
    """Suggest codings from the codebook rules in new documents and for changed rules; human
    decisions are never changed."""
    result = tag_project(open_project(db_path), list(keys) or None, force=force,
                         progress=None if as_json else _show_progress)
    if as_json:
        echo_json(result.to_dict())
        return
    if not result.codes:
        click.echo("nothing to tag: no new documents and no code's rules changed since the last "
                   "run (use --all)")
        return
    for key in result.codes:
        click.echo(f"{key:<34} +{result.added.get(key, 0):<6} -{result.removed.get(key, 0):<6} "
                   f"kept {result.kept.get(key, 0)}")
    click.echo(f"tagged {result.segments} segments in {result.documents} documents "
               f"({result.new_documents} new) for {len(result.codes)} codes; "
               f"{len(result.skipped)} codes had nothing to do")


def _show_progress(done: int, total: int) -> None:
    """Segments tagged so far, on one line of stderr that a terminal overwrites."""
    terminal = sys.stderr.isatty()
    if terminal or done == total:
        start = "\r" if terminal else ""
        click.echo(f"{start}tagging: {done:,} of {total:,} segments read".replace(",", "."),
                   err=True, nl=done == total)


@click.command()
@click.argument("segment_id", type=SQLITE_INTEGER)
@click.argument("code_key")
@click.option("--coder", default="analytiker", show_default=True, help="Who is coding.")
@click.option("--memo", help="A memo on this coding.")
@db_option
def code(segment_id: int, code_key: str, coder: str, memo: str | None,
         db_path: str | None) -> None:
    """Code a segment by hand (the same store functions serve the app)."""
    coding_id = add_manual_coding(open_project(db_path), segment_id, code_key, coder, memo=memo)
    click.echo(f"coding {coding_id}: segment {segment_id} coded {code_key} by {coder}")
