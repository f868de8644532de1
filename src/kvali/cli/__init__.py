"""The `kvali` command: a thin layer over the library; user errors become one line on stderr.

Commands are registered in COMMANDS and imported only when used (kvali.cli.lazy), so `kvali
--help` needs nothing but click. A new command is one line here: its name, where it lives and the
first paragraph of its help (tests/test_cli_startup.py checks it against the command's own).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import NoReturn

import click

from kvali.cli.lazy import LazyCommand, LazyGroup
from kvali.errors import KvaliError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

COMMANDS: dict[str, LazyCommand] = {
    "agreement": LazyCommand("kvali.cli.agreement:agreement",
                             "Measure how far coders agree on their human codings, per code and "
                             "overall."),
    "app": LazyCommand("kvali.cli.project_file:app",
                       "Start the Streamlit workbench on the project."),
    "cite": LazyCommand("kvali.cli.cite:cite",
                        "Show the quote a citation reference points at and where it stands in "
                        "the imported file."),
    "code": LazyCommand("kvali.cli.coding:code",
                        "Code a segment by hand (the same store functions serve the app)."),
    "codebook": LazyCommand("kvali.cli.coding:codebook",
                            "Check, load, export and report on the codebook."),
    "coders": LazyCommand("kvali.cli.coders:coders",
                          "Assign documents to coders, mark documents done per coder, and turn a "
                          "coder's blind mode on or off (double coding)."),
    "demo": LazyCommand("kvali.cli.project:demo",
                        "Build the demo project from corpus/ and codebook.yaml, then open the UI."),
    "documents": LazyCommand("kvali.cli.documents:documents",
                             "List documents, delete wrong imports, switch a document between "
                             "interview and report, or re-import a corrected file in its place."),
    "export": LazyCommand("kvali.cli.export:export",
                          "Export theme summaries, codings, crosstabs and REFI-QDA files."),
    "import": LazyCommand("kvali.cli.project:import_command",
                          "Import interviews, survey tables, SurveyXact exports and reports "
                          "(files or folders)."),
    "import-qdpx": LazyCommand("kvali.cli.export:import_qdpx_command",
                               "Bring in a REFI-QDA project (.qdpx) made by another tool "
                               "(or by kvali)."),
    "init": LazyCommand("kvali.cli.project_file:init",
                        "Create an empty project (or upgrade an existing one)."),
    "merge": LazyCommand("kvali.cli.merge:merge",
                         "Merge another analyst's project (a kvali project file or a .qdpx) into "
                         "this one."),
    "pii": LazyCommand("kvali.cli.pii:pii",
                       "Find personal data (CPR, phone, e-mail, address, names) and decide on each "
                       "finding."),
    "search": LazyCommand("kvali.cli.search:search_command",
                          "Search segments across municipalities, with where each hit comes "
                          "from."),
    "segment": LazyCommand("kvali.cli.project:segment",
                           "Segment one file without a project and print its segments."),
    "status": LazyCommand("kvali.cli.project_file:status", "Show what the project holds."),
    "users": LazyCommand("kvali.cli.users:users",
                         "Manage who may log in to the shared app, and with which role."),
    "tag": LazyCommand("kvali.cli.coding:tag",
                       "Suggest codings from the codebook rules in new documents and for changed "
                       "rules; human decisions are never changed."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_path",
    envvar="KVALI_DB",
    type=click.Path(dir_okay=False),
    help="Project file (default: $KVALI_DB or kvali.db).",
)
@click.version_option(package_name="kvali")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """kvali: code Danish interviews, survey comments and reports."""
    ctx.obj = {"db_path": db_path}


def _user_error(exc: KvaliError) -> NoReturn:
    click.echo(f"kvali: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _busy(exc: Exception) -> KvaliError | None:
    """A project file that failed (locked past the busy timeout, full disk, read-only,
    damaged), as its one-line user error."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    from kvali.store import busy_error  # loaded already: the error came through the store

    return busy_error(exc)


def main() -> None:
    """Entry point: run the CLI, turning user errors into one clear line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kvali: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"kvali: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KvaliError as exc:
        _user_error(exc)
    except KeyboardInterrupt:
        click.echo("kvali: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a traceback for users
        busy = _busy(exc)
        if busy is not None:
            _user_error(busy)
        if os.environ.get("KVALI_DEBUG"):
            raise
        click.echo(
            f"kvali: internal error ({type(exc).__name__}); rerun with KVALI_DEBUG=1 for details",
            err=True,
        )
        sys.exit(70)
