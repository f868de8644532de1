"""Commands that need only the project file: init, status and app.

This module stays light (click and the store): `kvali status` reads the project through
a plain sqlite3 connection (no sqlite-utils, so no pandas), `kvali init` starts without spaCy, the
file readers or Streamlit, and `kvali app` leaves Streamlit to its own process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kvali.cli.options import F, db_option, echo_json, open_project, read_project, resolve_db_path
from kvali.store import project_path
from kvali.store.stats import project_status

LOCAL = "127.0.0.1"
APP_SCRIPT = Path(__file__).resolve().parents[1] / "ui" / "app-script" / "kvali_workbench.py"
"""The script `streamlit run` executes; it ships inside the package."""


@click.command()
@db_option
def init(db_path: str | None) -> None:
    """Create an empty project (or upgrade an existing one)."""
    path = project_path(resolve_db_path(db_path))
    existed = path.exists()
    open_project(db_path, create=True).close()
    click.echo(f"{'Upgraded' if existed else 'Created'} project {path}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def status(as_json: bool, db_path: str | None) -> None:
    """Show what the project holds."""
    db = read_project(db_path)
    try:
        counts = project_status(db)
    finally:
        db.close()
    if as_json:
        echo_json(counts)
        return
    for key in ("documents", "segments", "responses", "cases", "municipalities", "codes",
                "codings", "words"):
        click.echo(f"{key:<15}{counts[key]:>10,}".replace(",", "."))
    if counts["documents_by_kind"]:
        kinds = ", ".join(f"{k} {v}" for k, v in counts["documents_by_kind"].items())
        click.echo(f"{'by kind':<15}{kinds}")
    if counts["unmatched_cases"]:
        click.echo(f"{'unmatched':<15}{', '.join(counts['unmatched_cases'])}")


def run_app(path: Path, port: int, address: str = LOCAL) -> None:
    """Run the packaged workbench script with `streamlit run` on the project until stopped."""
    import subprocess  # only here: `kvali status` and `kvali init` start without it

    env = {**os.environ, "KVALI_DB": str(path.resolve())}
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
               "--server.port", str(port), "--server.address", address,
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               # No Deploy button or developer menu, no tracebacks in the browser; set at
               # start-up because the browser reads them before the script runs.
               "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none"]
    try:
        subprocess.run(command, env=env, check=False)
    except KeyboardInterrupt:
        return


def address_option(func: F) -> F:
    """Add `--address` (where the workbench listens; this machine only by default)."""
    return click.option(
        "--address", default=LOCAL, show_default=True, envvar="STREAMLIT_SERVER_ADDRESS",
        help="Where the workbench listens; 0.0.0.0 opens it to the network (only behind a "
             "log-in: the project holds personal data).")(func)


@click.command()
@click.option("--port", type=int, default=8501, show_default=True)
@address_option
@db_option
def app(port: int, address: str, db_path: str | None) -> None:
    """Start the Streamlit workbench on the project.

    When there is no project file yet, the workbench's start screen creates or opens one."""
    path = project_path(resolve_db_path(db_path))
    if path.exists():
        open_project(str(path)).close()
    else:
        click.echo(f"no project at {path} yet: create one in the workbench's start screen")
    run_app(path, port, address)
