"""User commands: users add|list|remove|passwd|set-role, for the shared server's log-in."""

from __future__ import annotations

import sys

import click

from kvali.access.users import add_user, list_users, remove_user, set_password, set_role
from kvali.cli.options import db_option, echo_json, open_project
from kvali.store.schema_privacy import USER_ROLES

role_option = click.option("--role", required=True, type=click.Choice(USER_ROLES),
                           help="admin: everything; coder: code, review, import, tag; "
                                "reader: read only.")
stdin_option = click.option("--password-stdin", is_flag=True,
                            help="Read the password from the first line of standard input "
                                 "(for scripts) instead of asking twice.")


@click.group()
def users() -> None:
    """Manage who may log in to the shared app, and with which role."""


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command()
@click.argument("name")
@role_option
@stdin_option
@db_option
def add(name: str, role: str, password_stdin: bool, db_path: str | None) -> None:
    """Add a user (the first one must be an admin); the password is asked for twice."""
    db = open_project(db_path)
    user = add_user(db, name, role, _password(password_stdin))
    click.echo(f"added {user.name} ({user.role})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@db_option
def list_command(as_json: bool, db_path: str | None) -> None:
    """List the users: name, role and when they were added (never a password hash)."""
    rows = list_users(open_project(db_path))
    if as_json:
        echo_json([user.to_dict() for user in rows])
        return
    for user in rows:
        click.echo(f"{user.name:<24} {user.role:<7} {user.created_at}")


@users.command()
@click.argument("name")
@db_option
def remove(name: str, db_path: str | None) -> None:
    """Remove a user (the last admin only when no other users remain)."""
    remove_user(open_project(db_path), name)
    click.echo(f"removed {name.strip()}")


@users.command()
@click.argument("name")
@stdin_option
@db_option
def passwd(name: str, password_stdin: bool, db_path: str | None) -> None:
    """Set a new password for a user."""
    db = open_project(db_path)
    set_password(db, name, _password(password_stdin))
    click.echo(f"password changed for {name.strip()}")


@users.command("set-role")
@click.argument("name")
@role_option
@db_option
def set_role_command(name: str, role: str, db_path: str | None) -> None:
    """Give a user another role (the last admin cannot be demoted)."""
    set_role(open_project(db_path), name, role)
    click.echo(f"{name.strip()} is now {role}")
